package dumpsystext

import (
	"strings"
)

// IntentHandler is one component registered for an intent action in the
// Activity or Receiver Resolver Table.
type IntentHandler struct {
	Intent    string `json:"intent"`
	Package   string `json:"package_name"`
	Component string `json:"component"` // "pkg/.Class" as printed
}

// ParseActivities reads the Activity Resolver Table's Non-Data Actions from
// the package section.
func ParseActivities(s string) []IntentHandler { return parseResolver(s, "Activity Resolver Table:") }

// ParseReceivers reads the Receiver Resolver Table's Non-Data Actions from
// the package section.
func ParseReceivers(s string) []IntentHandler { return parseResolver(s, "Receiver Resolver Table:") }

// parseResolver walks `<table>` → `Non-Data Actions:` and collects
// `action:` headers with their `hash pkg/Class` lines. The block ends at the
// next table sub-heading (two-space indent, several words, or Schemes:) or
// at an unindented line; blank lines, which some vendors scatter, do not end
// it. A single token ending in ':' is an action header whatever its indent,
// because some builds mis-indent them.
func parseResolver(s, table string) []IntentHandler {
	var out []IntentHandler
	inTable, inActions := false, false
	action := ""
	for _, ln := range lines(s) {
		t := strings.TrimSpace(ln)
		if t == "" {
			continue
		}
		ind := indent(ln)
		if ind == 0 {
			if inActions {
				break
			}
			inTable = t == table
			continue
		}
		if !inTable {
			continue
		}
		if !inActions {
			inActions = ind <= 2 && t == "Non-Data Actions:"
			continue
		}
		fields := strings.Fields(t)
		if ind <= 2 && (len(fields) > 1 || t == "Schemes:" || t == "Authorities:") {
			break
		}
		if len(fields) == 1 && strings.HasSuffix(t, ":") {
			action = strings.TrimSuffix(t, ":")
			continue
		}
		if action == "" || len(fields) < 2 {
			continue
		}
		comp := fields[1]
		pkg, _, ok := strings.Cut(comp, "/")
		if !ok || pkg == "" {
			continue
		}
		out = append(out, IntentHandler{Intent: action, Package: pkg, Component: comp})
	}
	return out
}
