package phoneexport

import (
	"path"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// A Safari export (Settings → Apps → Safari → Export Browsing Data) is a zip
// of Bookmarks.html, Passwords.csv, PaymentCards.json and, per Safari
// profile, History.json and Extensions.json (a profile's name is added to
// its file names). Safari names the files in the phone's language; these
// are the English names, the only ones Apple documents.
//
// huella opens only the files on the allow list (the history and the list
// of extensions, which hold no secret). Every other file of the export is
// never opened: not to detect it, not to read it, not to hash it. The deny
// list below is a second line for the other detectors: a folder or zip
// holding a file named like a password or payment-card file is taken for a
// Safari export, so no detector that sniffs content ever opens it.

// safariAllowed are the prefixes of the files huella reads, all JSON.
var safariAllowed = []string{"history", "extensions"}

// safariNames are the prefixes and extensions of every file Safari's export
// holds, in English.
var safariNames = map[string]string{
	"history": ".json", "extensions": ".json", "bookmarks": ".html",
	"passwords": ".csv", "paymentcards": ".json", "creditcards": ".json",
}

// secretWords are words for "password" and "payment card" in the languages
// Safari's export may be named in, folded (lower case, no accents, no
// spaces, dashes or underscores). A name holding one is never opened by any
// detector, whatever the evidence turns out to be.
var secretWords = []string{
	"password", "passwort", "contrasena", "motdepasse", "motsdepasse", "senha", "wachtwoord", "losenord",
	"adgangskode", "passord", "haslo", "hasla", "пароль", "密码", "密碼", "パスワード", "비밀번호", "sifre", "kennwort",
	"paymentcard", "creditcard", "card", "tarjeta", "carte", "karte", "cartao", "cartoes", "kaart", "betalkort",
	"карт", "支付卡", "信用卡", "カード", "카드",
}

// fold lowers a name, drops accents and the separators people and
// localisations put between words.
func fold(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		switch {
		case r >= 0x300 && r <= 0x36f: // combining accents
		case r == ' ' || r == '_' || r == '-' || r == '.':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Secret says whether a file, by its name alone, may hold passwords or
// payment cards: any CSV file (Safari's passwords are a CSV whatever their
// localised name), and any JSON file whose name has a word for password or
// card (the payment cards). Such a file is never opened.
func Secret(name string) bool {
	base := path.Base(name)
	ext := strings.ToLower(path.Ext(base))
	if ext == ".csv" {
		return true
	}
	if ext != ".json" {
		return false
	}
	f := fold(strings.TrimSuffix(base, path.Ext(base)))
	for _, w := range secretWords {
		if strings.Contains(f, w) {
			return true
		}
	}
	return false
}

// SafariAllowed says whether huella may open a file of a Safari export: the
// history and the extensions of each profile (History*.json,
// Extensions*.json), and nothing whose name says it may hold a secret.
func SafariAllowed(name string) bool {
	base := strings.ToLower(path.Base(name))
	if Secret(base) || path.Ext(base) != ".json" {
		return false
	}
	for _, p := range safariAllowed {
		if strings.HasPrefix(base, p) {
			return true
		}
	}
	return false
}

// safariName says whether a file is named as Safari's export names one of
// its files, in English.
func safariName(name string) bool {
	base := strings.ToLower(path.Base(name))
	for p, ext := range safariNames {
		if strings.HasPrefix(base, p) && path.Ext(base) == ext {
			return true
		}
	}
	return false
}

// NeverRead is the Evidence.NeverRead of a Safari export: every file that
// is not on the allow list, plus macOS's resource forks beside them.
func NeverRead(rel string) bool { return !SafariAllowed(rel) }
