package dumpsystext

import "strings"

// ParsePlatformCompat returns the packages listed in the rawOverrides of the
// DOWNSCALED change. Overrides outlive the app, so the list can name apps
// that were uninstalled.
func ParsePlatformCompat(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, ln := range lines(s) {
		t := strings.TrimSpace(ln)
		if !strings.HasPrefix(t, "ChangeId(168419799; name=DOWNSCALED;") {
			continue
		}
		_, rest, ok := strings.Cut(t, "rawOverrides={")
		if !ok {
			continue
		}
		body, _, ok := strings.Cut(rest, "}")
		if !ok {
			continue
		}
		for _, item := range strings.Split(body, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(item), "=")
			if name != "" && !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out
}
