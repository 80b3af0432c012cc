package dumpsystext

import "strings"

// Property is one system property.
type Property struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// maxPropertyValue bounds a multi-line value still open at its end.
const maxPropertyValue = 64 << 10

// ParseGetprop reads getprop output (`[name]: [value]` per line). A value
// may span lines (until a line ending in `]`); malformed lines are skipped.
func ParseGetprop(s string) []Property {
	var out []Property
	var open *Property
	for _, ln := range lines(s) {
		if open != nil {
			if strings.HasSuffix(ln, "]") {
				open.Value += "\n" + strings.TrimSuffix(ln, "]")
				out = append(out, *open)
				open = nil
			} else if len(open.Value) < maxPropertyValue {
				open.Value += "\n" + ln
			}
			continue
		}
		t := strings.TrimSpace(ln)
		if !strings.HasPrefix(t, "[") {
			continue
		}
		name, rest, ok := strings.Cut(t[1:], "]: [")
		if !ok || name == "" || strings.ContainsAny(name, " []") {
			continue
		}
		if strings.HasSuffix(rest, "]") {
			out = append(out, Property{Name: name, Value: strings.TrimSuffix(rest, "]")})
			continue
		}
		open = &Property{Name: name, Value: rest}
	}
	return out
}
