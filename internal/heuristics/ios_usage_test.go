package heuristics

import (
	"fmt"
	"testing"
	"time"
)

func TestRegisteredDomain(t *testing.T) {
	for in, want := range map[string]string{
		"www.google.com":    "google.com",
		"google.com":        "google.com",
		"a.b.example.co.uk": "example.co.uk",
		"WWW.Google.COM.":   "google.com",
		"198.51.100.1":      "198.51.100.1",
		"localhost":         "localhost",
		"":                  "",
	} {
		if got := RegisteredDomain(in); got != want {
			t.Errorf("RegisteredDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKeyGaps(t *testing.T) {
	tests := []struct {
		ids  []int64
		want []IDRange
	}{
		{[]int64{1, 2, 3}, nil},
		{[]int64{1, 2, 4, 5}, []IDRange{{3, 3}}},
		{[]int64{1, 5, 6, 9}, []IDRange{{2, 4}, {7, 8}}},
		{[]int64{7}, nil},
		{[]int64{3, 3}, nil},
	}
	for _, tc := range tests {
		var g KeyGaps
		var got []IDRange
		for _, id := range tc.ids {
			if r, ok := g.Next(id); ok {
				got = append(got, r)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%v: gaps %v, want %v", tc.ids, got, tc.want)
		}
	}
}

func TestFastRedirectChain(t *testing.T) {
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	x := NewRedirectIndex()
	x.Add(Visit{ID: 1, URL: "http://a.example.com/", Time: base, RedirectDestination: 2})
	x.Add(Visit{ID: 2, URL: "http://b.example.net/", Time: base.Add(100 * time.Millisecond), RedirectDestination: 3})
	x.Add(Visit{ID: 3, URL: "https://198.51.100.7/x", Time: base.Add(300 * time.Millisecond)})
	got := x.Fast()
	if len(got) != 2 || got[0].From.ID != 1 || got[1].To.ID != 3 || got[1].Severity.String() != "high" || got[0].Severity.String() != "medium" {
		t.Fatalf("chain: %+v", got)
	}
}

// BenchmarkRedirectIndex shows the index is linear: 100k visits, a third of
// them redirecting.
func BenchmarkRedirectIndex(b *testing.B) {
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	visits := make([]Visit, 100_000)
	for i := range visits {
		v := Visit{ID: int64(i + 1), URL: fmt.Sprintf("http://site.example%d.com/p", i%500), Time: base.Add(time.Duration(i) * 300 * time.Millisecond)}
		if i%3 == 0 {
			v.RedirectDestination = int64(i + 2)
		}
		visits[i] = v
	}
	b.ReportAllocs()
	for b.Loop() {
		x := NewRedirectIndex()
		for _, v := range visits {
			x.Add(v)
		}
		if len(x.Fast()) == 0 {
			b.Fatal("no redirects found")
		}
	}
}
