package appprivacy

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkReader reads a report of 100,000 lines (a very busy phone's
// week is a few thousand): the cost is decoding each line once.
func BenchmarkReader(b *testing.B) {
	var buf bytes.Buffer
	for i := range 100_000 {
		fmt.Fprintf(&buf, `{"domain":"d%d.example","firstTimeStamp":"2024-02-20T03:16:00.000-06:00","context":"","timeStamp":"2024-02-21T10:00:00.000-06:00","domainType":2,"initiatedType":"AppInitiated","hits":%d,"type":"networkActivity","domainOwner":"","bundleID":"com.example.app%d"}`+"\n", i, i, i%50)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rd := NewReader()
		if _, err := rd.Add("r.ndjson", bytes.NewReader(data)); err != nil || rd.Records() != 100_000 {
			b.Fatal(err, rd.Records())
		}
	}
}
