package aqf

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/android/androidtest"
	"github.com/huella-project/huella/internal/source"
)

func newEnv(ev *source.Evidence, name string, res *androidtest.Result) *module.Env {
	return module.NewEnv(ev, name, res, slog.New(slog.DiscardHandler))
}

func FuzzParsePackages(f *testing.F) {
	f.Add([]byte(acqFiles["packages.json"]))
	f.Add([]byte(`[{"name":"a","files":[{"certificate":null}]}, 3, null]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		pkgs, _, err := ParsePackages(b)
		if err != nil {
			return
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
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ReadFiles(strings.NewReader(s), func(*File) error { return nil })
	})
}

func FuzzParsePSAndMounts(f *testing.F) {
	f.Add(acqFiles["ps.txt"])
	f.Add("/dev/x on /system type ext4 (rw)")
	f.Fuzz(func(t *testing.T, s string) {
		procs, _ := ParsePS(strings.NewReader(s))
		for _, p := range procs {
			_ = appIDOf(p.Name)
		}
		_, _ = ParseMount(s)
		_, _ = ParseSettings("x", []byte(s))
	})
}
