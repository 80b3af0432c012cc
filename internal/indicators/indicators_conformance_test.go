package indicators

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/testutil"
)

// feedCounts is the "indicators" and "by type" columns of
// ../shared/iocs/SOURCES.md, keyed by the file's path under iocs/.
var feedCounts = []struct {
	file       string
	indicators int
	counts     map[string]int
}{
	{"amnesty/2021-07-18_nso/pegasus.stix2", 1549, map[string]int{TypeDomain: 1438, TypeProcess: 81, TypeEmail: 29, TypeFileName: 1}},
	{"mvt-indicators/intellexa_predator/predator.stix2", 585, map[string]int{TypeDomain: 569, TypeFilePath: 15, TypeProfileID: 1}},
	{"mvt-indicators/2022-06-23_rcs_lab/rcs.stix2", 40, map[string]int{TypeDomain: 26, TypeSHA256: 9, TypeAppID: 5}},
	{"echap/stalkerware.upstream-2023-05-31.stix2", 5046, map[string]int{TypeSHA256: 2910, TypeDomain: 1447, TypeAppID: 590, TypeCertSHA1: 99}},
	{"echap/stalkerware.regenerated-2026-06-21.stix2", 6004, map[string]int{TypeSHA256: 3228, TypeDomain: 1566, TypeAppID: 652, TypeCertSHA1: 486, TypeIPv4: 70, TypeURL: 2}},
	{"amnesty/2023-03-29_android_campaign/malware.stix2", 2187, map[string]int{TypeDomain: 2183, TypeAndroidProperty: 3, TypeFilePath: 1}},
	{"mvt-indicators/2023-04-11_quadream/kingspawn.stix2", 167, map[string]int{TypeDomain: 164, TypeFilePath: 2, TypeProcess: 1}},
	{"mvt-indicators/2023-06_01_operation_triangulation/operation_triangulation.stix2", 112, map[string]int{TypeDomain: 75, TypeEmail: 36, TypeProcess: 1}},
	{"mvt-indicators/2023-07-25_wyrmspy_dragonegg/wyrmspy_dragonegg.stix2", 53, map[string]int{TypeSHA256: 34, TypeDomain: 7, TypeAppID: 7, TypeIPv4: 5}},
	{"amnesty/2024-05-02_wintego_helios/wintego_helios.stix2", 175, map[string]int{TypeDomain: 175}},
	{"amnesty/2024-12-16_serbia_novispy/novispy.stix2", 18, map[string]int{TypeDomain: 7, TypeAppID: 4, TypeSHA256: 4, TypeCertSHA256: 3}},
	{"mvt-indicators/candiru/candiru.stix2", 125, map[string]int{TypeDomain: 125}},
	{"mvt-indicators/ResidentBat/residentbat.stix2", 48, map[string]int{TypeIPv4: 24, TypeAppID: 8, TypeCertSHA256: 8, TypeSHA256: 8}},
	{"mvt-indicators/cellebrite/cellebrite.stix2", 1, map[string]int{TypeAppID: 1}},
	{"mvt-indicators/2026-03-30_darksword/darksword.stix2", 43, map[string]int{TypeFilePath: 22, TypeDomain: 10, TypeFileName: 7, TypeIPv4: 3, TypeSHA256: 1}},
	{"mvt-indicators/2026-03-03_coruna_cryptowaters/coruna.stix2", 216, map[string]int{TypeDomain: 177, TypeSHA256: 20, TypeFilePath: 12, TypeFileName: 7}},
	{"amnesty/2021-12-16_cytrox/cytrox.stix2", 343, map[string]int{TypeDomain: 336, TypeFilePath: 6, TypeProfileID: 1}},
	{"mvt-indicators/2024-12-25_eaglemsgspy/eaglemsgspy.stix2", 51, map[string]int{TypeSHA256: 25, TypeDomain: 13, TypeIPv4: 13}},
}

func TestConformanceAllFeeds(t *testing.T) {
	root := testutil.Shared(t, "iocs")
	s, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]FileInfo{}
	for _, f := range s.Files {
		rel, _ := filepath.Rel(root, f.Path)
		byPath[filepath.ToSlash(rel)] = f
	}
	if len(s.Files) != len(feedCounts) {
		t.Errorf("loaded %d files, SOURCES.md lists %d", len(s.Files), len(feedCounts))
	}
	for _, want := range feedCounts {
		got, ok := byPath[want.file]
		if !ok {
			t.Errorf("%s not loaded", want.file)
			continue
		}
		if got.Error != "" || got.Unsupported != 0 || got.Indicators != want.indicators || !reflect.DeepEqual(got.Counts, want.counts) || len(got.SHA256) != 64 {
			t.Errorf("%s: error %q unsupported %d indicators %d counts %v; want %d %v",
				want.file, got.Error, got.Unsupported, got.Indicators, got.Counts, want.indicators, want.counts)
		}
	}
	if len(s.Problems) != 0 {
		t.Errorf("%d problems, first %+v", len(s.Problems), s.Problems[0])
	}
}

