package plistx

import (
	"testing"
	"time"
)

func FuzzHang(f *testing.F) {
	f.Add([]byte(`{a = (b, c); d = <00>;}`))
	f.Add(laughs(8))
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				panic("hang")
			}
		}()
		_, _ = Decode(data, Limits{MaxBytes: 1 << 20, MaxDepth: 64, MaxNodes: 100_000})
		close(done)
	})
}
