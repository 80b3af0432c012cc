// Package network holds the rules over a phone's traffic that need no
// indicator: an address contacted without a DNS answer for it, an unusual
// port, a dynamic-DNS name or a throwaway-looking ending, DNS sent
// encrypted to a resolver nobody knows, and Suricata's own alerts. Each
// function returns a rules.Finding (or nil); words and severities live in
// the rules registry (internal/rules/registry.yaml) with the samples that
// test them.
//
// Well-known infrastructure is told apart with the MISP warning lists
// (internal/warninglists): a phone talks to Apple, Google and the large
// content networks all day, and a rule that fired on them would scare every
// owner of a clean phone. Nothing here resolves a name or opens a
// connection.
package network

import (
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/huella-project/huella/internal/clip"
	"github.com/huella-project/huella/internal/heuristics/links"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/warninglists"
)

// Contexts of net.ip.no_dns (see the registry).
const (
	CtxKnownNetwork = "known_network" // the address is on a warning list of large platforms or public resolvers
	CtxCaptureStart = "capture_start" // the connection was open before the capture began, or began in its first minutes
	CtxEncryptedDNS = "encrypted_dns" // the phone was already sending DNS encrypted: its lookups are not in the capture
	CtxUnusualPort  = "unusual_port"  // and on a port ordinary apps rarely use
)

// Routable says whether a is an address on the internet, the only kind the
// rules judge: the phone's own network (private, link-local, CGNAT),
// loopback, multicast and broadcast are local.
func Routable(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsUnspecified() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() ||
		a.IsMulticast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	if a.Is4() {
		b := a.As4()
		switch {
		case b[0] == 100 && b[1]&0xc0 == 64: // 100.64.0.0/10, carrier-grade NAT
			return false
		case b == [4]byte{255, 255, 255, 255}, b[0] == 0:
			return false
		}
	}
	return true
}

// Known says whether a, or host, belongs to well-known infrastructure or
// a public DNS resolver, and names the list.
func Known(a netip.Addr, host string) (string, bool) {
	if m, ok := warninglists.IP(warninglists.Infrastructure, a); ok {
		return m.Name, true
	}
	if m, ok := warninglists.IP(warninglists.PublicDNS, a); ok {
		return m.Name, true
	}
	if host != "" {
		if m, ok := warninglists.Domain(warninglists.Infrastructure, host); ok {
			return m.Name, true
		}
	}
	return "", false
}

// NoDNSFacts are what decides how much an address contacted without a DNS
// answer means.
type NoDNSFacts struct {
	IP    netip.Addr
	Port  uint16
	Proto string // tcp, udp
	Host  string // a server name the phone sent (TLS, HTTP), if any
	// Started is false when the connection was already open when the
	// capture began (no TCP handshake in it); Early is true when it began
	// in the capture's first minutes, while answers the phone had cached
	// before the capture were still valid.
	Started, Early bool
	// EncryptedDNS: the phone had already sent DNS over an encrypted
	// channel by then, so its lookups are not in the capture.
	EncryptedDNS bool
}

// NoDNS is net.ip.no_dns: the phone reached an internet address for which
// the same capture holds no DNS answer. Programs reach their servers by
// name; an address used without a lookup was written into the program or
// handed over by other means, as implants do with their servers. Call it
// only for addresses no DNS answer in the capture gave.
func NoDNS(f NoDNSFacts) *rules.Finding {
	if !Routable(f.IP) {
		return nil
	}
	p, ctx := connection(f.IP, f.Port, f.Proto, f.Host)
	if !f.Started || f.Early {
		ctx = append(ctx, CtxCaptureStart)
	}
	if f.EncryptedDNS {
		ctx = append(ctx, CtxEncryptedDNS)
	}
	if UnusualPort(f.Proto, f.Port) {
		ctx = append(ctx, CtxUnusualPort)
	}
	if f.Host != "" {
		p["host"] = f.Host
	}
	fd := rules.NetIPNoDNS.New(p, ctx...)
	return &fd
}

// usualTCP are the ports phones use every day: the web, mail, Apple's and
// Google's push services, messaging, DNS over TLS, VPNs, and the
// alternative web ports CDNs and captive portals use.
var usualTCP = map[uint16]bool{
	80: true, 443: true, 853: true, 8080: true, 8443: true, 8000: true, 8008: true, 8888: true,
	993: true, 995: true, 143: true, 110: true, 465: true, 587: true, 25: true,
	5223: true,             // Apple push (APNs)
	5228: true,             // Google push (FCM)
	5222: true,             // XMPP (WhatsApp and others)
	5242: true,             // Viber
	4244: true,             // WhatsApp, Viber
	1194: true, 1723: true, // OpenVPN, PPTP
	3478: true, 3479: true, 5349: true, // STUN and TURN (calls)
	2195: true, 2196: true, // Apple push (legacy)
	9001: true, 9030: true, // Tor's usual relay ports: Tor is not spyware
	21: true, 22: true, 23: true, 53: true, 123: true,
}

