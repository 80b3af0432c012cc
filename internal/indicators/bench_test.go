package indicators

import (
	"fmt"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/testutil"
)

func BenchmarkLoadAllFeeds(b *testing.B) {
	root := testutil.Shared(b, "iocs")
	for b.Loop() {
		s, err := Load(root)
		if err != nil || s.Len() == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchURL matches realistic, mostly clean links against every feed.
func BenchmarkMatchURL(b *testing.B) {
	s, err := Load(testutil.Shared(b, "iocs"))
	if err != nil {
		b.Fatal(err)
	}
	hosts := []string{"www.google.com", "mail.yahoo.co.jp", "cdn.apple.com", "graph.facebook.com", "t.co",
		"api.whatsapp.net", "s3.eu-west-1.amazonaws.com", "en.m.wikipedia.org", "static.xx.fbcdn.net", "198.51.100.7"}
	urls := make([]model.Observable, 0, 1000)
	for i := 0; i < 1000; i++ {
		urls = append(urls, model.Observable{Kind: model.KindURL,
			Value: fmt.Sprintf("https://%s/path/%d/page.html?utm_source=x&id=%d", hosts[i%len(hosts)], i, i*7)})
	}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		s.Match(urls[n%len(urls)])
		n++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "urls/s")
}
