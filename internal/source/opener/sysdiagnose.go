package opener

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/source"
)

// sysdiagnoseName matches the capture time iOS writes into a sysdiagnose's
// name: sysdiagnose_2024.03.01_10-00-00+0100_iPhone-OS_iPhone_21D61 (the
// folder inside the archive, and the archive itself unless renamed). The
// time is the phone's local time with its UTC offset.
var sysdiagnoseName = regexp.MustCompile(`sysdiagnose_(\d{4})\.(\d{2})\.(\d{2})_(\d{2})-(\d{2})-(\d{2})([+-])(\d{2})(\d{2})`)

// SysdiagnoseTaken reads the capture time from a sysdiagnose's folder or
// archive name. The time keeps the offset of the name (a fixed zone), so
// modules can place the local times that ps.txt and the text logs print.
func SysdiagnoseTaken(name string) (time.Time, bool) {
	m := sysdiagnoseName.FindStringSubmatch(filepath.Base(name))
	if m == nil {
		return time.Time{}, false
	}
	n := make([]int, 0, 8)
	fields := append(append([]string{}, m[1:7]...), m[8], m[9]) // m itself stays whole: m[7] is the sign
	for _, s := range fields {
		v, err := strconv.Atoi(s)
		if err != nil {
			return time.Time{}, false
		}
		n = append(n, v)
	}
	offset := n[6]*3600 + n[7]*60
	if m[7] == "-" {
		offset = -offset
	}
	if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 || n[3] > 23 || n[4] > 59 || n[5] > 60 || n[6] > 14 || n[7] > 59 {
		return time.Time{}, false
	}
	zone := time.FixedZone("UTC"+m[7]+m[8]+":"+m[9], offset)
	t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, zone)
	if t.Year() < 2007 || t.Year() > 2100 {
		return time.Time{}, false
	}
	return t, true
}

// sysdiagnoseDevice fills what a sysdiagnose says about the phone: its
// zone from sysdiagnose.log and its capture time from the first of names
// (the tree's folder, then the archive) that carries one.
func sysdiagnoseDevice(ev *source.Evidence, names ...string) {
	ev.Device.Platform = "ios"
	if ev.Device.TimeZone == "" {
		ev.Device.TimeZone = sysdiagnoseTimeZone(ev)
	}
	if ev.Device.Acquired != nil {
		return
	}
	for _, n := range names {
		if t, ok := SysdiagnoseTaken(strings.TrimSpace(n)); ok {
			ev.Device.Acquired = &t
			return
		}
	}
}
