// Package spindump is the ios.spindump module: spindump-nosymbols.txt, the
// stack sample every sysdiagnose takes of all running processes. It names
// more processes than ps.txt (each with its path, parent and how long it
// had run), and lists the binary images each had loaded, so an implant
// running under a borrowed name or a library loaded from an odd folder
// shows here.
package spindump

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Paths: at the archive's top, or deeper in a re-packed one.
var Paths = []string{"spindump-nosymbols.txt", "**/spindump-nosymbols.txt"}

var limit = evfile.Limit{Kind: "spindump", Max: 1 << 30}

// Def is the ios.spindump module.
func Def() module.Def {
	return module.Sysdiagnose("ios.spindump", "Processes the sysdiagnose's spindump sampled (spindump-nosymbols.txt): names, paths, parents, start times and libraries loaded from unusual folders.").
		Reads(Paths, run)
}
