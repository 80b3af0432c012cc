package links

import (
	"fmt"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/testutil"
)

// The 5,000 most popular domains (Tranco, ../shared/realdata) are ordinary
// websites: as links, none may be judged high, and at most 1 % medium.
// Shortened links are counted apart: a shortener is what it says, and the
// rule is low on its own. Before the calibration, 31 of them were high
// look-alikes (tiktokv.com, apple-dns.net, amazon-adsystem.com,
// telegraph.co.uk, tmall.com...).
func TestPopularDomainsPrecision(t *testing.T) {
	domains := testutil.Lines(t, "realdata/tranco-top5000.txt")
	if len(domains) < 4000 {
		t.Fatalf("%d domains", len(domains))
	}
	var high, medium []string
	shorteners := 0
	for _, d := range domains {
		worst, onlyShortener := model.Severity(-1), true
		var rules []string
		for _, f := range CheckLink("https://" + d + "/") {
			rules = append(rules, f.Rule+":"+f.Severity.String())
			worst = max(worst, f.Severity)
			if f.Rule != "link.url.shortened" {
				onlyShortener = false
			}
		}
		switch {
		case worst < 0:
		case onlyShortener:
			shorteners++
		case worst >= model.High:
			high = append(high, d+" "+strings.Join(rules, ","))
		case worst == model.Medium:
			medium = append(medium, d+" "+strings.Join(rules, ","))
		}
	}
	if len(high) > 0 {
		t.Errorf("%d popular domains judged high:\n%s", len(high), strings.Join(high, "\n"))
	}
	if limit := len(domains) / 100; len(medium) > limit {
		t.Errorf("%d popular domains judged medium, over 1 %% (%d):\n%s", len(medium), limit, strings.Join(medium, "\n"))
	}
	t.Logf("%d domains: %d high, %d medium (%.2f %%), %d shorteners; medium: %s", len(domains), len(high), len(medium),
		100*float64(len(medium))/float64(len(domains)), shorteners, fmt.Sprint(medium))
}
