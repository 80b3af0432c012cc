package links

import "strings"

// Domain is the registered domain of a link (its host when it has none),
// for texts.
func Domain(l string) string {
	p, ok := parseLink(l)
	if !ok {
		return ""
	}
	if p.registered != "" {
		return p.registered
	}
	return p.host
}

// LureDomain returns the link's registered domain when its name is shaped
// like a lure's: hyphenated words (ideas-telcel, shipment-status,
// aviso-entrega) or a word lures use (secure, verify, cuenta, entrega).
// Ordinary sites use such names too, which is why this only raises a
// lure-themed message from someone not in the contacts, and only to medium.
func LureDomain(l string) string {
	p, ok := parseLink(l)
	if !ok || p.ip || p.label == "" {
		return ""
	}
	if strings.Contains(p.label, "-") || hasLureWord(p.label) {
		return p.registered
	}
	return ""
}

// lureWords are words that lure domains put next to a brand or alone:
// account and security notices, delivery, payment and news. Words of five
// letters or more count anywhere in a label (securelogin); shorter ones
// only as a whole hyphen-separated part (fb-login, sms-info).
var lureWords = []string{
	"account", "accounts", "login", "signin", "secure", "security", "verify", "verification", "verified", "update",
	"support", "helpdesk", "service", "services", "alert", "alerts", "notice", "notification", "tracking", "track",
	"delivery", "package", "parcel", "shipment", "status", "payment", "billing", "wallet", "confirm", "unlock",
	"recover", "recovery", "reset", "password", "redirect", "loading", "validate", "validation", "official",
	"cuenta", "cuentas", "seguridad", "seguro", "verificar", "verificacion", "acceso", "soporte", "ayuda", "aviso",
	"avisos", "alerta", "entrega", "envio", "envios", "paquete", "paqueteria", "rastreo", "pago", "pagos", "factura",
	"multa", "banca", "bancaria", "noticias", "noticia", "mensaje", "mensajes", "sms", "info", "login", "id", "auth",
	"pay", "news", "url", "link", "web", "online", "movil", "app",
}

var lureWordSet = toSet(lureWords)

// hasLureWord says whether a domain label (or part of one) carries a lure
// word.
func hasLureWord(label string) bool {
	label = strings.ToLower(label)
	for _, part := range strings.FieldsFunc(label, func(r rune) bool { return r == '-' || r == '.' || r >= '0' && r <= '9' }) {
		if _, ok := lureWordSet[part]; ok {
			return true
		}
		for _, w := range lureWords {
			if len(w) >= 5 && strings.Contains(part, w) {
				return true
			}
		}
	}
	return false
}
