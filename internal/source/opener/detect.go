// Package opener recognises what the user handed over and opens it with the
// right reader. Detection looks at content (magic bytes, marker files), never
// at the file name alone, and --type overrides it.
package opener

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/fsdump"
	"github.com/huella-project/huella/internal/source/logexport"
	"github.com/huella-project/huella/internal/source/netcap"
	"github.com/huella-project/huella/internal/source/scratch"
)

// Options carry what a reader may need. Secrets live only here, in memory.
type Options struct {
	Type        source.Kind // forced kind; "" detects
	Password    string      // iOS backup or .ab password
	Key         []byte      // derived iOS backup key (extract-key), skips the slow derivation
	AgeIdentity string      // age identity file for androidqf .zip.age
	TempRoot    string      // where the private temporary folder goes ("" = system default)
	// TempBudget is the most bytes the run may write to its temporary
	// folder (extraction, decryption, database copies); 0 means the
	// default, max(4 × the evidence's size on disk, 1 GiB).
	TempBudget int64
	NoHash     bool // skip hashing every input file (benchmarks of parsers alone)
}

// ErrUnknown says the input is not evidence huella can read. Its text says
// what huella does read, so the user knows what to hand over instead.
var ErrUnknown = errors.New("not phone evidence huella recognises. The types huella reads are: " +
	"an iOS backup folder (Info.plist and Manifest.db), an iOS file-system dump (folder, zip or tar holding private/var), " +
	"a sysdiagnose archive, an androidqf acquisition (folder, .zip or .zip.age), an Android backup (.ab), " +
	"an Android bug report (.zip), Android intrusion logs and an iPhone unified-log export (JSON lines); what a phone exports on its own: an App Privacy Report (.ndjson), " +
	"Safari's Export Browsing Data (.zip), crash reports (.ips), a bug report or Intrusion Logging download shared from an Android phone; " +
	"and a phone's network traffic (pcap, pcapng, Zeek logs, Suricata eve.json, Pi-hole/dnsmasq, AdGuard Home or NextDNS logs, a PiRogue capture folder). " +
	"Give the folder or file at the evidence's root, or force the type with --type")

// Open recognises and opens the evidence at p. The whole step runs under
// ctx: when its deadline passes or it is cancelled (Ctrl-C), Open returns
// at once and removes the private temporary folder, even if a reader is
// still blocked (it is left behind, and anything it tries to write after
// that fails; the evidence it may still produce is closed).
func Open(ctx context.Context, p string, o Options) (*source.Evidence, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		return nil, &evfile.RefusedError{Name: p, Reason: evfile.NotRegular(fi.Mode())}
	}
	return openWith(ctx, p, []string{p}, o, func(tmp *scratch.Dir) (*source.Evidence, error) { return open(ctx, p, fi, tmp, o) })
}

