package links

import "strings"

// shortenerDomains are public link shorteners: services that redirect to any
// address their user chooses, so the real destination of a link cannot be
// known without opening it, which huella never does. Compiled from the
// shorteners' own sites and common public lists; not copied from MVT.
//
// Services that only redirect inside their own platform (youtu.be, wa.me,
// t.me, amzn.to, apple.co) are left out on purpose: their destination is
// known, and flagging them would bury real leads under everyday links.
var shortenerDomains = []string{
	"1url.com", "adf.ly", "bc.vc", "bit.do", "bit.ly", "bitly.com", "bl.ink",
	"buff.ly", "cli.gs", "clck.ru", "cutt.ly", "cutt.us", "dlvr.it", "goo.gl",
	"goo.su", "han.gl", "ht.ly", "hubs.la", "hubs.ly", "ift.tt", "is.gd",
	"j.mp", "lc.cx", "lnkd.in", "mcaf.ee", "ow.ly", "po.st", "ppt.cc",
	"qr.ae", "qrco.de", "rb.gy", "rebrand.ly", "reurl.cc", "rotf.lol",
	"s.id", "short.gy", "shorte.st", "shorturl.at", "shrtco.de", "snip.ly",
	"soo.gd", "su.pr", "surl.li", "t.co", "t.ly", "tiny.cc", "tiny.one",
	"tinyurl.com", "tr.im", "trib.al", "u.to", "ur1.ca", "urlz.fr", "v.gd",
	"v.ht", "vk.cc", "wp.me", "x.co", "zpr.io",
}

var shortenerSet = toSet(shortenerDomains)

func toSet(list []string) map[string]struct{} {
	m := make(map[string]struct{}, len(list))
	for _, s := range list {
		m[s] = struct{}{}
	}
	return m
}

// shortenerOf returns the shortener domain host belongs to (the host itself
// or a parent), or "" when it is not a shortener.
func shortenerOf(host, path string) string {
	for h := host; h != ""; h = parentDomain(h) {
		if _, ok := shortenerSet[h]; ok {
			if isMapsShareLink(host, h, path) {
				return ""
			}
			return h
		}
	}
	return ""
}

// goo.gl stopped shortening arbitrary links in 2019 but still serves Google
// Maps share links, which are everywhere in ordinary chats and only ever
// open Maps.
func isMapsShareLink(host, shortener, path string) bool {
	if shortener != "goo.gl" {
		return false
	}
	return host == "maps.app.goo.gl" || strings.HasPrefix(path, "/maps/") || path == "/maps"
}

func parentDomain(h string) string {
	for i := 0; i < len(h); i++ {
		if h[i] == '.' {
			return h[i+1:]
		}
	}
	return ""
}
