package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
)

// FuzzReadModuleRecords: `check-iocs` and `report` read a results folder that
// may have come from someone else, so a damaged or crafted <module>.json must
// give an error naming the file, never a panic.
func FuzzReadModuleRecords(f *testing.F) {
	f.Add([]byte(`{"module":"ios.sms","records":[{"module":"ios.sms","source":"HomeDomain/Library/SMS/sms.db","summary":"hi","times":[{"time":"2021-01-01T00:00:00Z","desc":"sms_received"}],"observables":[{"kind":"url","value":"https://example.com/","field":"text"}],"data":{"text":"hi"}}]}`))
	f.Add([]byte(`{"module":"x","coverage":{"a":1},"records":[{"severity":"high"},{}]}`))
	f.Add([]byte(`{"records":[[[[{}]]]]}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "m.json")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		n := 0
		_, err := ReadModuleRecords(p, func(model.Record) error { n++; return nil })
		if err != nil && !strings.Contains(err.Error(), p) {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
