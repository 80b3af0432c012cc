package logexport

import (
	"bytes"
	"testing"
)

func TestIsUnifiedLog(t *testing.T) {
	for in, want := range map[string]bool{
		`{"traceID":1,"eventMessage":"x","processImagePath":"/usr/libexec/locationd","timestamp":"2026-11-20 10:31:00.000000-0600"}` + "\n{": true,
		"\ufeff  " + `{"eventMessage":"x","senderImagePath":"/usr/lib/libSystem.B.dylib"}`:                                                   true,
		`{"subsystem":"","process":"/usr/libexec/x","time":1.7e18,"message":"m"}`:                                                            true,
		`{"subsystem":"","process":"/usr/libexec/x","time":1.7e18,"raw_message":"m"}`:                                                        true,
		`{"unixTime": 1, "processList": []}`:                                                                                                 false, // log statistics
		`{"type":"networkActivity","domain":"apple.com","bundleID":"com.apple.mobilesafari"}`:                                                false, // App Privacy Report
		`{"eventMessage":"x"}`:                           false,
		`[{"eventMessage":"x","processImagePath":"/a"}]`: false, // log show --style json: an array, not lines
		"":  false,
		"{": false,
	} {
		if got := IsUnifiedLog([]byte(in)); got != want {
			t.Errorf("%.60q: %v", in, got)
		}
	}
}

func FuzzIsUnifiedLog(f *testing.F) {
	f.Add([]byte(`{"eventMessage":"x","processImagePath":"/a"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if IsUnifiedLog(b) && !bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n\ufeff"), []byte("{")) {
			t.Fatalf("%q taken for an export", b)
		}
	})
}