// UnusualPort says whether a destination port is one ordinary phone apps
// rarely use. Only TCP is judged: calls and games send UDP to any port, so
// an unusual UDP port says nothing.
func UnusualPort(proto string, port uint16) bool {
	if !strings.EqualFold(proto, "tcp") || port == 0 {
		return false
	}
	return !usualTCP[port]
}

// Port is net.port.unusual: the phone opened a TCP connection to an
// internet address on a port ordinary apps rarely use. Spyware servers
// have listened on such ports (the network-injection links of 2019–2020
// carried five-digit ports). name is the host name or the name DNS gave
// for the address, if any.
func Port(ip netip.Addr, port uint16, proto, name string) *rules.Finding {
	if !Routable(ip) || !UnusualPort(proto, port) {
		return nil
	}
	p, ctx := connection(ip, port, proto, name)
	p["dest"] = dest(ip, name)
	f := rules.NetPortUnusual.New(p, ctx...)
	return &f
}

// connection is what every finding about one connection says: the address,
// port and protocol, and the warning list that knows the address or the
// name (with the context known_network), if one does.
func connection(ip netip.Addr, port uint16, proto, name string) (rules.Params, []string) {
	p := rules.Params{"ip": ip.Unmap().String(), "port": strconv.Itoa(int(port)), "proto": strings.ToUpper(proto)}
	list, ok := Known(ip, name)
	if !ok {
		return p, nil
	}
	p["list"] = list
	return p, []string{CtxKnownNetwork}
}

func dest(ip netip.Addr, name string) string {
	if name != "" {
		return name
	}
	return ip.Unmap().String()
}

// DynamicDNS is net.domain.dynamic_dns: the name is under a free
// dynamic-DNS provider's domain (MISP's dynamic-DNS warning list). Anyone
// can get such a name in a minute, and spyware and stalkerware servers
// have used them.
func DynamicDNS(name string) *rules.Finding {
	name = cleanName(name)
	if name == "" {
		return nil
	}
	m, ok := warninglists.Domain(warninglists.DynamicDNS, name)
	if !ok || m.Entry == name || name == "www."+m.Entry {
		// The provider's own site (duckdns.org, www.duckdns.org) is not
		// a name it handed out.
		return nil
	}
	f := rules.NetDomainDynamicDNS.New(rules.Params{"name": name, "provider": m.Entry})
	return &f
}

// freeEndings were given away for free (Freenom) and filled with
// throwaway domains; an ordinary service rarely lives there.
var freeEndings = map[string]bool{"tk": true, "ml": true, "ga": true, "cf": true, "gq": true}

// SuspiciousEnding is net.domain.suspicious_ending: a name on an ending
// that was given away for free, or a machine-generated name on a cheap
// ending (the link rule link.host.random_cheap, applied to a name the phone
// looked up or contacted).
func SuspiciousEnding(name string) *rules.Finding {
	name = cleanName(name)
	if name == "" || strings.IndexByte(name, '.') < 0 {
		return nil
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return nil
	}
	if _, ok := warninglists.Domain(warninglists.Infrastructure, name); ok {
		return nil
	}
	suffix, icann := publicsuffix.PublicSuffix(name)
	if !icann || suffix == name {
		return nil
	}
	ending := suffix[strings.LastIndexByte(suffix, '.')+1:]
	for _, lf := range links.CheckLink("https://" + name + "/") {
		if lf.Rule == "link.host.random_cheap" {
			f := rules.NetDomainSuspiciousEnding.New(rules.Params{"name": name, "ending": ending}, "random")
			return &f
		}
	}
	if freeEndings[ending] {
		f := rules.NetDomainSuspiciousEnding.New(rules.Params{"name": name, "ending": ending})
		return &f
	}
	return nil
}

// cleanName is the form names are judged in: lower case, no trailing dot.
func cleanName(name string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
}

// knownResolvers are the DNS-over-HTTPS and DNS-over-TLS names of the
// large public resolvers and of the phones' own (as their providers
// document them). MISP's public-DNS host list holds most resolvers by
// their reverse names, not these service names.
var knownResolvers = map[string]bool{
	"dns.google": true, "dns64.dns.google": true, "8888.google": true,
	"cloudflare-dns.com": true, "one.one.one.one": true, "1dot1dot1dot1.cloudflare-dns.com": true,
	"mozilla.cloudflare-dns.com": true, "chrome.cloudflare-dns.com": true, "security.cloudflare-dns.com": true,
	"family.cloudflare-dns.com": true,
	"dns.quad9.net":             true, "dns9.quad9.net": true, "dns10.quad9.net": true, "dns11.quad9.net": true,
	"doh.opendns.com": true, "dns.opendns.com": true, "doh.familyshield.opendns.com": true,
	"dns.nextdns.io": true, "dns.adguard-dns.com": true, "dns.adguard.com": true, "dns-family.adguard.com": true,
	"unfiltered.adguard-dns.com": true, "family.adguard-dns.com": true,
	"doh.cleanbrowsing.org": true, "dns.mullvad.net": true, "adblock.dns.mullvad.net": true,
	"doh.dns.apple.com": true, "doh.dns.apple.com.v.aaplimg.com": true,
	"dns.controld.com": true, "freedns.controld.com": true, "doh.libredns.gr": true,
}

