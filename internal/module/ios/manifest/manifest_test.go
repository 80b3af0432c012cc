package manifest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source/iosbackup"
	"github.com/huella-project/huella/internal/source/iosbackup/iosbackuptest"
	"github.com/huella-project/huella/internal/testutil"
)

func runBackup(t *testing.T, dir, pw string) *moduletest.Sink {
	t.Helper()
	ev, err := iosbackup.Open(context.Background(), dir, iosbackup.Options{Password: pw, TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ev.Close() })
	s, err := moduletest.Run(t, Def(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDomains(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Library/WebKit/WebsiteData/LocalStorage/https_ad.Example.net_0.localstorage", []string{"ad.example.net"}},
		{"Library/Preferences/com.apple.CoreBrightness.plist", nil},
		{"Library/Caches/com.apple.foo", nil},
		{"evil.example.org/x", []string{"evil.example.org"}},
		{"a_co.uk_b", nil},
		{"", nil},
	}
	// A path naming many hosts, each twice, switches to a set: each once, in order.
	var many, manyWant []string
	for i := range 40 {
		h := fmt.Sprintf("h%d.example.com", i)
		many, manyWant = append(many, h, h), append(manyWant, h)
	}
	cases = append(cases, struct {
		in   string
		want []string
	}{strings.Join(many, "_"), manyWant})
	for _, c := range cases {
		if got := Domains(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Domains(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestManifest(t *testing.T) {
	m := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	b := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, pw := range []string{"", "pw"} {
		dir := t.TempDir()
		iosbackuptest.Backup{Password: pw, Files: []iosbackuptest.File{
			{Domain: "HomeDomain", Path: "Library", Flags: 2, Modified: m, Birth: m},
			{Domain: "HomeDomain", Path: "Library/https_bad.example.com_0.localstorage", Flags: 1, Content: []byte("x"), Modified: m, Birth: b},
			{Domain: "HomeDomain", Path: "Library/absent.db", Flags: 1},
		}}.Write(t, dir)
		s := runBackup(t, dir, pw)
		if len(s.Records) != 3 {
			t.Fatalf("%d records", len(s.Records))
		}
		byPath := map[string]*model.Record{}
		for _, r := range s.Records {
			byPath[r.Source] = r
		}
		dirRec := byPath["HomeDomain/Library"]
		if len(dirRec.Times) != 1 || dirRec.Times[0].Desc != "M-CB" {
			t.Errorf("folder stamps %+v", dirRec.Times)
		}
		f := byPath["HomeDomain/Library/https_bad.example.com_0.localstorage"]
		if len(f.Times) != 2 || f.Times[0].Desc != "M-C-" || f.Times[1].Desc != "---B" {
			t.Errorf("file stamps %+v", f.Times)
		}
		want := []model.Observable{
			{Kind: model.KindFilePath, Value: "/Library/https_bad.example.com_0.localstorage", Field: "relative_path"},
			{Kind: model.KindDomain, Value: "bad.example.com", Field: "relative_path"},
		}
		if !reflect.DeepEqual(f.Observables, want) {
			t.Errorf("observables %+v", f.Observables)
		}
		if d := f.Data.(Entry); d.Mode != "0o100644" || d.Size != 1 || d.Owner != 501 {
			t.Errorf("data %+v", d)
		}
		if byPath["HomeDomain/Library/absent.db"] == nil {
			t.Error("entry whose file is not stored was dropped")
		}
	}
}

// MVT's test: 3721 records and 5881 timeline events.
func TestConformanceMVT(t *testing.T) {
	s := runBackup(t, testutil.Shared(t, "fixtures/mvt/ios_backup"), "")
	events := 0
	for _, r := range s.Records {
		events += len(r.Events())
	}
	if len(s.Records) != 3721 || events != 5881 || len(s.Warnings) != 0 {
		t.Errorf("%d records, %d events, warnings %v", len(s.Records), events, s.Warnings)
	}
	found := false
	for _, r := range s.Records {
		for _, o := range r.Observables {
			if o.Kind == model.KindFilePath && o.Value == "/Library/Preferences/com.apple.CoreBrightness.plist" {
				found = true
			}
		}
	}
	if !found {
		t.Error("CoreBrightness.plist path not exposed")
	}
}
