package androidqf

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
)

// DetectBugreport says whether fsys is the root of an Android bug report
// (the zip "adb bugreport" writes, or that zip unpacked).
func DetectBugreport(fsys fs.FS) bool {
	return bugreportMain(fsys) != ""
}

// bugreportRoot is where a bug report zip holds the report: at its root, or
// in the one folder at its top (a zip made of the unpacked folder).
func bugreportRoot(fsys fs.FS) fs.FS {
	if DetectBugreport(fsys) {
		return fsys
	}
	// StripTopDir gives fsys back when it has no one top folder: then no
	// report is found there either.
	if sub := archive.StripTopDir(fsys); DetectBugreport(sub) {
		return sub
	}
	return fsys
}

// bugreportMain names the main dumpstate text: the file main_entry.txt
// points at, else the first dumpstate-looking file at the root.
func bugreportMain(fsys fs.FS) string {
	if b, err := evfile.ReadFile(fsys, "main_entry.txt", evfile.Pointer); err == nil {
		name := strings.TrimSpace(string(b))
		if fs.ValidPath(name) {
			if fi, err := fs.Stat(fsys, name); err == nil && fi.Mode().IsRegular() {
				return name
			}
		}
	}
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return ""
	}
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() {
			continue
		}
		for _, pat := range []string{"bugreport-*.txt", "dumpstate*.txt", "dumpState_*.log"} {
			if ok, _ := path.Match(pat, n); ok {
				return n
			}
		}
	}
	return ""
}

// OpenBugreport opens a bug report zip or folder as android-bugreport.
func OpenBugreport(ctx context.Context, p string, opts Options) (*source.Evidence, error) {
	ev, err := openTree(ctx, p, source.Bugreport, opts, DetectBugreport)
	if err != nil {
		return nil, err
	}
	if !DetectBugreport(ev.FS) {
		// A zip or folder wrapping the bug report zip (phone.go).
		if err := unwrapBugreport(ctx, ev, opts); err != nil {
			return finish(ev, err)
		}
	}
	if err := finishBugreport(ev); err != nil {
		return finish(ev, err)
	}
	dumpstateTime(ev)
	return ev, nil
}

func finishBugreport(ev *source.Evidence) error {
	main := bugreportMain(ev.FS)
	if main == "" {
		return fmt.Errorf("%s: not an Android bug report (no main_entry.txt, bugreport-*.txt or dumpstate file)", ev.Path)
	}
	ev.Kind = source.Bugreport
	setExtra(&ev.Device, "bugreport_main", main)
	// A main_entry.txt refused by the bounded reader (a named pipe, a size
	// far too large) is noted by name; the dumpstate was then found by its
	// own name.
	_, _ = ev.ReadFile("main_entry.txt", evfile.Pointer)
	if f, err := ev.Open(main, evfile.TextStream); err == nil {
		applyProps(&ev.Device, PropMap(systemProperties(f)))
		f.Close()
	}
	return nil
}

// systemProperties reads the "------ SYSTEM PROPERTIES" block of a dumpstate.
func systemProperties(r io.Reader) []Prop {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	in := false
	var out []Prop
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "------ SYSTEM PROPERTIES"):
			in = true
		case in && strings.HasPrefix(line, "------"):
			return out
		case in:
			if p, ok := parsePropLine(line); ok && len(out) < maxProps {
				out = append(out, p)
			}
		}
	}
	return out
}
