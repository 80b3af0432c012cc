package netcap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/phoneexport"
	"github.com/huella-project/huella/internal/source/scratch"
	"github.com/huella-project/huella/internal/timestamp"
)

// ErrNothing says that no file of the input is a capture or log huella
// reads.
var ErrNothing = errors.New("holds no network capture or log huella reads (pcap, pcapng, Zeek, Suricata eve.json, Pi-hole/dnsmasq, AdGuard Home, NextDNS)")

// Bounds of a folder walk: network evidence is a few files, so a folder
// with more is walked only this far (the rest is a part not checked).
const (
	maxDepth    = 4
	maxEntries  = 100_000
	maxSniffed  = 10_000
	maxNotes    = 20
	deviceLimit = 1 << 20
)

// Capture is the evidence limit of one capture or log file: they are
// streamed with bounded memory, so only a size no capture has is refused.
var Capture = evfile.Limit{Kind: "network capture or log", Max: 1 << 40}

// input is one thing the user handed over.
type input struct {
	fsys   fs.FS
	root   string // folder inside fsys ("." for all of it); "" for a file input
	file   string // the file's name in fsys, for a file input
	label  string // as given, for notes
	prefix string // logical sub-folder of its files when several inputs are combined
}

// Open reads the files and folders at paths as one network evidence: the
// traffic of one phone, recorded by one or several tools.
func Open(ctx context.Context, paths []string, tmp *scratch.Dir) (*source.Evidence, error) {
	var ins []input
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		in := input{label: p}
		switch {
		case fi.IsDir():
			in.fsys, in.root = evfile.Dir(p), "."
			if len(paths) > 1 {
				in.prefix = filepath.Base(filepath.Clean(p))
			}
		case fi.Mode().IsRegular():
			in.fsys, in.file = evfile.Dir(filepath.Dir(p)), filepath.Base(p)
		default:
			return nil, &evfile.RefusedError{Name: p, Reason: evfile.NotRegular(fi.Mode())}
		}
		ins = append(ins, in)
	}
	return open(ctx, ins, tmp, strings.Join(paths, ", "))
}

// OpenFS reads a file tree already opened (a zip, an extracted archive) as
// network evidence.
func OpenFS(ctx context.Context, fsys fs.FS, label string, tmp *scratch.Dir) (*source.Evidence, error) {
	return open(ctx, []input{{fsys: fsys, root: ".", label: label}}, tmp, label)
}

func open(ctx context.Context, ins []input, tmp *scratch.Dir, label string) (*source.Evidence, error) {
	t := newTree()
	// A file named like passwords or payment cards is never read, nor
	// hashed with the inputs.
	ev := &source.Evidence{Kind: source.Network, Path: label, FS: t, NeverRead: MayHoldSecrets}
	if tmp != nil {
		ev.Temp, ev.TempDir = tmp, tmp.Path()
	}
	var skipped []string
	nSkipped := 0
	for _, in := range ins {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if in.root == "" {
			f, _, err := sniffFile(in.fsys, in.file)
			if err != nil {
				return nil, err
			}
			if f == "" {
				return nil, fmt.Errorf("%s: %w", in.label, ErrNothing)
			}
			t.add(path.Join(f.Folder(), in.file), in.fsys, in.file)
			continue
		}
		s, n, err := walk(ctx, ev, t, in)
		if err != nil {
			return nil, err
		}
		skipped = append(skipped, s...)
		nSkipped += n
		readPiRogue(ev, in)
	}
	if len(t.files) == 0 {
		return nil, fmt.Errorf("%s: %w", label, ErrNothing)
	}
	for _, s := range skipped {
		ev.Note(s)
	}
	if nSkipped > len(skipped) {
		ev.Note(fmt.Sprintf("%d more files were not read: they are not captures or logs huella reads", nSkipped-len(skipped)))
	}
	return ev, nil
}

// errSecretName refuses, unread, a file whose name says it may hold
// passwords or payment cards.
var errSecretName = errors.New("not read: named like a file of passwords or payment cards (a NextDNS export is read when its file name contains \"dns\")")

// MayHoldSecrets says whether a file must not be read for its name alone:
// phone exports' rule (phoneexport.Secret: any CSV, since Safari's
// passwords are one whatever their localised name; a JSON named for
// passwords or cards), except a CSV whose name says it is a DNS log
// (NextDNS's export), the one CSV network evidence holds.
func MayHoldSecrets(name string) bool {
	if !phoneexport.Secret(name) {
		return false
	}
	base := strings.ToLower(path.Base(filepath.ToSlash(name)))
	return !(strings.HasSuffix(base, ".csv") && strings.Contains(base, "dns"))
}

// sniffFile names the format of one file (looking inside gzip); a file
// that may hold secrets is refused before it is opened.
func sniffFile(fsys fs.FS, name string) (Format, bool, error) {
	if MayHoldSecrets(name) {
		return "", false, fmt.Errorf("%s: %w", name, errSecretName)
	}
	f, err := evfile.Open(fsys, name, Capture)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	fm, gz := SniffReader(f)
	return fm, gz, nil
}

