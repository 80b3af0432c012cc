package integrity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// allEvidence builds every evidence type huella reads, generated where a
// generator exists and copied from ../shared otherwise.
func allEvidence(s *sandbox) []evidence {
	evs := []evidence{
		genIOSBackup(s, "ios-backup", false),
		genIOSBackup(s, "ios-backup-encrypted", true),
		genIOSFS(s, "ios-fs"),
		genIOSFSTarGz(s, "ios-fs-targz"),
		genSysdiagnose(s, "sysdiagnose"),
		genAndroidQF(s, "androidqf"),
		genAndroidQFZip(s, "androidqf-zip"),
		genIntrusion(s, "intrusion-logs"),
	}
	for _, sh := range []struct{ name, rel, pw string }{
		{"mvt-ios-backup", "fixtures/mvt/ios_backup", ""},
		{"mvt-androidqf", "fixtures/mvt/androidqf", ""},
		{"mvt-androidqf-zip", "fixtures/mvt/androidqf.zip", ""},
		{"mvt-ab", "fixtures/mvt/android_backup/backup.ab", ""},
		{"mvt-ab-encrypted", "fixtures/mvt/android_backup/backup2.ab", "123456"},
		{"mvt-bugreport", "fixtures/mvt/android_data/bugreport", ""},
		{"ios-encrypted-min", "fixtures/ios-encrypted-min", "0000"},
	} {
		ev, ok := shared(s, sh.name, sh.rel, sh.pw)
		if !ok {
			continue
		}
		ev.Backup = strings.HasPrefix(sh.name, "ios") || sh.name == "mvt-ios-backup"
		ev.Slow = sh.name == "ios-encrypted-min"
		evs = append(evs, ev)
	}
	return evs
}

// TestCommandsLeaveEvidenceUntouched runs every command on every evidence
// type and checks, after each, that the evidence folder is bit-for-bit and
// stat-for-stat what it was, and the private temp folder is gone.
func TestCommandsLeaveEvidenceUntouched(t *testing.T) {
	s := newSandbox(t)
	iocs := s.bundles()
	for _, ev := range allEvidence(s) {
		t.Run(ev.Name, func(t *testing.T) {
			if ev.Slow && testing.Short() {
				t.Skip("10,000,000-round key derivation")
			}
			s.t = t
			before := snapshot(t, ev.Root)
			out := filepath.Join(s.root, "out-"+ev.Name)
			args := []string{"check", ev.Path, "--output", out, "--no-feed-cache", "--iocs", iocs[0], "--iocs", iocs[1]}
			if ev.Password != "" {
				args = append(args, "--password", ev.Password)
			}
			r := s.run(args...)
			if r.code == 2 {
				t.Fatalf("check: exit 2\n%s", r.stderr)
			}
			t.Logf("check exit %d", r.code)
			assertUnchanged(t, "check", before, ev.Root)
			assertPrivateDir(t, out)

			recheck := out + "-recheck"
			if r := s.run("check-iocs", out, "--output", recheck, "--no-feed-cache", "--iocs", iocs[0]); r.code == 2 {
				t.Errorf("check-iocs: exit 2\n%s", r.stderr)
			}
			assertPrivateDir(t, recheck)
			if r := s.run("report", out); r.code != 0 {
				t.Errorf("report: exit %d\n%s", r.code, r.stderr)
			}
			if r := s.run("export", out, "--format", "stix", "--output", filepath.Join(s.root, ev.Name+".stix.json")); r.code != 0 {
				t.Errorf("export: exit %d\n%s", r.code, r.stderr)
			}
			if ev.Backup && ev.Password != "" {
				dec := filepath.Join(s.root, "dec-"+ev.Name)
				if r := s.run("decrypt-backup", ev.Path, "--output", dec, "--password", ev.Password); r.code != 0 {
					t.Errorf("decrypt-backup: exit %d\n%s", r.code, r.stderr)
				}
			}
			assertUnchanged(t, "all commands", before, ev.Root)

			if fi, err := os.Stat(ev.Path); err == nil && fi.IsDir() {
				inside := filepath.Join(ev.Path, "results")
				r := s.run("check", ev.Path, "--output", inside, "--no-feed-cache")
				if r.code != 2 || !strings.Contains(r.stderr, "inside the evidence") {
					t.Errorf("output inside the evidence: exit %d, stderr %q", r.code, r.stderr)
				}
				assertUnchanged(t, "refused output", before, ev.Root)
			}
		})
	}
}

func assertPrivateDir(t *testing.T, dir string) {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Errorf("output folder: %v", err)
		return
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("output folder %s has mode %v, want 0700", dir, fi.Mode().Perm())
	}
}
