package tombstones

import (
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

// TestImpossibleTimestampKeptRaw: a crash whose Timestamp is no plausible
// date (year 2999, no date form) keeps it as written on its record.
func TestImpossibleTimestampKeptRaw(t *testing.T) {
	for _, raw := range []string{"2999-04-12 12:32:40.518290770+0200", "2023-99-99 00:00:00"} {
		t.Run(raw, func(t *testing.T) {
			crash := "*** *** *** *** *** *** *** *** *** *** *** *** *** *** *** ***\npid: 1, tid: 2, name: x  >>> /system/bin/y <<<\nTimestamp: " + raw + "\n"
			ev := &source.Evidence{Kind: source.Bugreport, FS: fstest.MapFS{"FS/data/tombstones/tombstone_01": {Data: []byte(crash)}}}
			s := moduletest.MustRun(t, Def(), ev)
			if len(s.Records) != 1 {
				t.Fatalf("%d records, warnings %v", len(s.Records), s.Warnings)
			}
			moduletest.KeepsRaw(t, s.Records[0], map[string]string{"crash": raw})
		})
	}
}
