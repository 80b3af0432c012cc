package androidqf

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
)

// BugreportMount is the folder under which the content of the acquisition's
// bug report zip appears ("bugreport.zip.d/main_entry.txt", ".../FS/...").
// The bugreport and dumpsys modules look there first on androidqf evidence,
// as MVT runs its bugreport modules on that zip.
const BugreportMount = "bugreport.zip.d"

// nestedBugreport names the bug report zip at the acquisition's root, or "".
func nestedBugreport(fsys fs.FS) string {
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return ""
	}
	for _, e := range ents {
		n := strings.ToLower(e.Name())
		if e.Type().IsRegular() && strings.Contains(n, "bugreport") && path.Ext(n) == ".zip" {
			return e.Name()
		}
	}
	return ""
}

// mountBugreport shows the acquisition's bug report zip under
// BugreportMount. Problems become notes: the rest of the acquisition is
// still worth checking.
func mountBugreport(ctx context.Context, ev *source.Evidence, opts Options) {
	name := nestedBugreport(ev.FS)
	if name == "" {
		return
	}
	zipPath, ok := localPath(ev.FS, name)
	if !ok {
		p, err := copyOut(ctx, ev, name, "bugreport.zip")
		if err != nil {
			ev.Note(fmt.Sprintf("%s: cannot copy out of the archive, its bug report was not checked: %v", name, err))
			return
		}
		zipPath = p
	}
	z, c, err := archive.OpenZipLimits(zipPath, opts.Limits)
	if err != nil {
		ev.Note(fmt.Sprintf("%s is not a readable zip, its bug report was not checked: %v", name, err))
		return
	}
	ev.OnClose(c.Close)
	for _, r := range z.Refused {
		ev.Note(name + ": " + r)
	}
	var fsys fs.FS = z
	if !DetectBugreport(fsys) {
		if sub := archive.StripTopDir(fsys); sub != fsys && DetectBugreport(sub) {
			fsys = sub
		}
	}
	main := bugreportMain(fsys)
	if main == "" {
		ev.Note(name + " holds no main_entry.txt or dumpstate file: its bug report was not checked")
		return
	}
	setExtra(&ev.Device, "bugreport_main", BugreportMount+"/"+main)
	if f, err := evfile.Open(fsys, main, evfile.Stream); err == nil {
		applyProps(&ev.Device, PropMap(systemProperties(f)))
		f.Close()
	} else {
		ev.NoteRefusal(err)
	}
	ev.FS = &mountFS{base: ev.FS, name: BugreportMount, sub: fsys}
}
