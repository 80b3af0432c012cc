// Package uuidtext is the ios.uuidtext module: the uuidtext files of the
// sysdiagnose's log archive (system_logs.logarchive/XX/YYYY..., named by a
// binary's UUID). Every binary that ever wrote to the unified log has one,
// and its footer gives the binary's path, so the list is a record of what
// ran on the phone over the log's life, readable without decoding the
// binary logs.
package uuidtext

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Paths: the two-character folders of the log archive hold only
// uuidtext files (the others are named Persist, Special, dsc, timesync...).
var Paths = []string{"system_logs.logarchive/??/*", "**/system_logs.logarchive/??/*"}

var limit = evfile.Limit{Kind: "uuidtext file", Max: 64 << 20}

// maxFiles bounds the records of hostile evidence full of tiny files.
const maxFiles = 200_000

// Def is the ios.uuidtext module.
func Def() module.Def {
	return module.Sysdiagnose("ios.uuidtext", "Binaries that wrote to the unified log, from the footers of the log archive's uuidtext files.").
		Reads(Paths, run)
}
