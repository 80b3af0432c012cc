package network

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/testutil"
)

// The 5,000 most popular domains (Tranco, ../shared/realdata) are ordinary
// services a phone reaches every day. Looked up or contacted on port 443
// under their own name and as www., none may be judged high by the
// network rules, and at most 1 % medium (a dynamic-DNS provider's own
// customer names, an unknown encrypted resolver).
func TestPopularDomainsNetworkPrecision(t *testing.T) {
	domains := testutil.Lines(t, "realdata/tranco-top5000.txt")
	if len(domains) < 4000 {
		t.Fatalf("%d domains", len(domains))
	}
	ip := netip.MustParseAddr("203.0.113.10") // no warning list holds it: the names are judged alone
	var high, medium, low []string
	for _, d := range domains {
		worst, why := model.Severity(-1), []string{}
		for _, name := range []string{d, "www." + d} {
			fs := []*rules.Finding{DynamicDNS(name), SuspiciousEnding(name), Port(ip, 443, "tcp", name)}
			if via, ok := EncryptedDNS(name, ip, 443, "tcp"); ok {
				fs = append(fs, EncryptedResolver(name, ip, 443, via))
			}
			for _, f := range fs {
				if f != nil && f.Severity > model.Informational {
					worst = max(worst, f.Severity)
					why = append(why, name+" "+f.Rule+":"+f.Severity.String())
				}
			}
		}
		switch {
		case worst >= model.High:
			high = append(high, strings.Join(why, ", "))
		case worst == model.Medium:
			medium = append(medium, strings.Join(why, ", "))
		case worst == model.Low:
			low = append(low, strings.Join(why, ", "))
		}
	}
	if len(high) > 0 {
		t.Errorf("%d popular domains judged high:\n%s", len(high), strings.Join(high, "\n"))
	}
	if limit := len(domains) / 100; len(medium) > limit {
		t.Errorf("%d popular domains judged medium, over 1 %% (%d):\n%s", len(medium), limit, strings.Join(medium, "\n"))
	}
	t.Logf("%d domains: %d high, %d medium, %d low\nmedium: %s\nlow: %s", len(domains), len(high), len(medium), len(low),
		strings.Join(medium, "; "), strings.Join(low, "; "))
}
