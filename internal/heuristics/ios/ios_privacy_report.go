package ios

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/huella-project/huella/internal/rules"
)

// Rules over the evidence an iPhone owner exports on the phone alone (App
// Privacy Report, Safari's export). The Safari export's redirects use
// RedirectIndex and ios.safari.fast_redirect, as History.db does.
// maxIPsQuoted bounds the addresses a finding quotes.
const maxIPsQuoted = 5

// PublicIP says whether s is an IP address on the internet: not a local
// network, loopback, link-local, multicast or unspecified address (a
// printer, a TV or a router on the home network is contacted by address
// every day).
func PublicIP(s string) bool {
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return false
	}
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsMulticast() ||
		a.IsUnspecified() || a.IsInterfaceLocalMulticast() {
		return false
	}
	// 100.64.0.0/10: carrier-grade NAT, a provider's own network.
	if a.Is4() && a.As4()[0] == 100 && a.As4()[1]&0xc0 == 64 {
		return false
	}
	return true
}

// PrivacyReportIPLiteral judges an app that, by itself (not a website it
// showed), connected to internet addresses with no domain name, as the App
// Privacy Report lists them. ips are the public addresses, in the order
// seen; named says whether the app also contacted any named domain in the
// report. Offline, huella cannot tell whether the app comes from the App
// Store: Apple's own apps (com.apple.*) are left out, and an app that
// never used a single domain name in the report's seven days is raised,
// since App Store apps nearly always load something by name (their API,
// analytics, a CDN).
func PrivacyReportIPLiteral(app string, ips []string, named bool) *rules.Finding {
	if app == "" || len(ips) == 0 {
		return nil
	}
	var ctx []string
	if strings.HasPrefix(strings.ToLower(app), "com.apple.") {
		ctx = append(ctx, "apple")
	}
	if !named {
		ctx = append(ctx, "only_ips")
	}
	quoted := ips[:min(len(ips), maxIPsQuoted)]
	list := strings.Join(quoted, ", ")
	if len(ips) > len(quoted) {
		list += ", …"
	}
	return new(rules.IOSPrivacyReportIPLiteral.New(rules.Params{"app": rules.Clip(app, 200), "ips": rules.Clip(list, 300),
		"count": strconv.Itoa(len(ips))}, ctx...))
}