// openWith runs a reader (read) for the inputs at paths in a new private
// temporary folder, under ctx, hashing the inputs; label names them in
// errors.
func openWith(ctx context.Context, label string, paths []string, o Options, read func(*scratch.Dir) (*source.Evidence, error)) (*source.Evidence, error) {
	p := label
	budget := scratch.DefaultBudget(paths[0])
	if o.TempBudget > 0 {
		budget = scratch.NewBudget(o.TempBudget)
	}
	tmp, err := scratch.New(o.TempRoot, "huella-", budget)
	if err != nil {
		return nil, err
	}
	type result struct {
		ev  *source.Evidence
		err error
	}
	done := make(chan result, 1)
	go func() {
		ev, err := read(tmp)
		if err == nil && !o.NoHash {
			// Each input hashed; a folder too large to list in info.json
			// keeps its list beside it (one list: the first input's).
			ev.Inputs = nil
			for _, in := range paths {
				ins, list, herr := source.HashInputsTo(ctx, in, tmp.Path(), ev.NeverRead)
				if herr != nil {
					ev.Note("hashing inputs: " + herr.Error())
				}
				ev.Inputs = append(ev.Inputs, ins...)
				if list != nil && ev.InputsList == nil {
					ev.InputsList = list
				} else if list != nil {
					ev.Note(fmt.Sprintf("hashing inputs: the list of %s's %d files is not kept (one list per evidence)", in, list.Files))
				}
			}
		}
		done <- result{ev, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		tmp.Close()
		go func() {
			// The reader returns some day; what it opened is released then.
			if r := <-done; r.ev != nil {
				r.ev.Close()
			}
		}()
		return nil, fmt.Errorf("opening %s stopped: %w", p, context.Cause(ctx))
	}
	if r.err == nil {
		r.err = ctx.Err() // finished just as the deadline passed
	}
	if r.err != nil {
		if r.ev != nil {
			r.ev.Close()
		}
		tmp.Close()
		return nil, r.err
	}
	ev := r.ev
	if ev.Temp == nil {
		ev.Temp = tmp
	} else if ev.Temp != tmp {
		ev.OnClose(tmp.Close)
	}
	ev.TempDir = ev.Temp.Path()
	if ev.Path == "" {
		ev.Path = p
	}
	return ev, nil
}

func open(ctx context.Context, p string, fi os.FileInfo, tmp *scratch.Dir, o Options) (*source.Evidence, error) {
	if fi.IsDir() {
		return openDir(ctx, p, tmp, o)
	}
	if netcap.MayHoldSecrets(p) { // phoneexport.Secret, but a NextDNS CSV
		return nil, errSecretFile(p)
	}
	head, err := readHead(p, 512)
	if err != nil {
		return nil, err
	}
	switch {
	case o.Type == source.Network:
		return openNetwork(ctx, []string{p}, tmp)
	case bytes.HasPrefix(head, []byte("ANDROID BACKUP\n")) || o.Type == source.AndroidBackup:
		return openAndroidBackup(ctx, p, tmp, o)
	case bytes.HasPrefix(head, []byte("age-encryption.org/")):
		return openAndroidQF(ctx, p, tmp, o)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return openZip(ctx, p, tmp, o)
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}) || isTar(head):
		if !isTar(head) && isNetworkFile(p) {
			return openNetwork(ctx, []string{p}, tmp) // a gzip-compressed log
		}
		return openTar(ctx, p, tmp, o)
	}
	// A unified-log export is JSON lines like an App Privacy Report, so
	// it is recognised by its first entry's fields, not by its name.
	if o.Type == source.IOSUnifiedLog {
		return openUnifiedLog(p, tmp)
	}
	if o.Type == "" {
		if long, err := readHead(p, logexport.Head); err == nil && logexport.IsUnifiedLog(long) {
			return openUnifiedLog(p, tmp)
		}
	}
	// Phone exports and Android single files next (an App Privacy Report
	// is JSON lines too), then captures and logs of the phone's traffic.
	ev, err := openSingleFile(ctx, p, tmp, o)
	if errors.Is(err, ErrUnknown) && isNetworkFile(p) {
		return openNetwork(ctx, []string{p}, tmp)
	}
	return ev, err
}

func readHead(p string, n int) ([]byte, error) {
	f, err := evfile.Open(evfile.Dir(filepath.Dir(p)), filepath.Base(p), evfile.Stream)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	m, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b[:m], nil
}

func isTar(head []byte) bool {
	return len(head) >= 262 && bytes.Equal(head[257:262], []byte("ustar"))
}

// Classify names the evidence kind of a file tree, or "" when unknown.
func Classify(fsys fs.FS) source.Kind {
	has := func(names ...string) bool {
		for _, n := range names {
			if _, err := fs.Stat(fsys, n); err == nil {
				return true
			}
		}
		return false
	}
	glob := func(pat string) bool {
		m, _ := fs.Glob(fsys, pat)
		return len(m) > 0
	}
	switch {
	case has("Info.plist") && has("Manifest.db", "Manifest.plist"):
		return source.IOSBackup
	case has("sysdiagnose.log") || glob("sysdiagnose*.log") || (has("ps.txt") && has("logs")) || has("shutdown.log") && has("logs"):
		return source.IOSSysdiagnose
	case has("private/var"):
		return source.IOSFS
	case has("getprop.txt", "packages.json", "acquisition.json", "processes.json"):
		return source.AndroidQF
	case has("backup.ab") && !has("Info.plist"):
		// A folder holding an Android backup (MVT's androidqf_encrypted
		// fixture; an acquisition trimmed to its backup): the androidqf
		// reader mounts it, and asks for its password when it is encrypted.
		return source.AndroidQF
	case has("main_entry.txt") || glob("dumpstate*.txt") || glob("bugreport-*.txt"):
		return source.Bugreport
	}
	// Exports made on the phone alone (phone.go), before intrusion logs,
	// whose detection opens any file: a Safari export's secrets never are.
	if k := phoneKind(fsys); k != "" {
		return k
	}
	if isIntrusionLogs(fsys) {
		return source.IntrusionLogs
	}
	return ""
}

// topDir returns the single folder an archive or folder wraps everything in
// (sysdiagnose_2024..., an androidqf UUID folder), or ".".
func topDir(fsys fs.FS) string {
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "."
	}
	var dirs []string
	files := 0
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") || e.Name() == "__MACOSX" {
			continue
		}
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		} else {
			files++
		}
	}
	if len(dirs) == 1 && files == 0 {
		return dirs[0]
	}
	return "."
}

