// Package sysps is the ios.processes module: the process list a sysdiagnose
// captured (ps.txt, ps_thread.txt). It is the only live view of what ran on
// the phone, so an implant that left no file behind can still show here.
package sysps

import (
	"github.com/huella-project/huella/internal/module"
)

var Paths = []string{"ps.txt", "ps_thread.txt", "**/ps.txt", "**/ps_thread.txt"}

// Def is the ios.processes module.
func Def() module.Def {
	return module.Sysdiagnose("ios.processes", "Processes running when the sysdiagnose was taken (ps.txt, ps_thread.txt), and processes running from unusual folders.").
		Reads(Paths, run)
}
