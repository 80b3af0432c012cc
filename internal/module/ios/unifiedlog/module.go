// Package unifiedlog is the ios.unified_log module: an export of the
// phone's unified log as JSON lines. huella does not decode the binary log
// archive (tracev3) itself; an analyst with a Mac runs `log show --archive
// system_logs.logarchive --style ndjson`, or anyone runs Mandiant's
// unifiedlog tool, and hands huella the result (on its own, or beside the
// sysdiagnose). Every process and library that logged becomes a record
// with its first and last entry, matched against process and file-path
// indicators and the staging-folder rules; every host named in a message
// becomes a record matched against domain indicators.
package unifiedlog

import (
	"slices"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Where an export can be: anywhere in a sysdiagnose folder it was put
// beside (JSON-lines files, recognised by content), or the evidence itself.
var (
	sysdiagnosePatterns = []string{"*.ndjson", "*.jsonl", "**/*.ndjson", "**/*.jsonl"}
	exportPatterns      = []string{"**"}
)

var limit = evfile.Limit{Kind: "unified-log export", Max: 64 << 30}

// Bounds on what is kept: one record per distinct binary and per host.
const (
	maxBinaries = 200_000
	maxHosts    = 200_000
)

// Def is the ios.unified_log module.
func Def() module.Def {
	return module.New("ios.unified_log", "Processes and libraries that wrote to the unified log, and hosts named in its messages, from a JSON-lines export (log show --style ndjson, or Mandiant's unifiedlog tool).", source.IOSUnifiedLog, source.IOSSysdiagnose).
		Reads(slices.Concat(sysdiagnosePatterns, exportPatterns), run)
}