func openDir(ctx context.Context, p string, tmp *scratch.Dir, o Options) (*source.Evidence, error) {
	fsys := evfile.Dir(p)
	kind := o.Type
	if kind == "" {
		kind = Classify(fsys)
		if kind == "" {
			// A full file system in an extraction tool's layout (UFED's
			// filesystem1/ and filesystem2/, a wrapping case folder).
			if _, ok := fsdump.DetectDir(p); ok {
				return openDump(ctx, p, tmp, o)
			}
			if td := topDir(fsys); td != "." {
				if k := Classify(evfile.Dir(filepath.Join(p, td))); k != "" {
					o.Type = k
					return openDir(ctx, filepath.Join(p, td), tmp, o)
				}
			}
			if isNetworkTree(fsys) {
				return openNetwork(ctx, []string{p}, tmp)
			}
			return nil, fmt.Errorf("%s: %w", p, ErrUnknown)
		}
	}
	switch kind {
	case source.IOSBackup:
		return openIOSBackup(ctx, p, tmp, o)
	case source.AndroidQF:
		return openAndroidQF(ctx, p, tmp, o)
	case source.Bugreport:
		return openBugreport(ctx, p, tmp, o)
	case source.IntrusionLogs:
		return openIntrusionLogs(ctx, p, tmp, o)
	case source.IOSFS:
		return openDump(ctx, p, tmp, o)
	case source.IOSSysdiagnose:
		ev := &source.Evidence{Kind: kind, Path: p, FS: fsys, TempDir: tmp.Path(), Temp: tmp}
		sysdiagnoseDevice(ev, filepath.Base(p))
		return ev, nil
	case source.AndroidBackup:
		return nil, fmt.Errorf("%s: an Android backup is a single .ab file, not a folder", p)
	case source.Network:
		return openNetwork(ctx, []string{p}, tmp)
	case source.IOSUnifiedLog:
		ev := &source.Evidence{Kind: kind, Path: p, FS: fsys, TempDir: tmp.Path(), Temp: tmp}
		ev.Device.Platform = "ios"
		return ev, nil
	case source.IOSAppPrivacyReport, source.IOSSafariExport, source.IOSCrashReports:
		return openPhoneExport(ctx, p, kind, tmp)
	}
	return nil, fmt.Errorf("%s: unknown evidence type %q", p, kind)
}

// openDump opens a file-system dump (folder, zip, tar or tar.gz) through
// its index (internal/source/fsdump). A forced --type ios-fs reads it even
// in no known layout, and says so.
func openDump(ctx context.Context, p string, tmp *scratch.Dir, o Options) (*source.Evidence, error) {
	return fsdump.Open(ctx, p, fsdump.Options{Forced: o.Type == source.IOSFS, Temp: tmp})
}

// tryDump opens an archive as a file-system dump when the type is not
// forced to something else and its index shows a dump's layout; ok is
// false when the archive is something else (the other readers try it).
func tryDump(ctx context.Context, p string, tmp *scratch.Dir, o Options) (ev *source.Evidence, ok bool, err error) {
	if o.Type != "" && o.Type != source.IOSFS {
		return nil, false, nil
	}
	ev, err = openDump(ctx, p, tmp, o)
	switch {
	case err == nil:
		return ev, true, nil
	case o.Type == source.IOSFS, ctx.Err() != nil:
		return nil, true, err
	}
	// Not a dump, or an archive the dump reader does not take (the other
	// readers give their own error if they cannot either).
	return nil, false, nil
}

// openTar opens a tar or tar.gz: a file-system dump through its index (no
// file extracted); anything else (sysdiagnose, a backup folder someone
// archived) extracted into the private folder with every entry checked
// and the whole declared size reserved from the disk budget first.
func openTar(ctx context.Context, p string, tmp *scratch.Dir, o Options) (*source.Evidence, error) {
	sysdiagnose := strings.HasPrefix(strings.ToLower(filepath.Base(p)), "sysdiagnose")
	if !sysdiagnose {
		if ev, ok, err := tryDump(ctx, p, tmp, o); ok {
			return ev, err
		}
	}
	dst, err := tmp.Mkdir("extracted")
	if err != nil {
		return nil, err
	}
	lim := archive.DefaultTarLimits
	if strings.HasPrefix(strings.ToLower(filepath.Base(p)), "sysdiagnose") || o.Type == source.IOSSysdiagnose {
		lim = archive.SysdiagnoseTarLimits
	}
	notes, err := archive.ExtractTar(ctx, p, dst, lim, tmp.Budget())
	if err != nil {
		return nil, err
	}
	root := dst
	if k := Classify(evfile.Dir(root)); k == "" {
		if td := topDir(evfile.Dir(root)); td != "." {
			root = filepath.Join(dst, td)
		}
	}
	ev, err := openDir(ctx, root, tmp, o)
	if err != nil {
		return nil, err
	}
	ev.Path = p
	if ev.Kind == source.IOSSysdiagnose {
		sysdiagnoseDevice(ev, filepath.Base(p)) // the archive's name, when the folder inside has none
	}
	for _, n := range notes {
		ev.Note(n)
	}
	return ev, nil
}