// walk adds the recognised files of a folder input, bounded in depth,
// entries and files read; it returns notes on files it left out.
func walk(ctx context.Context, ev *source.Evidence, t *tree, in input) ([]string, int, error) {
	var notes []string
	skipped, entries, sniffed := 0, 0, 0
	var over string
	err := fs.WalkDir(in.fsys, in.root, func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			// A folder that cannot be listed was not checked: a gap, never
			// the silence of "nothing there".
			ev.NotChecked(coverage.Gap{Part: path.Join(in.label, strings.TrimPrefix(strings.TrimPrefix(p, in.root), "/")),
				Cause: coverage.Unreadable, Detail: err.Error()})
			return nil
		}
		entries++
		if entries > maxEntries {
			over = fmt.Sprintf("more than %d files and folders", maxEntries)
			return fs.SkipAll
		}
		name := d.Name()
		if p != in.root && (strings.HasPrefix(name, ".") || name == "__MACOSX") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, in.root), "/")
		if d.IsDir() {
			if rel != "" && strings.Count(rel, "/")+1 > maxDepth {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			skipped++
			if len(notes) < maxNotes {
				notes = append(notes, rel+": not read (not a regular file)")
			}
			return nil
		}
		sniffed++
		if sniffed > maxSniffed {
			over = fmt.Sprintf("more than %d files", maxSniffed)
			return fs.SkipAll
		}
		f, _, err := sniffFile(in.fsys, p)
		if err != nil {
			ev.NoteRefusal(err)
			if _, refused := source.RefusalGap(err); !refused {
				ev.Note(fmt.Sprintf("%s: %v", rel, err))
			}
			return nil
		}
		if f == "" {
			skipped++
			if len(notes) < maxNotes && !metadata(name) {
				notes = append(notes, rel+": not read ("+whyNot(name)+")")
			}
			return nil
		}
		t.add(path.Join(f.Folder(), in.prefix, rel), in.fsys, p)
		return nil
	})
	if err != nil && !errors.Is(err, fs.SkipAll) {
		return nil, 0, err
	}
	if over != "" {
		ev.NotChecked(coverageGap(in.label, over))
	}
	return notes, skipped, nil
}

// metadata names the files of a PiRogue capture folder that describe it
// rather than hold traffic; they are read (device.json) or expected, not
// worth a note.
func metadata(name string) bool {
	switch name {
	case "experiment.json", "device.json":
		return true
	}
	return false
}

func whyNot(name string) string {
	switch {
	case strings.Contains(strings.ToLower(name), "sslkeylog") || strings.Contains(strings.ToLower(name), "keylog"):
		return "TLS session keys: huella does not decrypt traffic"
	case strings.HasSuffix(strings.ToLower(name), ".mp4"):
		return "a screen recording"
	}
	return "not a capture or log huella reads"
}

// readPiRogue reads what a PiRogue capture folder says about the phone
// (device.json: the properties PiRogue read over adb) and when the capture
// began (experiment.json).
func readPiRogue(ev *source.Evidence, in input) {
	if b, err := evfile.ReadFile(in.fsys, path.Join(in.root, "device.json"), evfile.Limit{Kind: "PiRogue device.json", Max: deviceLimit}); err == nil {
		var d map[string]any
		if json.Unmarshal(b, &d) == nil {
			s := func(k string) string {
				v, _ := d[k].(string)
				return strings.TrimSpace(v)
			}
			ev.Device.Platform = "android"
			ev.Device.Model = strings.TrimSpace(strings.Join(nonEmpty(s("manufacturer"), s("model")), " "))
			ev.Device.OSVersion = s("android_version")
			ev.Device.ID = s("serialno")
			ev.Device.Name = s("name")
		}
	} else {
		ev.NoteRefusal(err)
	}
	if b, err := evfile.ReadFile(in.fsys, path.Join(in.root, "experiment.json"), evfile.Limit{Kind: "PiRogue experiment.json", Max: deviceLimit}); err == nil {
		var x struct {
			Network struct {
				Start float64 `json:"start_capture_time"` // milliseconds since 1970
			} `json:"network"`
		}
		if json.Unmarshal(b, &x) == nil && x.Network.Start > 0 && x.Network.Start < math.MaxInt64 {
			if at, err := timestamp.UnixMillis(int64(x.Network.Start)); err == nil {
				at = at.UTC().Truncate(time.Millisecond)
				ev.Device.Acquired = &at
			}
		}
	} else {
		ev.NoteRefusal(err)
	}
}

func coverageGap(label, over string) coverage.Gap {
	return coverage.Gap{Part: label, Cause: coverage.OverLimit,
		Detail: "the folder holds " + over + "; only those were looked at", Fix: "give the capture and log files themselves, or a folder holding only them"}
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Detect says whether the file or folder at p is network evidence: a file
// whose content is a capture or log huella reads, or a folder holding one
// (within the walk's bounds) and recognised as nothing else by the caller.
func Detect(p string) bool {
	fi, err := os.Stat(p)
	if err != nil {
		return false
	}
	if fi.IsDir() {
		return DetectFS(evfile.Dir(p))
	}
	if !fi.Mode().IsRegular() {
		return false
	}
	f, _, err := sniffFile(evfile.Dir(filepath.Dir(p)), filepath.Base(p))
	return err == nil && f != ""
}

// DetectFS says whether a folder holds at least one capture or log huella
// reads, looking at most maxDepth deep and at 200 files.
func DetectFS(fsys fs.FS) bool {
	found, n := false, 0
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if p != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "__MACOSX") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != "." && strings.Count(p, "/")+1 > maxDepth {
				return fs.SkipDir
			}
			return nil
		}
		if n++; n > 200 {
			return fs.SkipAll
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if f, _, err := sniffFile(fsys, p); err == nil && f != "" {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}

// Files lists the logical files of a format folder, sorted (for modules).
func Files(fsys fs.FS, folder string) []string {
	var out []string
	fs.WalkDir(fsys, folder, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}
