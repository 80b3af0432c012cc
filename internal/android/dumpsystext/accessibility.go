package dumpsystext

import (
	"strings"
)

// AccessibilityService is one accessibility service named in the section.
type AccessibilityService struct {
	Package   string `json:"package_name"`
	Service   string `json:"service"`   // as printed: "pkg/class" (old format) or the class (Android 14+)
	Component string `json:"component"` // always "pkg/class"
	Enabled   bool   `json:"enabled"`   // listed among enabled services
	Installed bool   `json:"installed"` // listed among installed services
}

// ParseAccessibility reads both layouts. Up to Android 13 the section has
// `installed services: {` and `enabled services: {` blocks with one
// `N : pkg/class` line each; Android 14+ prints
// `Enabled services:{{pkg/class}, {pkg/class}}` on one line. Each component
// is returned once; the old format's installed list comes first, in order.
func ParseAccessibility(s string) []AccessibilityService {
	var out []AccessibilityService
	index := map[string]int{}
	add := func(component string, enabled, installed, newFormat bool) {
		component = strings.TrimSpace(component)
		pkg, class, ok := strings.Cut(component, "/")
		if !ok || pkg == "" || class == "" || strings.ContainsAny(pkg, " {}") {
			return
		}
		if i, seen := index[component]; seen {
			out[i].Enabled = out[i].Enabled || enabled
			out[i].Installed = out[i].Installed || installed
			return
		}
		svc := component
		if newFormat {
			svc = class
		}
		index[component] = len(out)
		out = append(out, AccessibilityService{Package: pkg, Service: svc, Component: component, Enabled: enabled, Installed: installed})
	}

	block := "" // "installed" or "enabled" while inside an old-format block
	for _, ln := range lines(s) {
		t := strings.TrimSpace(ln)
		if block != "" {
			if strings.HasPrefix(t, "}") {
				block = ""
				continue
			}
			if _, v, ok := strings.Cut(t, ":"); ok {
				add(v, block == "enabled", block == "installed", false)
			}
			continue
		}
		lower := strings.ToLower(t)
		switch {
		case strings.HasPrefix(lower, "installed services:") && strings.HasSuffix(t, "{"):
			block = "installed"
		case strings.HasPrefix(lower, "enabled services:") && strings.HasSuffix(t, "{"):
			block = "enabled"
		case strings.HasPrefix(t, "Enabled services:{"):
			for _, c := range braceGroups(t[len("Enabled services:"):]) {
				add(c, true, false, true)
			}
		case strings.HasPrefix(t, "Installed services:{"):
			for _, c := range braceGroups(t[len("Installed services:"):]) {
				add(c, false, true, true)
			}
		}
	}
	return out
}

// braceGroups returns the innermost {...} groups of s: "{{a/b}, {c/d}}" gives
// ["a/b", "c/d"].
func braceGroups(s string) []string {
	var out []string
	start := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			start = i + 1
		case '}':
			if start >= 0 {
				out = append(out, s[start:i])
			}
			start = -1
		}
	}
	return out
}
