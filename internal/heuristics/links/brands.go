package links

import "github.com/huella-project/huella/internal/heuristics/textfold"

// brand is a name attackers imitate in lure links: messengers and platforms,
// shorteners, news outlets, telcos, banks and couriers. The Mexican and
// Latin American entries come from the Pegasus-in-Mexico lures (Citizen Lab,
// 2016-2019), which imitated UnoTV, Proceso, Telcel, Iusacell and banks;
// the Greek and Egyptian news sites from the Predator campaigns.
type brand struct {
	name    string   // what a person recognises, used in reasons
	tokens  []string // domain labels an impostor imitates, lower-case ASCII
	domains []string // official registered domains (eTLD+1)
	// global brands use their bare name on many country domains, so
	// apple.de or amazon.com.mx is not suspicious by itself.
	global bool
	// word brands are ordinary dictionary words (claro, proceso, signal):
	// only homoglyph spellings and odd endings count, never near spellings.
	word bool
	// contain brands are distinctive enough that a label merely containing
	// the name (whatsappverify) is worth a look.
	contain bool
}

var brands = []brand{
	// Platforms and messengers.
	{name: "Apple", tokens: []string{"apple", "appleid"}, domains: []string{"apple.com", "apple.news", "apple.co", "mzstatic.com", "cdn-apple.com", "apple-dns.net", "apple-dns.cn",
		"apple-cloudkit.com", "apple-mapkit.com", "apple-livephotoskit.com", "appleid.com", "apple.com.cn", "applemusic.com", "itunes.com"}, global: true},
	{name: "iCloud", tokens: []string{"icloud"}, domains: []string{"icloud.com", "me.com", "mac.com", "icloud-content.com", "icloud.com.cn", "icloud-content.com.cn"}, contain: true},
	{name: "Google", tokens: []string{"google", "gmail"}, domains: []string{"google.com", "gmail.com", "googleapis.com", "gstatic.com", "googleusercontent.com", "google-analytics.com", "googletagmanager.com", "googlevideo.com", "withgoogle.com", "g.co", "goo.gl",
		"googleadservices.com", "googlesyndication.com", "google.dev", "googleblog.com", "googledrive.com", "googlemail.com",
		"google-melange.com", "googletagservices.com", "googleoptimize.com", "googlesource.com", "googlezip.net", "gvt1.com", "gvt2.com"}, global: true},
	{name: "YouTube", tokens: []string{"youtube"}, domains: []string{"youtube.com", "youtu.be", "ytimg.com", "youtube-nocookie.com", "youtubekids.com", "youtube-ui.l.google.com"}, global: true},
	{name: "Facebook", tokens: []string{"facebook", "fb"}, domains: []string{"facebook.com", "fb.com", "fb.me", "fb.watch", "fbcdn.net", "facebook.net", "facebookbrand.com", "meta.com", "fbsbx.com", "facebook-hardware.com"}, global: true},
	{name: "Instagram", tokens: []string{"instagram"}, domains: []string{"instagram.com", "instagr.am", "cdninstagram.com", "ig.me"}, contain: true},
	{name: "WhatsApp", tokens: []string{"whatsapp"}, domains: []string{"whatsapp.com", "whatsapp.net", "wa.me", "whatsapp.biz"}, contain: true},
	{name: "Telegram", tokens: []string{"telegram"}, domains: []string{"telegram.org", "t.me", "telegram.me", "telegra.ph", "telesco.pe", "tdesktop.com"}, contain: true},
	{name: "Signal", tokens: []string{"signal"}, domains: []string{"signal.org", "signal.me", "signal.group"}, word: true},
	{name: "Twitter / X", tokens: []string{"twitter"}, domains: []string{"twitter.com", "x.com", "twimg.com", "t.co", "ads-twitter.com", "twttr.com"}, global: true},
	{name: "LinkedIn", tokens: []string{"linkedin"}, domains: []string{"linkedin.com", "lnkd.in", "licdn.com", "linkedin.cn"}, contain: true},
	{name: "Microsoft", tokens: []string{"microsoft", "outlook", "office365", "hotmail"}, domains: []string{"microsoft.com", "live.com", "outlook.com", "office.com", "office365.com", "hotmail.com", "microsoftonline.com", "msn.com", "1drv.ms", "sharepoint.com", "onedrive.com", "onmicrosoft.com", "s-microsoft.com",
		"microsoft365.com", "office.net", "outlook.office365.com", "msedge.net", "fb-t-msedge.net", "microsoftstore.com", "hotmail.co.uk"}, global: true},
	{name: "Netflix", tokens: []string{"netflix"}, domains: []string{"netflix.com", "netflix.net", "nflxext.com", "nflximg.net", "nflxvideo.net", "nflxso.net", "nflximg.com"}, global: true, contain: true},
	{name: "Amazon", tokens: []string{"amazon"}, domains: []string{"amazon.com", "amzn.to", "amazon.com.mx", "media-amazon.com", "amazon-adsystem.com", "ssl-images-amazon.com",
		"amazonaws.com", "amazontrust.com", "amazon.dev", "amazonvideo.com", "amazon.co.uk", "amazon.co.jp", "amazon.com.br"}, global: true},
	{name: "PayPal", tokens: []string{"paypal"}, domains: []string{"paypal.com", "paypal.me", "paypalobjects.com", "paypal-community.com", "paypal-dynamic.com"}, global: true, contain: true},
	{name: "Dropbox", tokens: []string{"dropbox"}, domains: []string{"dropbox.com", "db.tt", "dropboxusercontent.com", "dropbox-dns.com", "dropboxapi.com", "dropboxstatic.com"}},
	{name: "TikTok", tokens: []string{"tiktok"}, domains: []string{"tiktok.com", "tiktokcdn.com", "tiktokv.com", "tiktokv.us", "tiktokv.eu", "tiktokw.us", "tiktokw.eu",
		"tiktokcdn-us.com", "tiktokcdn-eu.com", "tiktok.us", "tiktokd.net", "tiktokd.org", "tiktokrow-cdn.com", "ttwstatic.com"}, global: true},
	{name: "Snapchat", tokens: []string{"snapchat"}, domains: []string{"snapchat.com", "snap.com", "sc-cdn.net", "snapkit.com"}},
	{name: "GitHub", tokens: []string{"github"}, domains: []string{"github.com", "github.io", "githubusercontent.com", "githubassets.com", "github.dev", "githubapp.com"}},

	// Shorteners: the Predator campaigns registered typosquats of them
	// (bit-ly.link, bitly.live, bbitly.com, bityl.me).
	{name: "Bitly", tokens: []string{"bitly"}, domains: []string{"bit.ly", "bitly.com", "j.mp"}},
	{name: "TinyURL", tokens: []string{"tinyurl"}, domains: []string{"tinyurl.com", "tiny.one"}, contain: true},
	{name: "Cuttly", tokens: []string{"cuttly"}, domains: []string{"cutt.ly"}},
	{name: "Rebrandly", tokens: []string{"rebrandly"}, domains: []string{"rebrand.ly", "rebrandly.com"}},
	{name: "ShortURL", tokens: []string{"shorturl"}, domains: []string{"shorturl.at"}},

	// Mexican and Latin American news.
	{name: "UnoTV", tokens: []string{"unotv"}, domains: []string{"unotv.com"}},
	{name: "Aristegui Noticias", tokens: []string{"aristegui", "aristeguinoticias"}, domains: []string{"aristeguinoticias.com"}, contain: true},
	{name: "Proceso", tokens: []string{"proceso"}, domains: []string{"proceso.com.mx"}, word: true},
	{name: "Animal Político", tokens: []string{"animalpolitico"}, domains: []string{"animalpolitico.com"}},
	{name: "El Universal", tokens: []string{"eluniversal"}, domains: []string{"eluniversal.com.mx", "eluniversal.com"}},
	{name: "Milenio", tokens: []string{"milenio"}, domains: []string{"milenio.com"}},
	{name: "Reforma", tokens: []string{"reforma"}, domains: []string{"reforma.com"}, word: true},
	{name: "La Jornada", tokens: []string{"jornada", "lajornada"}, domains: []string{"jornada.com.mx", "unam.mx"}, word: true},
	{name: "Excélsior", tokens: []string{"excelsior"}, domains: []string{"excelsior.com.mx"}},
	{name: "El Financiero", tokens: []string{"elfinanciero"}, domains: []string{"elfinanciero.com.mx"}},
	{name: "Televisa", tokens: []string{"televisa", "nmas"}, domains: []string{"televisa.com", "nmas.com.mx"}},
	{name: "TV Azteca", tokens: []string{"tvazteca", "aztecanoticias"}, domains: []string{"tvazteca.com"}},
	{name: "SinEmbargo", tokens: []string{"sinembargo"}, domains: []string{"sinembargo.mx"}},
	{name: "Ríodoce", tokens: []string{"riodoce"}, domains: []string{"riodoce.mx"}},
	{name: "El País", tokens: []string{"elpais"}, domains: []string{"elpais.com", "elpais.es"}},
	{name: "Infobae", tokens: []string{"infobae"}, domains: []string{"infobae.com"}},
	{name: "Clarín", tokens: []string{"clarin"}, domains: []string{"clarin.com"}},
	{name: "La Nación", tokens: []string{"lanacion"}, domains: []string{"lanacion.com.ar", "nacion.com"}},
	{name: "El Tiempo", tokens: []string{"eltiempo"}, domains: []string{"eltiempo.com"}},
	{name: "El Faro", tokens: []string{"elfaro"}, domains: []string{"elfaro.net"}},
	{name: "El Universo", tokens: []string{"eluniverso"}, domains: []string{"eluniverso.com"}},
	// International news.
	{name: "CNN", tokens: []string{"cnn", "cnnespanol"}, domains: []string{"cnn.com", "cnn.it", "cnnespanol.com", "cnn.io"}},
	{name: "BBC", tokens: []string{"bbc"}, domains: []string{"bbc.com", "bbc.co.uk", "bbci.co.uk", "bbc.in", "bbc.org"}},
	{name: "The New York Times", tokens: []string{"nytimes"}, domains: []string{"nytimes.com", "nyti.ms", "nyt.com"}},
	{name: "Reuters", tokens: []string{"reuters"}, domains: []string{"reuters.com", "reut.rs"}},
	{name: "The Guardian", tokens: []string{"theguardian"}, domains: []string{"theguardian.com", "gu.com", "guim.co.uk"}},
	{name: "The Washington Post", tokens: []string{"washingtonpost"}, domains: []string{"washingtonpost.com", "wapo.st"}},
	{name: "Al Jazeera", tokens: []string{"aljazeera"}, domains: []string{"aljazeera.com", "aljazeera.net", "ajplus.net"}},
	{name: "Kathimerini", tokens: []string{"kathimerini"}, domains: []string{"kathimerini.gr", "kathimerini.com.cy"}},
	{name: "Efimerida ton Syntakton", tokens: []string{"efsyn"}, domains: []string{"efsyn.gr"}},
	{name: "Altsantiri", tokens: []string{"altsantiri"}, domains: []string{"altsantiri.gr"}},
	{name: "Al-Masry Al-Youm", tokens: []string{"almasryalyoum"}, domains: []string{"almasryalyoum.com"}},

	// Telcos.
	{name: "Telcel", tokens: []string{"telcel"}, domains: []string{"telcel.com", "telcel.com.mx"}, contain: true},
	{name: "Iusacell", tokens: []string{"iusacell"}, domains: []string{"iusacell.com.mx"}, contain: true},
	{name: "AT&T", tokens: []string{"att"}, domains: []string{"att.com", "att.com.mx", "att.net", "att-idns.net", "app-analytics-services-att.com", "att.tv", "attwireless.com"}},
	{name: "Movistar", tokens: []string{"movistar"}, domains: []string{"movistar.com", "movistar.com.mx", "movistar.es"}, global: true},
	{name: "Claro", tokens: []string{"claro"}, domains: []string{"claro.com", "claro.com.br", "claro.com.co"}, global: true, word: true},

	// Banks and payments.
	{name: "BBVA", tokens: []string{"bbva"}, domains: []string{"bbva.mx", "bbva.com", "bbva.es"}, global: true},
	{name: "Bancomer", tokens: []string{"bancomer"}, domains: []string{"bancomer.com"}, contain: true},
	{name: "Banorte", tokens: []string{"banorte"}, domains: []string{"banorte.com"}, contain: true},
	{name: "Citibanamex", tokens: []string{"banamex", "citibanamex"}, domains: []string{"banamex.com", "citibanamex.com"}, contain: true},
	{name: "Santander", tokens: []string{"santander"}, domains: []string{"santander.com", "santander.com.mx", "santander.es"}, global: true, contain: true},
	{name: "HSBC", tokens: []string{"hsbc"}, domains: []string{"hsbc.com", "hsbc.com.mx", "hsbc.co.uk"}, global: true},
	{name: "Scotiabank", tokens: []string{"scotiabank"}, domains: []string{"scotiabank.com", "scotiabank.com.mx"}, global: true},
	{name: "Banco Azteca", tokens: []string{"bancoazteca"}, domains: []string{"bancoazteca.com.mx"}},
	{name: "Mercado Pago", tokens: []string{"mercadopago"}, domains: []string{"mercadopago.com", "mercadopago.com.mx"}, global: true, contain: true},
	{name: "Mercado Libre", tokens: []string{"mercadolibre"}, domains: []string{"mercadolibre.com", "mercadolibre.com.mx", "mercadolivre.com.br", "mercadolivre.com", "mlstatic.com"}, global: true},
	{name: "Nubank", tokens: []string{"nubank"}, domains: []string{"nubank.com.br", "nu.com.mx"}, global: true},

	// Couriers and government services used as bait.
	{name: "DHL", tokens: []string{"dhl"}, domains: []string{"dhl.com", "dhl.com.mx", "dhl.de", "dhl.net", "dhl.es"}, global: true},
	{name: "FedEx", tokens: []string{"fedex"}, domains: []string{"fedex.com", "fedex.net"}, global: true},
	{name: "Estafeta", tokens: []string{"estafeta"}, domains: []string{"estafeta.com"}},
	{name: "Correos de México", tokens: []string{"correosdemexico"}, domains: []string{"correosdemexico.gob.mx"}},
	{name: "Aramex", tokens: []string{"aramex"}, domains: []string{"aramex.com"}},
	{name: "US Embassy", tokens: []string{"usembassy"}, domains: []string{"usembassy.gov", "state.gov"}},
	{name: "SAT (Mexican tax office)", tokens: []string{"sat"}, domains: []string{"sat.gob.mx"}, word: true},
}

