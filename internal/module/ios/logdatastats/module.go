// Package logdatastats is the ios.logdata_statistics module: the
// statistics logd keeps about its own log files
// (system_logs.logarchive/Extra/logdata.statistics.*.txt, and .jsonl from
// iOS 16.4). Each record lists, with a time, every process that wrote
// into one log file, so it is a dated list of the binaries that ran over
// the whole log window, readable without decoding the binary logs.
package logdatastats

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Paths are where the module looks for its artifact.
var Paths = []string{
	"system_logs.logarchive/Extra/logdata.statistics.*",
	"**/Extra/logdata.statistics.*",
}

var limit = evfile.Limit{Kind: "log statistics", Max: 1 << 30}

// maxProcesses bounds the distinct processes kept in memory.
const maxProcesses = 200_000

// Def is the ios.logdata_statistics module.
func Def() module.Def {
	return module.Sysdiagnose("ios.logdata_statistics", "Processes that wrote to the phone's logs, with the first and last time each did (logdata.statistics files of the log archive).").
		Reads(Paths, run)
}
