package ios

import (
	"fmt"
	"math/rand/v2"
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
	if len(got) != 2 || got[0].From.ID != 1 || got[1].To.ID != 3 || got[1].Finding.Severity.String() != "high" || got[0].Finding.Severity.String() != "medium" {
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

// fastRedirectsNaive is the rule applied with every visit in memory, the
// reference the windowed index must agree with on time-ordered input.
func fastRedirectsNaive(visits []Visit) []FastRedirect {
	byID := map[int64]Visit{}
	for _, v := range visits {
		byID[v.ID] = v
	}
	var out []FastRedirect
	for _, v := range visits {
		if v.RedirectDestination == 0 {
			continue
		}
		if to, ok := byID[v.RedirectDestination]; ok {
			if r, ok := checkRedirect(v, to); ok {
				out = append(out, r)
			}
		}
	}
	return out
}

func TestRedirectIndexMatchesNaive(t *testing.T) {
	base := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	urls := []string{"http://a.example.com/", "http://www.a.example.com/x", "https://b.example.net/", "http://c.example.org/",
		"https://198.51.100.7:30897/x", "http://d.example.com:8080/", "ftp://e.example.com/"}
	steps := []time.Duration{0, 0, 100 * time.Millisecond, 400 * time.Millisecond, 999 * time.Millisecond, time.Second, 3 * time.Second}
	for seed := int64(1); seed <= 50; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		n := 50 + rng.IntN(3000)
		ids := rng.Perm(n)
		at := base
		visits := make([]Visit, n)
		for i := range visits {
			at = at.Add(steps[rng.IntN(len(steps))])
			v := Visit{ID: int64(ids[i] + 1), URL: urls[rng.IntN(len(urls))], Time: at}
			switch k := rng.IntN(10); {
			case k < 4 && i+1 < n: // to a later visit, the usual redirect
				v.RedirectDestination = int64(ids[i+1+rng.IntN(min(3, n-i-1))] + 1)
			case k == 4 && i > 0: // to an earlier one (same instant or a forged order)
				v.RedirectDestination = int64(ids[i-1] + 1)
			case k == 5:
				v.RedirectDestination = v.ID
			case k == 6:
				v.Time = time.Time{}
			}
			visits[i] = v
		}
		x := NewRedirectIndex()
		for _, v := range visits {
			x.Add(v)
		}
		got, want := x.Fast(), fastRedirectsNaive(visits)
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d fast redirects, want %d", seed, len(got), len(want))
		}
		for i := range got {
			if got[i].From.ID != want[i].From.ID || got[i].To.ID != want[i].To.ID || got[i].Finding.Severity != want[i].Finding.Severity || got[i].Finding.Text("en") != want[i].Finding.Text("en") {
				t.Fatalf("seed %d: #%d = %d->%d, want %d->%d", seed, i, got[i].From.ID, got[i].To.ID, want[i].From.ID, want[i].To.ID)
			}
		}
		if x.Len() != n {
			t.Fatalf("seed %d: Len %d, want %d", seed, x.Len(), n)
		}
	}
}

// TestRedirectIndexWindowIsBounded proves the index forgets: a day of
// browsing at one visit a second keeps about one second of visits.
func TestRedirectIndexWindowIsBounded(t *testing.T) {
	base := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	x := NewRedirectIndex()
	for i := range 86_400 {
		x.Add(Visit{ID: int64(i + 1), URL: "http://a.example.com/", Time: base.Add(time.Duration(i) * 500 * time.Millisecond), RedirectDestination: int64(i + 2)})
	}
	if held := len(x.recent) - x.head; held > 3 {
		t.Fatalf("window holds %d visits, want at most 3", held)
	}
	if len(x.byID) > 3 || len(x.pending) > 3 || cap(x.recent) > 4096 {
		t.Fatalf("index grew: byID %d, pending %d, cap %d", len(x.byID), len(x.pending), cap(x.recent))
	}
}

// FuzzRedirectIndex feeds time-ordered visits built from arbitrary bytes
// (ids, destinations, gaps, URLs) and checks the window against the rule
// applied with everything in memory.
func FuzzRedirectIndex(f *testing.F) {
	f.Add([]byte{1, 2, 0, 0, 2, 0, 3, 1, 3, 0, 0, 4})
	f.Add([]byte{5, 5, 0, 0, 5, 6, 9, 2, 6, 0, 1, 4, 7, 6, 0, 3})
	urls := []string{"http://a.example.com/", "https://b.example.net/", "http://198.51.100.7:8080/", "https://a.example.com/y", "http://%zz/", ""}
	base := time.Date(2022, 5, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		var visits []Visit
		at := base
		for i := 0; i+3 < len(b) && len(visits) < 2000; i += 4 {
			at = at.Add(time.Duration(b[i+2]) * 50 * time.Millisecond)
			v := Visit{ID: int64(b[i] % 64), RedirectDestination: int64(b[i+1] % 64), Time: at, URL: urls[int(b[i+3])%len(urls)]}
			if b[i+3] >= 250 {
				v.Time = time.Time{}
			}
			visits = append(visits, v)
		}
		// The naive rule keeps the last visit of an id; the window pairs a
		// source with the copy it meets. They agree when ids are unique.
		seen := map[int64]bool{}
		for _, v := range visits {
			if seen[v.ID] {
				return
			}
			seen[v.ID] = true
		}
		x := NewRedirectIndex()
		for _, v := range visits {
			x.Add(v)
		}
		got, want := x.Fast(), fastRedirectsNaive(visits)
		if len(got) != len(want) {
			t.Fatalf("%d fast redirects, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].From.ID != want[i].From.ID || got[i].To.ID != want[i].To.ID {
				t.Fatalf("#%d = %d->%d, want %d->%d", i, got[i].From.ID, got[i].To.ID, want[i].From.ID, want[i].To.ID)
			}
		}
	})
}
