package androidqf

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/jsonx"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
	"github.com/huella-project/huella/internal/timestamp"
)

// What an Android phone writes on its own, for its owner to share with no
// computer:
//
//   - a bug report (Developer options → Take bug report, then share from
//     the notification): bugreport-<device>-<build>-<date>.zip, holding
//     main_entry.txt naming the dumpstate text, version.txt, the dumpstate
//     text bugreport-<device>-<build>-<date>.txt and the device files under
//     FS/. Android 6 zipped only the text (no main_entry.txt); before it
//     the text was shared alone. Some share targets and phone makers wrap
//     the zip in another zip or folder (one bugreport-*.zip or
//     dumpstate*.zip inside): it is opened in place of the wrapper.
//   - Intrusion Logging's download (Advanced Protection → Intrusion
//     logging → Access logs → Download and Decrypt): a zip in
//     Download/Intrusion Logging/ holding date-named .txt files of NDJSON
//     events. A person shares that zip, the folder holding one zip per
//     device, a zip of that folder, or a single .txt from it.

// SniffFile names the Android kind of a single file (no archive) from its
// first bytes: a dumpstate text or an intrusion-log file; "" otherwise.
func SniffFile(head []byte) source.Kind {
	if bytes.Contains(head[:min(len(head), 4096)], []byte("== dumpstate: ")) {
		return source.Bugreport
	}
	m, _ := jsonx.FirstObject(head, 0)
	for _, k := range IntrusionEventTypes {
		if _, ok := m[k]; ok {
			return source.IntrusionLogs
		}
	}
	return ""
}

// singleFile is the evidence of one file handed over alone.
func singleFile(p, name string, kind source.Kind, opts Options) (*source.Evidence, error) {
	ev := &source.Evidence{Kind: kind, Path: p, Device: source.Device{Platform: "android"}, FS: source.OneFile(p, name)}
	tmp := opts.Temp
	if tmp == nil {
		var err error
		if tmp, err = scratch.New(opts.TempRoot, "huella-android-", scratch.DefaultBudget(p)); err != nil {
			return nil, err
		}
	}
	ev.TempDir, ev.Temp = tmp.Path(), tmp
	return ev, nil
}

// OpenBugreportFile opens a dumpstate text shared on its own. Modules find
// the dumpstate by name, so a text renamed by whoever passed it on is shown
// as bugreport-<its name>.
func OpenBugreportFile(ctx context.Context, p string, opts Options) (*source.Evidence, error) {
	name := filepath.Base(p)
	if !isDumpstateName(name) {
		name = "bugreport-" + strings.TrimSuffix(name, filepath.Ext(name)) + ".txt"
	}
	ev, err := singleFile(p, name, source.Bugreport, opts)
	if err != nil {
		return nil, err
	}
	if err := finishBugreport(ev); err != nil {
		return finish(ev, err)
	}
	dumpstateTime(ev)
	return ev, nil
}

// dumpstateTime dates a bug report from its dumpstate's header
// ("== dumpstate: 2024-02-21 10:00:00", the phone's wall clock, read in
// its zone when the system properties give one): checks relative to the
// day of the evidence (how old its security patch was) then say the same
// whenever the report is read.
func dumpstateTime(ev *source.Evidence) {
	if ev.Device.Acquired != nil || ev.Device.Extra["bugreport_main"] == "" {
		return
	}
	f, err := ev.Open(ev.Device.Extra["bugreport_main"], evfile.Stream)
	if err != nil {
		return
	}
	defer f.Close()
	loc := ev.Device.Location()
	if loc == nil {
		loc = time.UTC
	}
	if t, ok := DumpstateTime(f, loc); ok {
		ev.Device.Acquired = &t
	}
}

// DumpstateTime reads the time in a dumpstate text's header ("==
// dumpstate: 2024-02-21 10:00:00", within its first 20 lines and 16 KB),
// on the phone's clock in loc, as UTC; ok is false when there is none or it
// is no date between 1970 and 2100.
func DumpstateTime(r io.Reader, loc *time.Location) (time.Time, bool) {
	sc := bufio.NewScanner(io.LimitReader(r, 16<<10))
	for n := 0; n < 20 && sc.Scan(); n++ {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "== dumpstate: ")
		if !ok {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02 15:04:05", strings.TrimSpace(v), loc)
		if err != nil || timestamp.Check(t) != nil {
			return time.Time{}, false
		}
		return t.UTC(), true
	}
	return time.Time{}, false
}

