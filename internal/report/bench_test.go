package report

import (
	"fmt"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/source"
)

// BenchmarkWriteDemoSized builds and writes the report of a results folder
// the size of the demo's (about 9,000 timeline events, 400 input files, a
// few findings): the cost the default check pays for its report.
//
//	go test -run '^$' -bench WriteDemoSized -benchtime 20x ./internal/report
func BenchmarkWriteDemoSized(b *testing.B) {
	sc := findingsScenario()
	base := at("2024-01-01T00:00:00Z")
	mods := []string{"ios.sms", "ios.safari_history", "ios.datausage", "ios.manifest", "ios.contacts", "ios.whatsapp"}
	for i := 0; i < 9000; i++ {
		m := mods[i%len(mods)]
		sc.events = append(sc.events, model.Event{Time: base.Add(time.Duration(i) * 97 * time.Second), Module: m, Desc: "sms_received",
			Summary: fmt.Sprintf(`SMS from +3460000%04d: "message %d"`, i%500, i), Source: "HomeDomain/Library/SMS/sms.db"})
	}
	for i := 0; i < 400; i++ {
		sc.info.Inputs = append(sc.info.Inputs, source.InputFile{Path: fmt.Sprintf("/evidence/backup/%02x/%040x", i%256, i), Size: int64(1000 + i), SHA256: fmt.Sprintf("%064x", i)})
	}
	dir := writeResults(b, sc)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Write(dir, Options{Lang: "en", Now: fixedNow}); err != nil {
			b.Fatal(err)
		}
	}
}
