package androidqf

import (
	"context"
	"io/fs"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/coverage"
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
// BugreportMount. Problems become gaps: the rest of the acquisition is
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
			g, ok := source.RefusalGap(err)
			if !ok {
				g = coverage.Gap{Part: name, Cause: coverage.Unreadable, Detail: "cannot copy it out of the archive: " + err.Error()}
			}
			g.Part = name
			ev.NotChecked(g)
			return
		}
		zipPath = p
	}
	z, c, err := archive.OpenZipLimits(zipPath, opts.Limits)
	if err != nil {
		ev.NotChecked(coverage.Gap{Part: name, Cause: coverage.Unreadable, Detail: "not a readable zip: " + err.Error()})
		return
	}
	ev.OnClose(c.Close)
	ev.RefusedEntries(name, z.Refused)
	fsys := bugreportRoot(z)
	main := bugreportMain(fsys)
	if main == "" {
		ev.NotChecked(coverage.Gap{Part: name, Cause: coverage.Unreadable, Detail: "holds no main_entry.txt or dumpstate file, so its bug report"})
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
