package safariexport

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"testing"
)

// BenchmarkHistory reads a Safari export of 100,000 visits, a tenth of
// them redirects, and links the redirects.
func BenchmarkHistory(b *testing.B) {
	var items []string
	for i := range 100_000 {
		at := t0 + int64(i)*2_000_000
		extra := ""
		if i%10 == 0 {
			extra = fmt.Sprintf(`"destination_url":"https://b%d.example/","destination_time_usec":%d`, i+1, at+2_000_000)
		}
		items = append(items, item(fmt.Sprintf("https://b%d.example/", i), at, extra))
	}
	data := []byte(historyJSON(items...))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var visits []*Visit
		if _, err := ReadHistory("History.json", bytes.NewReader(data), func(v *Visit) error { visits = append(visits, v); return nil }); err != nil {
			b.Fatal(err)
		}
		slices.SortStableFunc(visits, func(a, c *Visit) int { return cmp.Compare(a.TimeUsec, c.TimeUsec) })
		FastRedirects(visits)
	}
}
