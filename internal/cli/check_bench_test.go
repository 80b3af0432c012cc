package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
)

// BenchmarkCheckCorpus runs the whole check as users run it (open,
// modules, matching, correlation, timeline, writers, the HTML report) on a
// synthetic backup, for profiling:
//
//	HUELLA_BENCH_SCALE=100000 go test -run '^$' -bench CheckCorpus -benchtime 1x -cpuprofile cpu.prof ./internal/cli
//
// HUELLA_BENCH_IOCS adds indicator files or folders (e.g. ../shared/iocs);
// HUELLA_BENCH_CORPUS reuses a corpus from bench/gen instead of generating
// one (a backup, or a file-system dump made with --fs-paths);
// HUELLA_BENCH_NO_REPORT=1 adds --no-report.
func BenchmarkCheckCorpus(b *testing.B) {
	scale := 20000
	if s, err := strconv.Atoi(os.Getenv("HUELLA_BENCH_SCALE")); err == nil && s > 0 {
		scale = s
	}
	dir, corpus := b.TempDir(), os.Getenv("HUELLA_BENCH_CORPUS")
	exp := &samplegen.Expected{}
	if corpus != "" {
		if err := results.ReadJSON(filepath.Join(corpus, "expected.json"), exp); err != nil {
			b.Fatal(err)
		}
	} else {
		corpus = dir
		o := samplegen.Scaled(scale, 1)
		o.Plant = true
		var err error
		if exp, err = samplegen.GenerateIOSBackup(filepath.Join(dir, "evidence"), o); err != nil {
			b.Fatal(err)
		}
		if err := samplegen.WriteSampleIndicators(filepath.Join(dir, "iocs.stix2")); err != nil {
			b.Fatal(err)
		}
	}
	evidence := filepath.Join(corpus, "evidence")
	if m, _ := filepath.Glob(evidence + ".*"); len(m) == 1 {
		evidence = m[0] // a dump: evidence.zip, .tar or .tar.gz
	}
	args := []string{"check", evidence, "--iocs", filepath.Join(corpus, "iocs.stix2"), "--no-feed-cache", "--quiet"}
	if os.Getenv("HUELLA_BENCH_NO_REPORT") == "1" {
		args = append(args, "--no-report")
	}
	if extra := os.Getenv("HUELLA_BENCH_IOCS"); extra != "" {
		args = append(args, "--iocs", extra)
	}
	b.Setenv("HUELLA_IOCS", "")
	records := 0
	for _, n := range exp.Records {
		records += n
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(dir, "out-"+strconv.Itoa(i))
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), append(args, "--output", out), strings.NewReader(""), &stdout, &stderr)
		if code != results.ExitFound {
			b.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
	b.ReportMetric(float64(records*b.N)/b.Elapsed().Seconds(), "records/s")
}
