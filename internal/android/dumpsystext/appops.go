package dumpsystext

import (
	"regexp"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// AppopsPackage is one package's operations in the appops section.
type AppopsPackage struct {
	Package     string       `json:"package_name"`
	UID         string       `json:"uid"`
	Permissions []AppopsPerm `json:"permissions"`
}

// AppopsPerm is one operation and its mode ("allow", "deny", "ignore"...).
type AppopsPerm struct {
	Name    string        `json:"name"`
	Access  string        `json:"access"`
	Entries []AppopsEntry `json:"entries,omitempty"`
}

// AppopsEntry is one recorded access or rejection. Time is the device's wall
// clock read as UTC (the section carries no zone); Raw keeps the text.
type AppopsEntry struct {
	Access string    `json:"access"` // "Access" or "Reject"
	Type   string    `json:"type"`   // process state, e.g. "top-s"
	Time   time.Time `json:"timestamp"`
	Raw    string    `json:"raw_timestamp"`
}

var appopsEntryRe = regexp.MustCompile(`^(Access|Reject): \[([^\]]*)\]\s*(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)`)

// ParseAppops reads the per-uid part of the appops section (from `Uid N:`).
// Blank lines inside it do not end it; an unindented line does.
func ParseAppops(s string) []AppopsPackage {
	var out []AppopsPackage
	uid := ""
	started := false
	var pkg *AppopsPackage
	var perm *AppopsPerm
	flush := func() {
		if pkg != nil {
			out = append(out, *pkg)
		}
		pkg, perm = nil, nil
	}
	for _, ln := range lines(s) {
		t := strings.TrimSpace(ln)
		if t == "" {
			continue
		}
		ind := indent(ln)
		if started && ind == 0 {
			break
		}
		switch {
		case ind <= 2 && strings.HasPrefix(t, "Uid ") && strings.HasSuffix(t, ":"):
			flush()
			started = true
			uid = strings.TrimSuffix(strings.TrimPrefix(t, "Uid "), ":")
		case !started:
		case ind <= 2:
			// Another top-level part of the section follows the uid list.
			flush()
			started = false
		case strings.HasPrefix(t, "Package ") && strings.HasSuffix(t, ":"):
			flush()
			pkg = &AppopsPackage{Package: strings.TrimSuffix(strings.TrimPrefix(t, "Package "), ":"), UID: uid}
		case pkg == nil:
			// uid-level modes ("COARSE_LOCATION: mode=ignore") belong to no package
		case strings.HasPrefix(t, "Access:") || strings.HasPrefix(t, "Reject:"):
			if perm == nil {
				continue
			}
			m := appopsEntryRe.FindStringSubmatch(t)
			if m == nil {
				continue
			}
			// A date out of range is no time here; Raw keeps it, and the
			// module keeps it on the record (WallTime).
			ts, _ := timestamp.ParseText(m[3], "2006-01-02 15:04:05.999999999")
			perm.Entries = append(perm.Entries, AppopsEntry{Access: m[1], Type: m[2], Time: ts, Raw: m[3]})
		default:
			name, rest, ok := strings.Cut(t, " (")
			if !ok || strings.Contains(name, " ") {
				continue
			}
			access, _, _ := strings.Cut(rest, ")")
			pkg.Permissions = append(pkg.Permissions, AppopsPerm{Name: name, Access: access})
			perm = &pkg.Permissions[len(pkg.Permissions)-1]
		}
	}
	flush()
	return out
}
