package fsdump

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// ErrNotDump says the input is not an iOS file-system dump in a layout
// this package recognises (and the type was not forced).
var ErrNotDump = errors.New("not an iOS file-system dump in a known layout")

// DefaultMaxEntries bounds the entries of a dump that is a folder; a full
// iPhone holds about a million.
const DefaultMaxEntries = 10_000_000

// Options for Open.
type Options struct {
	// Forced is --type ios-fs: without a recognised layout the top of the
	// evidence is read as the phone's /, and the check says so (a part not
	// checked naming what the top holds).
	Forced bool
	// Temp is the run's private folder: the pack of a .tar.gz goes there.
	Temp       *scratch.Dir
	ZipLimits  archive.Limits
	TarLimits  archive.TarLimits
	MaxEntries int // folders; 0 means DefaultMaxEntries
}

// DetectDir says whether the folder at p holds a dump in a known layout,
// with a few Stat and ReadDir calls (nothing is walked).
func DetectDir(p string) (Layout, bool) { return detect(dirProbe{evfile.Dir(p)}) }

// Open indexes the dump at p (a folder, zip, tar or tar.gz) and returns it
// as ios-fs evidence whose FS is the phone's tree (a *View). It returns
// ErrNotDump when no layout is recognised and o.Forced is false.
func Open(ctx context.Context, p string, o Options) (*source.Evidence, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(p)
	var (
		t        *tree
		be       backend
		refused  []string
		rooted   int
		links    int
		damaged  string
		problems []string
	)
	switch {
	case fi.IsDir():
		if _, ok := DetectDir(p); !ok && !o.Forced {
			return nil, ErrNotDump
		}
		maxE := o.MaxEntries
		if maxE <= 0 {
			maxE = DefaultMaxEntries
		}
		if t, problems, err = indexFolder(ctx, p, maxE); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		be = folderIndex{evfile.Dir(p)}
		for i := range t.nodes {
			if t.nodes[i].kind == kindLink {
				links++
			}
		}
	case isZip(p):
		var z *zipIndex
		if t, z, refused, rooted, err = indexZip(ctx, p, o.ZipLimits); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		be = z
		for i := range t.nodes {
			if t.nodes[i].kind == kindLink {
				links++
			}
		}
	default:
		lim := o.TarLimits
		if lim == (archive.TarLimits{}) {
			lim = archive.DefaultTarLimits
		}
		res, err := indexTar(ctx, p, lim, o.Temp)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t, be, refused, rooted, links, damaged = res.t, res.be, res.refused, res.rooted, res.links, res.damaged
	}
	l, recognised := detect(treeProbe{t})
	if !recognised {
		if !o.Forced {
			be.close()
			return nil, ErrNotDump
		}
		l = plainLayout()
	}
	v, err := newView(t, l, be, name)
	if err != nil {
		be.close()
		return nil, err
	}
	ev := &source.Evidence{Kind: source.IOSFS, Path: p, FS: v, Temp: o.Temp}
	if o.Temp != nil {
		ev.TempDir = o.Temp.Path()
	}
	ev.Device.Platform = "ios"
	ev.OnClose(v.Close)

	ev.Note("layout: " + l.Describe())
	if rooted > 0 {
		ev.Note(fmt.Sprintf("%s: %d entries were stored with absolute paths (\"/private/var/...\"): the leading / was removed, as GNU tar does; nothing is extracted", name, rooted))
	}
	if links > 0 {
		ev.Note(fmt.Sprintf("%d links and device entries are listed in the file tree, never followed or read", links))
	}
	if t.dropped > 0 {
		ev.Note(fmt.Sprintf("%d entries repeat a name already in the evidence; the first was kept (e.g. %s)", t.dropped, strings.Join(t.dupes[:min(3, len(t.dupes))], ", ")))
	}
	if n, ex := v.shadowed(); n > 0 {
		ev.Note(fmt.Sprintf("%d files of one partition are hidden by another mounted over it, as on the phone (e.g. %s): the mounted partition's copies are read", n, ex))
	}
	ev.RefusedEntries(name, refused)
	if damaged != "" {
		ev.Note(name + ": " + damaged)
		ev.NotChecked(coverage.Gap{Part: "part of " + name, Cause: coverage.Unreadable, Detail: damaged, Fix: "get a complete copy of the extraction (compare its hash with the one the extraction tool recorded) and check it again"})
	}
	for _, pr := range problems {
		ev.Note("folder not read: " + pr)
		ev.NotChecked(coverage.Gap{Part: pr, Cause: coverage.Unreadable})
	}
	checkExpected(ev, v, recognised, treeProbe{t})
	readSystemVersion(ev)
	return ev, nil
}

func isZip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var head [4]byte
	n, _ := io.ReadFull(f, head[:])
	return n == 4 && (bytes.Equal(head[:], []byte("PK\x03\x04")) || bytes.Equal(head[:], []byte("PK\x05\x06")))
}

