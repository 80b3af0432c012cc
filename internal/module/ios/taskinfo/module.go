// Package taskinfo is the ios.taskinfo module: taskinfo.txt, the kernel's
// list of every task when the sysdiagnose was taken, with how long each
// had been running. It names processes ps.txt can miss and dates their
// start.
package taskinfo

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Paths are where the module looks for its artifact.
var Paths = []string{"taskinfo.txt", "**/taskinfo.txt"}

var limit = evfile.Limit{Kind: "task listing", Max: 1 << 30}

// Def is the ios.taskinfo module.
func Def() module.Def {
	return module.Sysdiagnose("ios.taskinfo", "Every task the kernel listed when the sysdiagnose was taken (taskinfo.txt), with when each started.").
		Reads(Paths, run)
}
