// Package safariexport is the ios.safari_export module: the browsing
// history in the zip an iPhone owner makes with Settings → Apps → Safari →
// Export Browsing Data (iOS 18.2 and later), with no computer. It holds
// every page Safari visited over the period the person chose, to the
// microsecond, with the redirects between them: an infection link opened,
// or a network injection (a plain-HTTP page sent on to another site in
// under a second), shows there as in History.db. The export's Passwords.csv
// and PaymentCards.json are never opened: the evidence tree does not even
// show them (internal/source/phoneexport).
package safariexport

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths: each Safari profile's history and extensions (the profile's name
// follows the word), in the export's root.
var Paths = []string{"History*.json", "Extensions*.json"}

// other spellings of the same names, from someone who renamed the files.
var caseless = []string{"[Hh][Ii][Ss][Tt][Oo][Rr][Yy]*.[Jj][Ss][Oo][Nn]", "[Ee][Xx][Tt][Ee][Nn][Ss][Ii][Oo][Nn][Ss]*.[Jj][Ss][Oo][Nn]"}

// maxIndexed bounds the redirect index (a real history is far smaller).
const maxIndexed = 5_000_000

// Def is the ios.safari_export module.
func Def() module.Def {
	return module.New("ios.safari_export", "Safari's exported browsing history (Export Browsing Data): pages visited, redirects between them, and Safari extensions; passwords and payment cards are never opened.", source.IOSSafariExport).
		Reads(Paths, run)
}