// SOURCES.md: the 17 files other than the regenerated stalkerware hold
// 10,241 distinct (type, value) pairs; the 15 feeds of indicators.yaml with
// the regenerated file hold 11,304.
func TestConformanceDistinct(t *testing.T) {
	root := testutil.Shared(t, "iocs")
	var all, feeds []string
	for _, f := range feedCounts {
		p := filepath.Join(root, f.file)
		if !strings.Contains(f.file, "regenerated") {
			all = append(all, p)
		}
		if !strings.Contains(f.file, "upstream") && !strings.Contains(f.file, "cytrox") && !strings.Contains(f.file, "eaglemsgspy") {
			feeds = append(feeds, p)
		}
	}
	for _, tt := range []struct {
		paths []string
		want  int
	}{{all, 10241}, {feeds, 11304}} {
		s, err := Load(tt.paths...)
		if err != nil {
			t.Fatal(err)
		}
		if s.Len() != tt.want {
			t.Errorf("%d files: %d distinct indicators, want %d", len(tt.paths), s.Len(), tt.want)
		}
	}
}

func TestConformanceMVTFixtures(t *testing.T) {
	dir := testutil.Shared(t, "fixtures/mvt/stix2")
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		campaign string
		counts   map[string]int
	}{
		"cytrox.stix2":                  {"Predator", map[string]int{TypeDomain: 336, TypeFilePath: 6, TypeProfileID: 1}},
		"638cd3ee5e5f019f84f9e0ea.json": {"Pegasus Forensic Traces", map[string]int{TypeDomain: 15, TypeURL: 54}},
	}
	for _, f := range s.Files {
		w, ok := want[f.Name]
		if !ok {
			t.Errorf("unexpected file %s", f.Name)
			continue
		}
		if f.Error != "" || !reflect.DeepEqual(f.Counts, w.counts) {
			t.Errorf("%s: %q %v, want %v", f.Name, f.Error, f.Counts, w.counts)
		}
	}
	// One indicator of each file, to check attribution: Cytrox's via its
	// malware object, the OTX export's via its report.
	for _, tt := range []struct {
		kind                  model.Kind
		value, file, campaign string
	}{
		{model.KindURL, "https://statsads.co/2B56JyXwZ", "638cd3ee5e5f019f84f9e0ea.json", "Pegasus Forensic Traces"},
		{model.KindProfileID, "76dab334-7e17-475d-a5d6-0794eb5818a5", "cytrox.stix2", "Predator"},
	} {
		got := s.Match(model.Observable{Kind: tt.kind, Value: tt.value})
		found := false
		for _, r := range got {
			if r.File == tt.file && strings.HasPrefix(r.Campaign, tt.campaign) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %+v, want file %s campaign %s…", tt.value, got, tt.file, tt.campaign)
		}
	}
}

// TestConformanceMVTCheckURL replays MVT's test_check_url on the bundle
// MVT's tests generate.
func TestConformanceMVTCheckURL(t *testing.T) {
	dir := t.TempDir()
	p := mvtTestBundle().write(t, dir, "indicators.stix2")
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 9 || s.Files[0].Indicators != 9 {
		t.Fatalf("len %d indicators %d, want 9", s.Len(), s.Files[0].Indicators)
	}
	tests := []struct {
		url   string
		match string // indicator value, "" for none
	}{
		{"http://example.com/thisisbad", "http://example.com/thisisbad"},
		{"http://example.com/thisisgood", ""},
		{"https://www.example.org/foobar", "example.org"},
		{"http://example.org:8080/toto", "example.org"},
		{"https://github.com", ""},
		{"https://example.com/", ""},
		{"https://198.51.100.1:8080/", "198.51.100.1"},
		{"https://1.1.1.1/", ""},
	}
	for _, tt := range tests {
		got := s.Match(model.Observable{Kind: model.KindURL, Value: tt.url})
		switch {
		case tt.match == "" && len(got) != 0:
			t.Errorf("%s matched %+v", tt.url, got)
		case tt.match != "" && (len(got) != 1 || got[0].Value != tt.match || got[0].Campaign != "TestMalware" || got[0].File != "indicators.stix2"):
			t.Errorf("%s: %+v, want %s", tt.url, got, tt.match)
		}
	}
	// test_check_file_hash, test_check_android_property, hash key variants.
	for _, tt := range []struct {
		o  model.Observable
		ok bool
	}{
		{model.Observable{Kind: model.KindSHA256, Value: "570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6"}, true},
		{model.Observable{Kind: model.KindSHA1, Value: "da0611a300a9ce9aa7a09d1212f203fca5856794"}, true},
		{model.Observable{Kind: model.KindSHA256, Value: "0000d76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6"}, false},
		{model.Observable{Kind: model.KindAndroidProperty, Value: "sys.foobar"}, true},
		{model.Observable{Kind: model.KindAndroidProperty, Value: "sys.soundsokay"}, false},
		{model.Observable{Kind: model.KindProcess, Value: "Launch"}, true},
		{model.Observable{Kind: model.KindEmail, Value: "foobar@example.org"}, true},
	} {
		if got := s.Match(tt.o); (len(got) > 0) != tt.ok {
			t.Errorf("%v: %+v, want match %v", tt.o, got, tt.ok)
		}
	}
}
