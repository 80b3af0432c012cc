package aqf

import (
	"strings"
	"testing"
)

func FuzzParsePackages(f *testing.F) {
	f.Add([]byte(acqFiles["packages.json"]))
	f.Add([]byte(`[{"name":"a","files":[{"certificate":null}]}, 3, null]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		pkgs, _, err := ParsePackages(b)
		if err != nil {
			return
		}
		if len(pkgs) > maxPackages {
			t.Fatalf("%d packages, over the limit", len(pkgs))
		}
		for i := range pkgs {
			if pkgs[i].Name == "" {
				t.Fatal("package without a name accepted")
			}
			_ = packageRecord("packages.json", &pkgs[i])
		}
	})
}

func FuzzReadFiles(f *testing.F) {
	f.Add(acqFiles["files.json"])
	f.Add(`[{"path":"/a"}]`)
	f.Add(`[{"path":"/` + strings.Repeat("a", 5000) + `"}]`)
	const maxEntry = 4096
	f.Fuzz(func(t *testing.T, s string) {
		// No entry the reader hands on may have taken more than its
		// allowance of input (the decoder holds one entry whole).
		_, _ = readFiles(strings.NewReader(s), maxEntry, func(f *File) error {
			if n := len(f.Path) + len(f.SHA256) + len(f.SHA1) + len(f.SHA512) + len(f.MD5) + len(f.Context); n > maxEntry {
				t.Fatalf("an entry of %d bytes of text passed the %d-byte limit", n, maxEntry)
			}
			return nil
		})
	})
}

func FuzzParsePSAndMounts(f *testing.F) {
	f.Add(acqFiles["ps.txt"])
	f.Add("/dev/x on /system type ext4 (rw)")
	f.Fuzz(func(t *testing.T, s string) {
		procs, _ := ParsePS(strings.NewReader(s))
		if len(procs) > maxProcesses {
			t.Fatalf("%d processes, over the limit", len(procs))
		}
		for _, p := range procs {
			_ = appIDOf(p.Name)
		}
		_, _ = ParseMount(s)
		if set, _ := ParseSettings("x", []byte(s)); len(set) > maxSettings {
			t.Fatalf("%d settings, over the limit", len(set))
		}
	})
}
