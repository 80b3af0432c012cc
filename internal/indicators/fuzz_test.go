package indicators

import (
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/model"
)

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{
		`[domain-name:value='example.org']`,
		`[file:hashes.'SHA-256' = 'ab\'c\\']`,
		`[a:b='x' OR c:d IN ('y', 'z')] OR ([e:f LIKE 'g'] AND [h:i.j[*].k != 3]) WITHIN 5 SECONDS`,
		`[a:b='x'] FOLLOWEDBY [c:d=t'2020-01-01T00:00:00Z'] START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z' REPEATS 2 TIMES`,
		`[a:b=h'ff' AND NOT c:d MATCHES 'x' AND EXISTS e:f] `,
		`(((`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParsePattern(s)
		if err != nil {
			return
		}
		alts, _ := evaluate(n)
		for _, a := range alts {
			if _, known := simplePaths[a.Type]; !known && foldTypes[a.Type] == "" || a.Value == "" {
				t.Fatalf("bad alternative %+v", a)
			}
		}
	})
}

// FuzzLoadBundle feeds arbitrary bytes as an indicator file and then
// matches something, so the loader and the compiled matcher are both
// exercised on hostile input.
func FuzzLoadBundle(f *testing.F) {
	b := mvtTestBundle()
	b.report("R", "indicator--00000000-0000-4000-8000-000000000002")
	f.Add(b.bytes(f))
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"indicator","id":"x","pattern":"[url:value='http://[::1]:8/']"},{"type":"indicator","id":1}]}`))
	f.Add([]byte(`{"objects":[{"type":"indicator","pattern":"[domain-name:value='a.b' OR file:path='/x/']"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadFS(fstest.MapFS{"f.stix2": {Data: data}}, "f.stix2")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Files) != 1 {
			t.Fatalf("%d files", len(s.Files))
		}
		for _, o := range []model.Observable{
			{Kind: model.KindURL, Value: "http://a.example.org/x"},
			{Kind: model.KindFilePath, Value: "/x/y"},
			{Kind: model.KindProcess, Value: "abcdefghijklmno"},
		} {
			s.Match(o)
		}
		s.Search("example.org")
	})
}