func isDumpstateName(n string) bool {
	for _, pat := range []string{"bugreport-*.txt", "dumpstate*.txt", "dumpState_*.log"} {
		if ok, _ := path.Match(pat, n); ok {
			return true
		}
	}
	return false
}

// OpenIntrusionLogFile opens one intrusion-log file shared on its own.
func OpenIntrusionLogFile(ctx context.Context, p string, opts Options) (*source.Evidence, error) {
	name := filepath.Base(p)
	if ext := strings.ToLower(filepath.Ext(name)); ext != ".txt" && ext != ".json" && ext != ".ndjson" && ext != ".jsonl" && ext != ".log" {
		name += ".txt" // the module reads log files by these extensions
	}
	ev, err := singleFile(p, name, source.IntrusionLogs, opts)
	if err != nil {
		return nil, err
	}
	return finish(ev, finishIntrusion(ev))
}

// wrappedBugreport names the one bug report zip a wrapper holds at its
// root, or "".
func wrappedBugreport(fsys fs.FS) string {
	var found []string
	for _, pat := range []string{"[Bb]ugreport*.zip", "[Dd]ump[Ss]tate*.zip"} {
		ms, _ := fs.Glob(fsys, pat)
		for _, m := range ms {
			if fi, err := fs.Stat(fsys, m); err == nil && fi.Mode().IsRegular() {
				found = append(found, m)
			}
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

// DetectWrappedBugreport says, from names alone, whether fsys wraps one
// bug report zip (and is no bug report itself).
func DetectWrappedBugreport(fsys fs.FS) bool {
	return !DetectBugreport(fsys) && wrappedBugreport(fsys) != ""
}

// unwrapBugreport replaces a wrapper's tree by the bug report zip inside it,
// copied out of the wrapper (within the disk budget) when it is not a file
// on disk. It leaves ev unchanged when there is none.
func unwrapBugreport(ctx context.Context, ev *source.Evidence, opts Options) error {
	name := wrappedBugreport(ev.FS)
	if name == "" {
		// The wrapper itself in one folder ("zip -r wrapper.zip wrapper/").
		sub := archive.StripTopDir(ev.FS)
		if name = wrappedBugreport(sub); name == "" {
			return nil
		}
		ev.FS = sub
	}
	zipPath, ok := localPath(ev.FS, name)
	if !ok {
		p, err := copyOut(ctx, ev, name, "wrapped-bugreport.zip")
		if err != nil {
			return fmt.Errorf("%s: cannot copy the bug report %s out of it: %w", ev.Path, name, err)
		}
		zipPath = p
	}
	z, c, err := archive.OpenZipLimits(zipPath, opts.Limits)
	if err != nil {
		return fmt.Errorf("%s: the bug report %s inside it: %w", ev.Path, name, err)
	}
	ev.OnClose(c.Close)
	ev.RefusedEntries(name, z.Refused)
	fsys := bugreportRoot(z)
	ev.FS = fsys
	setExtra(&ev.Device, "wrapped_in", ev.Path)
	return nil
}

// maxZipSniff bounds a zip inside the evidence read into memory to see
// whether it holds intrusion logs (the module reads it again the same way).
var maxZipSniff = evfile.Limit{Kind: "zip inside intrusion logs", Max: 512 << 20}

// DetectPhoneIntrusionExport says whether fsys is Intrusion Logging's
// download as the phone writes it: one or more zips at its root (the
// phone's "Intrusion Logging" folder, one zip per device) holding NDJSON
// intrusion events.
func DetectPhoneIntrusionExport(fsys fs.FS) bool {
	zips, _ := fs.Glob(fsys, "*.zip")
	for i, name := range zips {
		if i >= 4 {
			break
		}
		if zipHoldsIntrusionLogs(fsys, name) {
			return true
		}
	}
	return false
}

func zipHoldsIntrusionLogs(fsys fs.FS, name string) bool {
	var z fs.FS
	if p, ok := localPath(fsys, name); ok {
		zz, c, err := archive.OpenZipLimits(p, archive.Limits{})
		if err != nil {
			return false
		}
		defer c.Close()
		z = zz
	} else {
		b, err := evfile.ReadFile(fsys, name, maxZipSniff)
		if err != nil {
			return false
		}
		zz, err := archive.NewZip(bytes.NewReader(b), int64(len(b)), name, archive.Limits{})
		if err != nil {
			return false
		}
		z = zz
	}
	return DetectIntrusionLogs(z)
}
