package dumpsystext

import "strings"

// ParseDeviceAdmins returns the components listed under "Enabled Device
// Admins" in the device_policy section. Device-admin rights let an app lock
// the screen or wipe the phone, and make it harder to uninstall.
func ParseDeviceAdmins(s string) []string {
	var out []string
	in, base := false, 0
	for _, ln := range lines(s) {
		t := strings.TrimSpace(ln)
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "Enabled Device Admins") {
			in, base = true, indent(ln)
			continue
		}
		if !in {
			continue
		}
		if indent(ln) <= base {
			in = false
			continue
		}
		if strings.HasSuffix(t, ":") && strings.Contains(t, "/") && !strings.Contains(t, " ") {
			out = append(out, strings.TrimSuffix(t, ":"))
		}
	}
	return out
}