// oddTLDs are endings a well-known organisation would not use for its own
// site, so its name there is an impostor. It includes the cheap endings
// throwaway attack domains favour.
var oddTLDs = toSet([]string{
	"app", "bid", "bio", "buzz", "cam", "center", "cf", "cfd", "click", "cloud",
	"club", "cyou", "date", "digital", "download", "email", "fit", "ga", "gq",
	"help", "host", "icu", "info", "life", "link", "live", "lol", "loan", "me",
	"ml", "monster", "network", "news", "online", "page", "party", "pro",
	"racing", "rest", "review", "sbs", "services", "shop", "site", "space",
	"store", "stream", "support", "tech", "tk", "today", "top", "trade", "vip",
	"website", "win", "work", "world", "ws", "xyz",
})

// cheapTLDs are the subset favoured for machine-generated throwaway domains.
var cheapTLDs = toSet([]string{
	"buzz", "cam", "cf", "cfd", "click", "club", "cyou", "ga", "gq", "icu",
	"info", "link", "live", "ml", "monster", "online", "rest", "sbs", "shop",
	"site", "store", "tk", "top", "vip", "website", "work", "xyz",
})

// nearBrandWords are ordinary names one letter away from a brand; matching
// them would flag everyday links.
var nearBrandWords = toSet([]string{
	"apply", "apples", "ample", "appel", "applied", "email", "mail", "cloud", "clarion", "bancomext",
})

type brandTarget struct {
	token string
	skel  string
	b     *brand
}

var (
	officialDomains = map[string]*brand{}
	brandTargets    []brandTarget
	targetBySkel    = map[string][]int{}
)

func init() {
	for i := range brands {
		b := &brands[i]
		for _, d := range b.domains {
			officialDomains[d] = b
		}
		for _, t := range b.tokens {
			targetBySkel[textfold.Skeleton(t)] = append(targetBySkel[textfold.Skeleton(t)], len(brandTargets))
			brandTargets = append(brandTargets, brandTarget{token: t, skel: textfold.Skeleton(t), b: b})
		}
	}
}

// maxEditDistance grows with the name: one slip in a short name already
// reaches ordinary words, two slips in a long one are still a close copy.
// Eight letters is still short: two slips turn telegram into telegraph and
// snapchat into snapcraft, ordinary names of popular sites.
func maxEditDistance(n int) int {
	switch {
	case n <= 4:
		return 0
	case n <= 8:
		return 1
	default:
		return 2
	}
}