// openZip reads a zip as a file system where it can (androidqf, bugreport,
// file-system dumps) and extracts it where the reader needs real files (an
// iOS backup's hashed files and Manifest.db).
func openZip(ctx context.Context, p string, tmp *scratch.Dir, o Options) (*source.Evidence, error) {
	if ev, ok, err := tryDump(ctx, p, tmp, o); ok {
		return ev, err
	}
	zfs, closer, err := archive.OpenZip(p)
	if err != nil {
		return nil, err
	}
	kind := o.Type
	sub := "."
	if kind == "" {
		kind = Classify(zfs)
		if kind == "" {
			if td := topDir(zfs); td != "." {
				if s, err := fs.Sub(zfs, td); err == nil {
					if k := Classify(s); k != "" {
						kind, sub = k, td
					}
				}
			}
		}
	}
	switch kind {
	case source.AndroidQF:
		closer.Close()
		return openAndroidQF(ctx, p, tmp, o)
	case source.Bugreport:
		closer.Close()
		return openBugreport(ctx, p, tmp, o)
	case source.IntrusionLogs:
		closer.Close()
		return openIntrusionLogs(ctx, p, tmp, o)
	case source.IOSFS:
		// The dump reader declined it above: read it forced, so its error
		// (or the missing layout) is said, not taken for another type.
		closer.Close()
		o.Type = source.IOSFS
		return openDump(ctx, p, tmp, o)
	case source.IOSAppPrivacyReport, source.IOSSafariExport, source.IOSCrashReports:
		closer.Close()
		return openPhoneExport(ctx, p, kind, tmp)
	case source.IOSSysdiagnose:
		fsys := fs.FS(zfs)
		if sub != "." {
			fsys, _ = fs.Sub(zfs, sub)
		}
		ev := &source.Evidence{Kind: kind, Path: p, FS: fsys, TempDir: tmp.Path(), Temp: tmp}
		ev.Device.Platform = "ios"
		if kind == source.IOSSysdiagnose {
			sysdiagnoseDevice(ev, sub, filepath.Base(p))
		}
		ev.OnClose(closer.Close)
		ev.RefusedEntries(filepath.Base(p), archive.Refused(zfs))
		return ev, nil
	case source.IOSBackup:
		defer closer.Close()
		dst, err := tmp.Mkdir("extracted")
		if err != nil {
			return nil, err
		}
		if err := archive.Extract(ctx, zfs, sub, dst, tmp.Budget(), filepath.Base(p)); err != nil {
			return nil, err
		}
		ev, err := openIOSBackup(ctx, dst, tmp, o)
		if err != nil {
			return nil, err
		}
		ev.Path = p
		ev.RefusedEntries(filepath.Base(p), archive.Refused(zfs))
		return ev, nil
	}
	if kind == source.Network || kind == "" && isNetworkTree(zfs) {
		ev, err := openNetworkFS(ctx, zfs, p, tmp)
		if err != nil {
			closer.Close()
			return nil, err
		}
		ev.OnClose(closer.Close)
		ev.RefusedEntries(filepath.Base(p), archive.Refused(zfs))
		return ev, nil
	}
	closer.Close()
	return nil, fmt.Errorf("%s: %w", p, ErrUnknown)
}

// sysdiagnoseTimeZone reads the device zone from sysdiagnose.log, whose
// header carries a line such as "Timezone: Europe/Madrid" or
// "TZ: America/Mexico_City".
func sysdiagnoseTimeZone(ev *source.Evidence) string {
	matches, _ := fs.Glob(ev.FS, "sysdiagnose*.log")
	for _, m := range matches {
		f, err := ev.Open(m, evfile.Stream)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
		for sc.Scan() {
			line := sc.Text()
			for _, key := range []string{"Timezone:", "TimeZone:", "timezone:", "TZ:"} {
				if _, after, ok := strings.Cut(line, key); ok {
					tz := strings.Fields(after)
					if len(tz) > 0 && strings.Contains(tz[0], "/") {
						f.Close()
						return strings.Trim(tz[0], "\"',")
					}
				}
			}
		}
		f.Close()
	}
	return ""
}