// KnownResolver says whether a DNS resolver, by name or address, is a
// known public one.
func KnownResolver(host string, ip netip.Addr) bool {
	host = cleanName(host)
	if host != "" {
		if knownResolvers[host] || strings.HasSuffix(host, ".dns.nextdns.io") || strings.HasSuffix(host, ".dns.controld.com") {
			return true
		}
		if _, ok := warninglists.Domain(warninglists.PublicDNS, host); ok {
			return true
		}
	}
	_, ok := warninglists.IP(warninglists.PublicDNS, ip)
	return ok
}

// resolverLabels are first labels that name a DNS service.
var resolverLabels = map[string]bool{"doh": true, "dns": true, "dot": true, "resolver": true, "dns-over-https": true, "secure-dns": true}

// EncryptedDNS says whether a connection carries DNS over an encrypted
// channel, and how: DNS over TLS or QUIC (port 853), or DNS over HTTPS to
// a resolver known by name or named like one (doh.…, dns.…).
func EncryptedDNS(host string, ip netip.Addr, port uint16, proto string) (via string, ok bool) {
	if port == 853 {
		if strings.EqualFold(proto, "udp") {
			return "DoQ", true
		}
		return "DoT", true
	}
	if port != 443 {
		return "", false
	}
	host = cleanName(host)
	if host == "" {
		return "", false
	}
	if knownResolvers[host] || strings.HasSuffix(host, ".dns.nextdns.io") {
		return "DoH", true
	}
	// A first label naming a DNS service under a site (doh.example.net),
	// not a site whose own name is that word (dns.com, dot.gov: their web
	// pages, as the popular-domains test found).
	first, _, _ := strings.Cut(host, ".")
	if site, err := publicsuffix.EffectiveTLDPlusOne(host); resolverLabels[first] && err == nil && site != host {
		return "DoH", true
	}
	return "", false
}

// EncryptedResolver is net.dns.encrypted_known or net.dns.encrypted_unknown
// for a connection EncryptedDNS recognised: DNS sent encrypted hides the
// names the phone looks up from this capture. To a known public resolver
// it is a note (phones and browsers do it by themselves); to a resolver
// nobody knows it is a lead, as spyware can hide its lookups that way. A
// resolver on the phone's own network is left alone.
func EncryptedResolver(host string, ip netip.Addr, port uint16, via string) *rules.Finding {
	if ip.IsValid() && !Routable(ip) {
		return nil
	}
	p := rules.Params{"resolver": dest(ip, cleanName(host)), "via": via, "port": strconv.Itoa(int(port))}
	if ip.IsValid() {
		p["ip"] = ip.Unmap().String()
	}
	if KnownResolver(host, ip) {
		f := rules.NetDNSEncryptedKnown.New(p)
		return &f
	}
	f := rules.NetDNSEncryptedUnknown.New(p)
	return &f
}

// SuricataAlert is net.suricata.alert: a Suricata signature matched the
// traffic. Its severity follows the signature's priority (1 highest) and
// its class: signatures of trojans and command-and-control traffic weigh
// most.
func SuricataAlert(sid int64, signature, category string, priority int) *rules.Finding {
	if sid == 0 && signature == "" {
		return nil
	}
	var ctx []string
	switch priority {
	case 1:
		ctx = append(ctx, "priority_high")
	case 3, 4:
		ctx = append(ctx, "priority_low")
	}
	if malwareClass(signature, category) {
		ctx = append(ctx, "malware_class")
	}
	f := rules.NetSuricataAlert.New(rules.Params{"sid": strconv.FormatInt(sid, 10), "signature": clip.String(signature, 200), "category": clip.String(category, 100)}, ctx...)
	return &f
}

// malwareClass says whether a signature's class or name says trojan,
// malware, spyware or command-and-control (Emerging Threats and Suricata's
// classification.config words).
func malwareClass(signature, category string) bool {
	c := strings.ToLower(category)
	for _, w := range []string{"trojan", "command and control", "malware", "spyware"} {
		if strings.Contains(c, w) {
			return true
		}
	}
	s := strings.ToUpper(signature)
	for _, w := range []string{"ET MALWARE", "ET TROJAN", "ET MOBILE_MALWARE", "ET CNC", "SPYWARE", "STALKERWARE"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
