package webkitorigins

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func TestOriginURL(t *testing.T) {
	for in, want := range map[string]string{
		"https_www.example.com_0":            "https://www.example.com",
		"http_example.org_8080.localstorage": "http://example.org",
		"https_bad.example_0.localstorage":   "https://bad.example",
		"https_bad.example.localstorage":     "https://bad.example",
		"file__0":                            "",
		"https__0":                           "",
		"v1":                                 "",
	} {
		got, ok := OriginURL(in)
		if got != want || ok != (want != "") {
			t.Errorf("%q -> %q %v, want %q", in, got, ok, want)
		}
	}
}

func TestModules(t *testing.T) {
	const app = "private/var/mobile/Containers/Data/Application/1111/"
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	mk := func(rel string, isDir bool) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if isDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		} else {
			moduletest.File(t, dir, rel, []byte("x"))
		}
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
	}
	mk(app+"Library/WebKit/WebsiteData/IndexedDB/https_evil.example_0", true)
	mk(app+"Library/WebKit/WebsiteData/IndexedDB/v1", true)
	mk(app+"Library/WebKit/WebsiteData/LocalStorage/https_news.example_0.localstorage", false)
	mk(app+"Library/WebKit/WebsiteData/LocalStorage/https_news.example_0.localstorage-shm", false)
	mk(app+"SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/LocalStorage/http_lure.example_0.localstorage", false)
	for _, c := range []struct {
		m    module.Def
		want []string
	}{
		{moduletest.Find(t, Defs(), "ios.webkit_indexeddb"), []string{"https://evil.example"}},
		{moduletest.Find(t, Defs(), "ios.webkit_localstorage"), []string{"https://news.example"}},
		{moduletest.Find(t, Defs(), "ios.webkit_safariviewservice"), []string{"http://lure.example"}},
	} {
		s, err := moduletest.Run(t, c.m, moduletest.Evidence(t, source.IOSFS, dir))
		if err != nil {
			t.Fatalf("%s: %v", c.m.Name, err)
		}
		if len(s.Records) != len(c.want) {
			t.Fatalf("%s: %d records", c.m.Name, len(s.Records))
		}
		for i, w := range c.want {
			r := s.Records[i]
			if !moduletest.Has(r, model.KindURL, w) || !r.Times[0].Time.Equal(when) {
				t.Errorf("%s: %+v", c.m.Name, r)
			}
		}
		if _, err := moduletest.Run(t, c.m, moduletest.Evidence(t, source.IOSFS, t.TempDir())); err == nil {
			t.Errorf("%s: clean twin should be absent", c.m.Name)
		}
	}
}

func FuzzOriginURL(f *testing.F) {
	for _, s := range []string{"https_a.example_0", "http_x_1.localstorage", "https_", "http_/etc", "ftp_x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		u, ok := OriginURL(name)
		if ok && !strings.HasPrefix(u, "http") || ok && len(u) > len(name)+3 {
			t.Fatalf("%q -> %q", name, u)
		}
	})
}
