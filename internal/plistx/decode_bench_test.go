package plistx

import (
	"testing"
	"time"

	"github.com/huella-project/huella/internal/source/iosbackup/iosbackuptest"
	"howett.net/plist"
)

// mbFileBlob is one Manifest.db metadata blob, the archive decoded once per
// backup file.
func mbFileBlob() []byte {
	return iosbackuptest.MBFile(iosbackuptest.File{Domain: "HomeDomain", Path: "Library/SMS/sms.db", Flags: 1,
		Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, 123456, append([]byte{3, 0, 0, 0}, make([]byte, 40)...))
}

func BenchmarkDecodeBinaryPlist(b *testing.B) {
	data, err := plist.Marshal(map[string]any{"Device Name": "iPhone", "Product Version": "17.4", "Build Version": "21E219",
		"Applications":           map[string]any{"com.example.a": map[string]any{"ApplicationSINF": make([]byte, 4096)}},
		"Installed Applications": []string{"com.example.a", "com.example.b", "com.example.c"}}, plist.BinaryFormat)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeDict(data, Limits{MaxBytes: 1 << 20}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnarchiveMBFile(b *testing.B) {
	data := mbFileBlob()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Unarchive(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blobs/s")
}
