// Package androidqf opens Android acquisitions: androidqf output (folder,
// .zip or age-encrypted .zip.age), bug reports and Android 16 intrusion logs.
// Each comes out as source.Evidence whose tree is the acquisition's own
// layout with any single wrapping folder removed, so modules look for
// "getprop.txt", never "*/getprop.txt".
package androidqf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidab"
	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// BackupMount is the folder under which the content of the acquisition's
// backup.ab appears once unpacked ("backup.ab.tar/apps/...").
const BackupMount = "backup.ab.tar"

// Options for the openers of this package.
type Options struct {
	AgeIdentity    string       // age identity file, for .zip.age acquisitions
	BackupPassword string       // for an encrypted backup.ab; else androidab.PasswordEnv
	TempRoot       string       // where the private temporary folder is made when Temp is nil
	Temp           *scratch.Dir // the run's private folder and disk budget
	Limits         archive.Limits
}

// markers are files androidqf always writes; any one is enough.
var markers = []string{"getprop.txt", "packages.json", "acquisition.json", "processes.json", "processes.txt", "ps.txt", "settings_global.txt", "settings_secure.txt", "root_binaries.json", "files.json", "backup.ab"}

// Detect says whether fsys is the root of an androidqf acquisition.
func Detect(fsys fs.FS) bool {
	for _, m := range markers {
		if fi, err := fs.Stat(fsys, m); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// Open opens an androidqf acquisition: a folder, a .zip, or a .zip.age.
func Open(ctx context.Context, p string, opts Options) (*source.Evidence, error) {
	ev, err := openTree(ctx, p, source.AndroidQF, opts, Detect)
	if err != nil {
		return nil, err
	}
	return finish(ev, finishQF(ctx, ev, opts))
}

func finishQF(ctx context.Context, ev *source.Evidence, opts Options) error {
	if !Detect(ev.FS) {
		return fmt.Errorf("%s: not an androidqf acquisition (none of %s found)", ev.Path, strings.Join(markers[:3], ", "))
	}
	ev.Kind = source.AndroidQF
	readDevice(ev)
	mountBackup(ctx, ev, opts)
	mountBugreport(ctx, ev, opts)
	return nil
}

// finish closes ev when err is set, so no opener leaks a temporary folder.
func finish(ev *source.Evidence, err error) (*source.Evidence, error) {
	if err != nil {
		ev.Close()
		return nil, err
	}
	return ev, nil
}

// openTree turns a folder, zip or zip.age into ev.FS, removing one wrapping
// folder when detect fails at the root but succeeds below it.
func openTree(ctx context.Context, p string, kind source.Kind, opts Options, detect func(fs.FS) bool) (*source.Evidence, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	ev := &source.Evidence{Kind: kind, Path: p, Device: source.Device{Platform: "android"}}
	tmp := opts.Temp
	if tmp == nil {
		if tmp, err = scratch.New(opts.TempRoot, "huella-android-", scratch.DefaultBudget(p)); err != nil {
			return nil, err
		}
	}
	ev.TempDir, ev.Temp = tmp.Path(), tmp
	var fsys fs.FS
	switch {
	case fi.IsDir():
		fsys = evfile.Dir(p)
	default:
		zipPath := p
		if isAge(p) {
			zipPath, err = decryptAge(ctx, p, opts.AgeIdentity, tmp)
			if err != nil {
				ev.Close()
				return nil, err
			}
		}
		z, c, err := archive.OpenZipLimits(zipPath, opts.Limits)
		if err != nil {
			ev.Close()
			return nil, err
		}
		ev.OnClose(c.Close)
		ev.RefusedEntries(filepath.Base(p), z.Refused)
		fsys = z
	}
	if !detect(fsys) {
		if sub := archive.StripTopDir(fsys); sub != fsys && detect(sub) {
			fsys = sub
		}
	}
	ev.FS = fsys
	return ev, nil
}

func isAge(p string) bool {
	if strings.HasSuffix(strings.ToLower(p), ".age") {
		return true
	}
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(ageMagic))
	_, _ = io.ReadFull(f, head)
	return bytes.Equal(head, []byte(ageMagic))
}

// readDevice fills Device from getprop.txt and acquisition.json. A file
// refused by the bounded reader (a named pipe, a link leading outside) is
// noted by name; a missing one is simply absent.
func readDevice(ev *source.Evidence) {
	if f, err := ev.Open("getprop.txt", evfile.Text); err == nil {
		props, err := ParseGetprop(f)
		f.Close()
		if err != nil {
			ev.Note("getprop.txt: " + err.Error())
		}
		applyProps(&ev.Device, PropMap(props))
	}
	b, err := ev.ReadFile("acquisition.json", evfile.SmallJSON)
	if err != nil {
		return
	}
	var acq struct {
		Started   string `json:"started"`
		Completed string `json:"completed"`
		Serial    string `json:"serial"`
		Model     string `json:"model"`
		Version   string `json:"androidqf_version"`
		HostKey   string `json:"adb_host_public_key"`
	}
	if err := json.Unmarshal(b, &acq); err != nil {
		ev.Note("acquisition.json: not valid JSON: " + err.Error())
		return
	}
	if t, err := time.Parse(time.RFC3339Nano, acq.Started); err == nil {
		t = t.UTC()
		ev.Device.Acquired = &t
	} else if acq.Started != "" {
		ev.Note(fmt.Sprintf("acquisition.json: unreadable start time %q", acq.Started))
	}
	if ev.Device.ID == "" {
		ev.Device.ID = acq.Serial
	}
	if ev.Device.Model == "" {
		ev.Device.Model = acq.Model
	}
	setExtra(&ev.Device, "androidqf_version", acq.Version)
	hostKey := strings.TrimSpace(acq.HostKey)
	if hostKey == "" {
		if b, err := ev.ReadFile("adb_host_key.pub", evfile.SmallJSON); err == nil {
			hostKey = strings.TrimSpace(string(b))
		}
	}
	setExtra(&ev.Device, ExtraADBHostKey, hostKey)
}

// ExtraADBHostKey is the Device.Extra key holding the public key of the
// computer that made the acquisition (acquisition.json, else
// adb_host_key.pub), which tells its own trusted-key entry from others.
const ExtraADBHostKey = "adb_host_public_key"

func applyProps(d *source.Device, m map[string]string) {
	d.Model = firstNonEmpty(d.Model, m["ro.product.model"])
	d.Name = firstNonEmpty(d.Name, m["ro.product.name"])
	d.OSVersion = firstNonEmpty(d.OSVersion, m["ro.build.version.release"])
	d.Build = firstNonEmpty(d.Build, m["ro.build.fingerprint"], m["ro.build.display.id"])
	d.ID = firstNonEmpty(d.ID, m["ro.serialno"], m["ro.boot.serialno"])
	if tz := m["persist.sys.timezone"]; tz != "" {
		if _, err := time.LoadLocation(tz); err == nil {
			d.TimeZone = tz
		}
	}
	setExtra(d, "security_patch", m["ro.build.version.security_patch"])
	setExtra(d, "manufacturer", m["ro.product.manufacturer"])
	setExtra(d, "sdk", m["ro.build.version.sdk"])
}

func setExtra(d *source.Device, k, v string) {
	if v == "" {
		return
	}
	if d.Extra == nil {
		d.Extra = map[string]string{}
	}
	d.Extra[k] = v
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// mountBackup unpacks the acquisition's backup.ab (the SMS database lives
// there) under BackupMount. Problems become gaps, each with its fix: the
// rest of the acquisition is still worth checking, but the answer is
// incomplete without the backup.
func mountBackup(ctx context.Context, ev *source.Evidence, opts Options) {
	ents, err := fs.ReadDir(ev.FS, ".")
	if err != nil {
		return
	}
	name := ""
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), "backup.ab") {
			name = e.Name()
			break
		}
	}
	if name == "" {
		return
	}
	gap := func(c coverage.Cause, detail string) {
		ev.NotChecked(coverage.Gap{Part: name + " (the phone's SMS backup)", Cause: c, Detail: detail})
	}
	abPath, ok := localPath(ev.FS, name)
	if !ok {
		p, err := copyOut(ctx, ev, name, "backup.ab")
		if err != nil {
			gap(coverage.Unreadable, "cannot copy it out of the archive: "+err.Error())
			return
		}
		abPath = p
	}
	dir, err := ev.Temp.Mkdir("backup")
	if err != nil {
		gap(coverage.Unreadable, err.Error())
		return
	}
	pw := opts.BackupPassword
	if pw == "" {
		pw = os.Getenv(androidab.PasswordEnv)
	}
	fsys, st, err := androidab.Extract(ctx, abPath, pw, dir, opts.Limits, ev.Temp.Budget())
	for _, s := range st.Skipped {
		ev.Note(name + ": " + s)
	}
	if err != nil {
		switch {
		case errors.Is(err, androidab.ErrPasswordNeeded):
			gap(coverage.Encrypted, "")
			return
		case errors.Is(err, androidab.ErrWrongPassword):
			gap(coverage.WrongPassword, "")
			return
		case fsys == nil || st.Entries == 0:
			if g, ok := source.RefusalGap(err); ok {
				// Over a size limit or the temporary disk budget.
				g.Part = name + " (the phone's SMS backup)"
				ev.NotChecked(g)
				return
			}
			gap(coverage.Unreadable, "malformed: "+err.Error())
			return
		}
		// Part of it was unpacked: keep that, and say what was not.
		if g, ok := source.RefusalGap(err); ok {
			g.Part = name + " (the phone's SMS backup)"
			g.Detail = fmt.Sprintf("read %d entries, then: %v", st.Entries, err)
			ev.NotChecked(g)
		} else {
			gap(coverage.Unreadable, fmt.Sprintf("read %d entries, then: %v", st.Entries, err))
		}
	}
	ev.FS = &mountFS{base: ev.FS, name: BackupMount, sub: fsys}
}

func localPath(fsys fs.FS, name string) (string, bool) {
	if lp, ok := fsys.(source.LocalPather); ok {
		return lp.LocalPath(name)
	}
	return "", false
}

// copyOut copies a nested archive (backup.ab, a bug report zip) out of the
// acquisition into the private folder: a regular file only, its declared
// size reserved from the run's disk budget first and never exceeded.
func copyOut(ctx context.Context, ev *source.Evidence, name, dst string) (string, error) {
	src, err := ev.Open(name, evfile.Stream)
	if err != nil {
		return "", err
	}
	defer src.Close()
	return ev.Temp.CopyIn(dst, name, evfile.WithContext(ctx, src), src.Info.Size())
}
