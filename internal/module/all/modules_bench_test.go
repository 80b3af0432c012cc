package all_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/datausage"
	"github.com/huella-project/huella/internal/module/ios/manifest"
	"github.com/huella-project/huella/internal/module/ios/safarihistory"
	"github.com/huella-project/huella/internal/module/ios/sms"
	"github.com/huella-project/huella/internal/module/ios/whatsapp"
	"github.com/huella-project/huella/internal/source/opener"
)

// countSink drops what a module emits, so the benchmark measures the module
// alone (reading, parsing, heuristics) and not the pipeline's writers.
type countSink struct{ records, detections atomic.Int64 }

func (s *countSink) Record(string, *model.Record)      { s.records.Add(1) }
func (s *countSink) Detection(string, model.Detection) { s.detections.Add(1) }
func (s *countSink) Warn(string, string)               {}
func (s *countSink) Artifact(string, string)           {}

// BenchmarkHotModules runs the slowest iOS modules over a bench/gen corpus:
//
//	HUELLA_BENCH_CORPUS=/tmp/corpus-200k go test -run '^$' -bench HotModules -benchtime 1x ./internal/module/all
func BenchmarkHotModules(b *testing.B) {
	corpus := os.Getenv("HUELLA_BENCH_CORPUS")
	if corpus == "" {
		b.Skip("HUELLA_BENCH_CORPUS not set")
	}
	ctx := context.Background()
	ev, err := opener.Open(ctx, filepath.Join(corpus, "evidence"), opener.Options{NoHash: true, TempRoot: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer ev.Close()
	for _, m := range []module.Def{sms.Def(), safarihistory.Def(), manifest.Def(), datausage.Def(), whatsapp.Def()} {
		b.Run(m.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink := &countSink{}
				if err := m.Run(ctx, module.NewEnv(ev, m.Name, sink, nil)); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(sink.records.Load()), "records")
			}
		})
	}
}
