// Package filetree is the ios.filesystem module: every folder and file of a
// file-system dump, so path and file-name indicators (implant folders such
// as com.apple.xpc.roleaccountd.staging, dropped stage files) are matched
// and every modification time lands on the timeline.
//
// Each entry is one record with its path and a process observable for its
// own name: every component of every path is the name of some entry, so a
// process indicator equal to any path component is matched exactly once, on
// the folder or file that carries it. One stamp (file_modified) per entry is
// kept, as triangle-style correlation needs the quiet preference-file
// changes wherever they are; the timeline spills to disk. A dump's index
// (source.Tree, internal/source/fsdump) is walked from memory, streaming
// one record per entry; other file systems are walked with fs.WalkDir.
package filetree

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths: the whole tree.
var Paths = []string{"**"}

// Def is the ios.filesystem module.
func Def() module.Def {
	return module.New("ios.filesystem", "File tree of the dump: every folder and file path, with its modification time.", source.IOSFS).
		Reads(Paths, run)
}
