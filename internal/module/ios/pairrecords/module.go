// Package pairrecords is the ios.pairing_records module: the pair records
// a file-system dump holds (private/var/root/Library/Lockdown/pair_records,
// one plist per trusted computer, named by its host id). Each is a
// computer the phone trusts; the file's time is when the pairing was made
// or last renewed.
package pairrecords

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Paths are where the module looks for its artifact.
var Paths = []string{"private/var/root/Library/Lockdown/pair_records/*.plist"}

var limit = evfile.Limit{Kind: "pair record", Max: 4 << 20}

// Def is the ios.pairing_records module.
func Def() module.Def {
	return module.New("ios.pairing_records", "Computers the phone trusts (Lockdown pair records of a file-system dump), with when each pairing was made.", source.IOSFS).
		Reads(Paths, run)
}
