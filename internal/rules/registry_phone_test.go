package rules_test

import (
	"testing"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/rules"
)

// The runners of the rules over evidence exported from the phone alone
// (issue 18), kept apart from runners' list so the families merge cleanly.
func init() {
	runners["privacy_report.ip_literal"] = func(t *testing.T, s rules.Sample) []finding {
		var public []string
		for _, ip := range strs(s, "ips") {
			if ios.PublicIP(ip) {
				public = append(public, ip)
			}
		}
		return fromPtr(ios.PrivacyReportIPLiteral(str(s, "app"), public, boolean(s, "named")))
	}
}