// Expected lists artifacts every iPhone's data partition holds, each with
// the module that reads it: a dump where they are all missing was not
// read from the right folder, or is not a full file system.
var Expected = []struct{ What, Path string }{
	{"messages (sms.db)", "private/var/mobile/Library/SMS/sms.db"},
	{"network use per app (DataUsage.sqlite)", "private/var/wireless/Library/Databases/DataUsage.sqlite"},
	{"privacy permissions (TCC.db)", "private/var/mobile/Library/TCC/TCC.db"},
	{"call history (CallHistory.storedata)", "private/var/mobile/Library/CallHistoryDB/CallHistory.storedata"},
	{"contacts (AddressBook.sqlitedb)", "private/var/mobile/Library/AddressBook/AddressBook.sqlitedb"},
	{"shutdown log (shutdown.log)", "private/var/db/diagnostics/shutdown.log"},
}

// checkExpected says which expected artifacts the dump lacks. Some
// missing is a note (a phone that never used an app, a file the
// extraction tool skipped: each module that reads one says so). All
// missing, or no layout recognised (a forced --type ios-fs), is a part not
// checked, naming what the top of the evidence holds so the analyst sees
// at once which folder to give: a tree read from the wrong top, or an
// extraction of one app's folder, is never taken for a phone with nothing
// on it.
func checkExpected(ev *source.Evidence, v *View, recognised bool, pr probe) {
	var absent []string
	for _, x := range Expected {
		if e, ok := v.lookup(x.Path); !ok || e.isDir {
			absent = append(absent, x.What+" at /"+x.Path)
		}
	}
	switch {
	case !recognised:
		// NothingFound's usual fix (give the root folder, or the right
		// --type) is the one; the Fix says which root that is.
		ev.NotChecked(coverage.Gap{Part: "this file-system dump", Cause: coverage.NothingFound,
			Detail: fmt.Sprintf("no known layout was found (private/var, or UFED's filesystem1/ and filesystem2/); its top holds %s; %d of the %d artifacts every iPhone holds are missing", topLevel(pr), len(absent), len(Expected)),
			Fix:    "give the root folder of the evidence: the folder or archive whose top holds private/var (or UFED's filesystem1/ and filesystem2/), or the right --type"})
	case len(absent) == len(Expected):
		ev.NotChecked(coverage.Gap{Part: "every artifact an iPhone always holds", Cause: coverage.NotChecked,
			Detail: "none is in this dump (an extraction of part of the phone?): " + strings.Join(absent, "; ") + "; its top holds " + topLevel(pr),
			Fix:    "check that the extraction is complete (a full file system, not one app or folder) and give its top folder"})
	case len(absent) > 0:
		ev.Note("not in this dump (each module that reads one says so): " + strings.Join(absent, "; "))
	}
}

// readSystemVersion fills the iOS version and build from the system
// partition, when the dump holds it.
func readSystemVersion(ev *source.Evidence) {
	const name = "System/Library/CoreServices/SystemVersion.plist"
	// Read for the device line only: a refusal or an empty copy is a note,
	// not a part of the check left undone.
	b, err := evfile.ReadFile(ev.FS, name, evfile.SmallJSON)
	if err != nil {
		if evfile.IsRefused(err) || errors.Is(err, evfile.ErrEmpty) {
			ev.Note("iOS version unknown: " + err.Error())
		}
		return
	}
	sv, err := plistx.DecodeDict(b, plistx.Limits{MaxBytes: 1 << 20, MaxNodes: 1000})
	if err != nil {
		ev.Note(name + ": not a readable property list: " + err.Error())
		return
	}
	ev.Device.OSVersion, _ = sv["ProductVersion"].(string)
	ev.Device.Build, _ = sv["ProductBuildVersion"].(string)
}

// shadowed counts the files hidden where partitions overlap (a file in
// filesystem1/private/var that filesystem2/ also holds) and names one.
func (v *View) shadowed() (n int, example string) {
	var visit func(d ldir, prefix string)
	visit = func(d ldir, prefix string) {
		if len(d.raws) < 2 && d.syn == nil {
			return
		}
		for _, name := range v.names(d) {
			holders, dirs := 0, 0
			for _, r := range d.raws {
				if c, ok := v.t.child(r.id, name); ok {
					holders++
					if v.t.nodes[c].kind == kindDir {
						dirs++
					}
				}
			}
			if d.syn != nil && d.syn.kids[name] != nil {
				holders++
				dirs++
			}
			if holders > 1 && dirs < holders {
				n += holders - max(dirs, 1)
				if example == "" {
					example = "/" + prefix + name
				}
			}
			if e, ok := v.child(d, name); ok && e.isDir {
				visit(e.dir, prefix+name+"/")
			}
		}
	}
	visit(v.root, "")
	return n, example
}
