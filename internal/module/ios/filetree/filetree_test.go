package filetree

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"testing/fstest"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
)

func bundle(patterns ...string) fstest.MapFS {
	objs := `{"type":"malware","spec_version":"2.1","id":"malware--00000000-0000-4000-8000-000000000001","name":"TestSpy","is_family":false}`
	for i, p := range patterns {
		objs += fmt.Sprintf(`,{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d","pattern":%q,"pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}`, i+10, p)
		objs += fmt.Sprintf(`,{"type":"relationship","spec_version":"2.1","id":"relationship--00000000-0000-4000-8000-%012d","relationship_type":"indicates","source_ref":"indicator--00000000-0000-4000-8000-%012d","target_ref":"malware--00000000-0000-4000-8000-000000000001"}`, i+100, i+10)
	}
	return fstest.MapFS{"t.stix2": {Data: []byte(`{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[` + objs + `]}`)}}
}

func tree(t *testing.T, files ...string) string {
	dir := t.TempDir()
	when := time.Date(2023, 6, 1, 10, 0, 0, 0, time.UTC)
	for _, f := range files {
		p := moduletest.File(t, dir, f, []byte("x"))
		os.Chtimes(p, when, when)
	}
	return dir
}

func TestModule(t *testing.T) {
	set, err := indicators.LoadFS(bundle("[process:name='roleaccountd']", "[file:name='rce_loader.js']"), "t.stix2")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		files   []string
		entries int
		matches []string
	}{
		{"clean", []string{"private/var/mobile/Library/SMS/sms.db", "private/var/mobile/Library/Preferences/com.apple.x.plist"}, 8, nil},
		{"implant", []string{"private/var/mobile/Library/SMS/sms.db", "private/var/db/roleaccountd/stage.bin", "private/var/tmp/rce_loader.js"},
			11, []string{"roleaccountd", "rce_loader.js"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, tree(t, c.files...)))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Records) != c.entries {
				t.Errorf("entries = %d, want %d", len(s.Records), c.entries)
			}
			var got []string
			for _, r := range s.Records {
				for _, d := range scan.MatchRecord(set, r) {
					got = append(got, d.Indicator.Value)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.matches) && !(len(got) == 0 && len(c.matches) == 0) {
				t.Errorf("matches = %v, want %v", got, c.matches)
			}
			for _, r := range s.Records {
				e := r.Data.(*Entry)
				if !e.Dir && (len(r.Times) != 1 || r.Times[0].Desc != "file_modified" || r.Times[0].Time.Year() != 2023) {
					t.Errorf("%s: stamps %+v", e.Path, r.Times)
				}
				if !moduletest.Has(r, model.KindFilePath, e.Path) {
					t.Errorf("%s: no file_path observable", e.Path)
				}
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	if _, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, t.TempDir())); err == nil {
		t.Error("an empty tree should be absent")
	}
}

// BenchmarkWalk measures the walk and record building over 100,000 files.
func BenchmarkWalk(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < 100_000; i++ {
		p := filepath.Join(dir, "private/var/mobile/Containers/Data/Application", fmt.Sprintf("%03d", i%500), fmt.Sprintf("f%d", i))
		if i < 500 {
			os.MkdirAll(filepath.Dir(p), 0o755)
		}
		os.WriteFile(p, nil, 0o644)
	}
	ev := moduletest.Evidence(b, source.IOSFS, dir)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := moduletest.Run(b, Def(), ev)
		if err != nil || len(s.Records) < 100_000 {
			b.Fatal(err, len(s.Records))
		}
	}
}
