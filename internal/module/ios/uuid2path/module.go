// Package uuid2path is the ios.binary_locations module:
// logs/tailspindb/UUIDToBinaryLocations, the plist tailspin keeps to turn
// the UUID of every binary it has sampled into that binary's path. It is a
// list of what ran on the phone, implants included, kept after they exit.
package uuid2path

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// A sysdiagnose copies it to logs/tailspindb; a file-system dump holds it
// at private/var/db/spindump (a real iOS 15 image's file list).
var Paths = []string{"logs/tailspindb/UUIDToBinaryLocations", "**/tailspindb/UUIDToBinaryLocations", "private/var/db/spindump/UUIDToBinaryLocations"}

var limit = evfile.Limit{Kind: "UUIDToBinaryLocations", Max: 128 << 20}

// Def is the ios.binary_locations module.
func Def() module.Def {
	return module.Sysdiagnose("ios.binary_locations", "Paths of the binaries tailspin sampled, by UUID (logs/tailspindb/UUIDToBinaryLocations).", source.IOSFS).
		Reads(Paths, run)
}
