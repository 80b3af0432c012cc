package fsdump

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

// listing is a dump as the phone's tree: every folder, file and link with
// its size, time and the SHA-256 of its bytes read through the view.
func listing(t *testing.T, ev *source.Evidence) map[string]string {
	t.Helper()
	v := ev.FS.(*View)
	out := map[string]string{}
	err := v.Walk(func(p []byte, in Info) error {
		name := string(p)
		switch {
		case in.Dir:
			out[name] = fmt.Sprintf("dir %s", in.Modified.Format("2006-01-02T15:04:05Z07:00"))
		case in.Special:
			out[name] = "special"
		default:
			b, err := evfile.ReadFile(ev.FS, name, evfile.Limit{Kind: "test", Max: 64 << 20})
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return nil
			}
			sum := sha256.Sum256(b)
			out[name] = fmt.Sprintf("file %d %s %s", in.Size, in.Modified.Format("2006-01-02T15:04:05Z07:00"), hex.EncodeToString(sum[:8]))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func genDump(t *testing.T, dir string, l samplegen.DumpLayout) string {
	t.Helper()
	o := samplegen.DumpOptions{Options: samplegen.Scaled(200, 3), Paths: 3000, Layout: l}
	o.Plant = true
	out := filepath.Join(dir, "dump-"+strings.ReplaceAll(string(l), ".", "-")+l.Ext())
	if _, err := samplegen.GenerateIOSDump(out, o); err != nil {
		t.Fatal(err)
	}
	return out
}

func openDump(t *testing.T, p string, forced bool) *source.Evidence {
	t.Helper()
	tmp, err := scratch.New(t.TempDir(), "t-", scratch.NewBudget(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := Open(context.Background(), p, Options{Temp: tmp, Forced: forced})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ev.Close(); tmp.Close() })
	return ev
}

// TestLayoutsReadAsThePlainFolder builds the same phone in every layout
// analysts receive and checks each is read as the plain folder: the same
// folders, files, sizes, times and bytes, through the same device paths.
func TestLayoutsReadAsThePlainFolder(t *testing.T) {
	dir := t.TempDir()
	ref := listing(t, openDump(t, genDump(t, dir, samplegen.DumpFolder), false))
	if len(ref) < 3000 {
		t.Fatalf("reference holds %d entries", len(ref))
	}
	for _, must := range []string{"private/var/mobile/Library/SMS/sms.db", samplegen.PlantedStaging, "System/Library/CoreServices/SystemVersion.plist"} {
		if !strings.HasPrefix(ref[must], "file ") {
			t.Fatalf("reference lacks %s", must)
		}
	}
	cases := []struct {
		layout samplegen.DumpLayout
		name   string // the layout note must name it
	}{
		{samplegen.DumpWrapped, "file-system dump"},
		{samplegen.DumpUFEDFolder, "UFED"},
		{samplegen.DumpUFEDZip, "UFED"},
		{samplegen.DumpUFEDLegacy, "UFED"},
		{samplegen.DumpGrayKeyZip, "file-system dump"},
		{samplegen.DumpTar, "file-system dump"},
		{samplegen.DumpTarRooted, "file-system dump"},
		{samplegen.DumpTarDot, "file-system dump"},
		{samplegen.DumpTarGz, "file-system dump"},
		{samplegen.DumpUFEDTarGz, "UFED"},
		{samplegen.DumpVarOnly, "data partition only"},
	}
	for _, c := range cases {
		t.Run(string(c.layout), func(t *testing.T) {
			ev := openDump(t, genDump(t, t.TempDir(), c.layout), false)
			got := listing(t, ev)
			want := ref
			if c.layout == samplegen.DumpVarOnly {
				// The data partition alone: /private/var and what it holds;
				// the folders above it are only the way there.
				want = map[string]string{}
				for k, v := range ref {
					if strings.HasPrefix(k, "private/var/") {
						want[k] = v
					}
				}
				delete(got, "private")
				delete(got, "private/var")
			}
			diffs := 0
			for k, w := range want {
				if g := got[k]; g != w && diffs < 10 {
					diffs++
					t.Errorf("%s: got %q, want %q", k, g, w)
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok && diffs < 10 {
					diffs++
					t.Errorf("%s: not in the plain folder (%q)", k, got[k])
				}
			}
			notes := strings.Join(ev.NoteList(), "\n")
			if !strings.Contains(notes, "layout: ") || !strings.Contains(notes, c.name) {
				t.Errorf("notes do not name the layout %q:\n%s", c.name, notes)
			}
			if gaps := ev.GapList(); len(gaps) > 0 {
				t.Errorf("gaps on a sound dump: %+v", gaps)
			}
			if ev.Device.OSVersion != "17.3.1" && c.layout != samplegen.DumpVarOnly {
				t.Errorf("iOS version %q, want 17.3.1 from SystemVersion.plist", ev.Device.OSVersion)
			}
		})
	}
}

// The UFED layouts merge filesystem1/ and filesystem2/ into one tree where
// the data partition hides the system partition's stale copy, and keep the
// tool's extra/ apart from the device paths.
func TestUFEDMerge(t *testing.T) {
	ev := openDump(t, genDump(t, t.TempDir(), samplegen.DumpUFEDZip), false)
	v := ev.FS.(*View)
	b, err := evfile.ReadFile(ev.FS, "private/var/mobile/Library/SMS/sms.db", evfile.Database)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "SQLite format 3") {
		t.Errorf("sms.db read from the system partition's stale copy: %q", b[:min(len(b), 40)])
	}
	if _, err := evfile.ReadFile(ev.FS, ToolFolder+"/extra/KeychainDump/backup_keychain_v2.plist", evfile.Plist); err != nil {
		t.Errorf("extra/ not reachable under %s: %v", ToolFolder, err)
	}
	listed := false
	v.Walk(func(p []byte, in Info) error {
		if strings.HasPrefix(string(p), ToolFolder) || strings.HasPrefix(string(p), "extra") || strings.HasPrefix(string(p), "filesystem") {
			listed = true
		}
		return nil
	})
	if listed {
		t.Error("the tool's folders are listed as the phone's")
	}
	notes := strings.Join(ev.NoteList(), "\n")
	for _, want := range []string{"filesystem1/ as /", "filesystem2/ as /private/var", "extra/", "hidden by another"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if got := v.Glob("private/var/mobile/Library/SMS/*.db"); len(got) != 1 {
		t.Errorf("glob = %v", got)
	}
	if got := v.Glob("**/sms.db"); len(got) != 1 || got[0] != "private/var/mobile/Library/SMS/sms.db" {
		t.Errorf("glob ** = %v", got)
	}
}

// A forced --type ios-fs on a tree in no known layout reads its top as /
// and says so: a part not checked naming what the top holds and that the
// expected artifacts are missing, never a silent half-read.
func TestForcedUnknownLayoutIsAGap(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"stuff/a.txt", "other/b.txt", "c.txt"} {
		samplegenFile(t, dir, f, "x")
	}
	if _, err := Open(context.Background(), dir, Options{}); err != ErrNotDump {
		t.Fatalf("unforced: %v, want ErrNotDump", err)
	}
	ev := openDump(t, dir, true)
	gaps := ev.GapList()
	if len(gaps) != 1 || !strings.Contains(gaps[0].Detail, "no known layout") || !strings.Contains(gaps[0].Detail, "other/, stuff/") {
		t.Fatalf("gaps = %+v", gaps)
	}
	if gaps[0].Cause != coverage.NothingFound || !strings.Contains(gaps[0].Fix, "give the root folder") {
		t.Errorf("gap %+v: want nothing_found with the folder to give", gaps[0])
	}
	if !strings.Contains(gaps[0].Detail, "6 of the 6 artifacts") {
		t.Errorf("gap does not count the missing artifacts: %s", gaps[0].Detail)
	}
}

// A recognised dump lacking some expected artifacts says which in a note;
// lacking all of them, it is a part not checked.
func TestExpectedArtifacts(t *testing.T) {
	dir := t.TempDir()
	samplegenFile(t, dir, "private/var/mobile/Library/SMS/sms.db", "x")
	ev := openDump(t, dir, false)
	notes := strings.Join(ev.NoteList(), "\n")
	if !strings.Contains(notes, "TCC.db") || strings.Contains(notes, "messages (sms.db)") {
		t.Errorf("notes = %s", notes)
	}
	if len(ev.GapList()) != 0 {
		t.Errorf("gaps = %+v", ev.GapList())
	}
	dir = t.TempDir()
	samplegenFile(t, dir, "private/var/mobile/Media/x.jpg", "x")
	ev = openDump(t, dir, false)
	if g := ev.GapList(); len(g) != 1 || g[0].Cause != coverage.NotChecked || !strings.Contains(g[0].Detail, "none is in this dump") || !strings.Contains(g[0].Detail, "TCC.db") || g[0].Fix == "" {
		t.Errorf("gaps = %+v", g)
	}
}

func samplegenFile(t *testing.T, dir, rel, body string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := mkdirWrite(p, body); err != nil {
		t.Fatal(err)
	}
}
