// Command gen writes a synthetic benchmark corpus:
//
//	go run ./bench/gen --scale 100000 --out bench/corpus/ios-100k [--encrypt] [--plant] [--android | --sysdiagnose]
//	go run ./bench/gen --fs-paths 1000000 --layout ufed-zip --out bench/corpus/fs-1M [--plant] [--paths-from LIST.csv.zip]
//	go run ./bench/gen --capture-mb 1024 --out bench/corpus/capture-1g [--plant]
//	go run ./bench/gen --summarize RESULTS --time TIME_V_FILE --label 100k [--out CORPUS]
//
// The corpus holds about scale messages and scale visits (DataUsage, TCC
// and Manifest.db in proportion), expected.json beside it, and with
// --plant the synthetic indicators in iocs.stix2. With --sysdiagnose it is
// a sysdiagnose folder (evidence/sysdiagnose_...) whose unified-log export
// holds scale entries and whose process sources name scale/10 programs
// (at most 3,000). With --fs-paths it is an iOS full-file-system dump
// instead (evidence, evidence.zip, evidence.tar or evidence.tar.gz, by
// --layout): the databases of --scale at their device paths plus that many
// filler files shaped like a real iPhone's tree, or the paths of a real
// image's list (--paths-from). With --capture-mb it
// writes instead one pcapng of a phone's traffic of that size
// (evidence/capture.pcapng), for the capture memory benchmark.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/huella-project/huella/internal/samplegen"
)

func main() {
	scale := flag.Int("scale", 10000, "messages and visits in the corpus")
	out := flag.String("out", "", "folder to create (must be new or empty)")
	seed := flag.Int64("seed", 1, "random seed; the same seed gives the same corpus")
	encrypt := flag.Bool("encrypt", false, "write an encrypted backup")
	password := flag.String("password", "huella-bench", "password of the encrypted backup")
	realKDF := flag.Bool("real-kdf", true, "with --encrypt, use the real 10,000,000 PBKDF2 rounds (else a small count)")
	plant := flag.Bool("plant", false, "plant spyware traces; expected.json lists what a check must find")
	android := flag.Bool("android", false, "write an androidqf folder instead of an iOS backup")
	sysdiagnose := flag.Bool("sysdiagnose", false, "write a sysdiagnose folder (with a unified-log export of scale entries) instead of an iOS backup")
	fsPaths := flag.Int("fs-paths", 0, "write an iOS full-file-system dump with this many filler files instead of a backup")
	layout := flag.String("layout", string(samplegen.DumpUFEDZip), "with --fs-paths: how the dump is packed (folder, ufed-zip, graykey-zip, tar, tar.gz, ...)")
	pathsFrom := flag.String("paths-from", "", "with --fs-paths: take the filler paths from a real image's list (CSV or zipped CSV, UFED layout)")
	captureMB := flag.Int64("capture-mb", 0, "write a pcapng capture of at least this many MiB instead of a phone")
	servers := flag.Int("servers", 20, "with --capture-mb: distinct servers added per half hour of traffic")
	summary := flag.String("summarize", "", "instead of generating: print a table row for the results folder given here")
	timeFile := flag.String("time", "", "with --summarize: the /usr/bin/time -v report")
	label := flag.String("label", "", "with --summarize: the row's label")
	flag.Parse()
	if *summary != "" {
		if err := summarize(*label, *summary, *timeFile, *out); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: --out is required")
		os.Exit(2)
	}
	if *captureMB > 0 {
		if err := largeCapture(*out, *captureMB<<20, *seed, *servers, *plant); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return
	}
	o := samplegen.Scaled(*scale, *seed)
	o.Plant, o.Encrypt = *plant, *encrypt
	if o.Encrypt {
		o.Password = *password
		if *realKDF {
			o.DPIC = samplegen.RealDPIC
		}
	}
	start := time.Now()
	evidence := filepath.Join(*out, "evidence")
	var exp *samplegen.Expected
	var err error
	switch {
	case *fsPaths > 0:
		l := samplegen.DumpLayout(*layout)
		if err = os.MkdirAll(*out, 0o755); err == nil {
			evidence += l.Ext()
			exp, err = samplegen.GenerateIOSDump(evidence, samplegen.DumpOptions{Options: o, Paths: *fsPaths, Layout: l, PathsFrom: *pathsFrom})
		}
	case *android:
		exp, err = samplegen.GenerateAndroidQF(evidence, o)
	case *sysdiagnose:
		exp, err = samplegen.GenerateSysdiagnose(evidence, o)
	default:
		exp, err = samplegen.GenerateIOSBackup(evidence, o)
	}
	if err == nil {
		err = exp.WriteJSON(filepath.Join(*out, "expected.json"))
	}
	if err == nil && *plant {
		err = samplegen.WriteSampleIndicators(filepath.Join(*out, "iocs.stix2"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("gen: %s: %v in %s\n", evidence, exp.Records, time.Since(start).Round(time.Millisecond))
}

// largeCapture writes out/evidence/capture.pcapng of at least size bytes,
// and with plant the synthetic indicators beside it.
func largeCapture(out string, size, seed int64, servers int, plant bool) error {
	start := time.Now()
	dir := filepath.Join(out, "evidence")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fh, err := os.Create(filepath.Join(dir, "capture.pcapng"))
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(fh, 1<<20)
	n, blocks, err := samplegen.WriteLargeCapture(bw, size, seed, servers, plant)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err == nil && plant {
		err = samplegen.WriteSampleIndicators(filepath.Join(out, "iocs.stix2"))
	}
	if err == nil {
		// expected.json marks the corpus complete for bench scripts.
		exp := &samplegen.Expected{Kind: "network", Seed: seed, Records: map[string]int{"blocks": blocks, "mib": int(n >> 20)}}
		err = exp.WriteJSON(filepath.Join(out, "expected.json"))
	}
	if err != nil {
		return err
	}
	fmt.Printf("gen: %s: %d bytes, %d half-hour blocks in %s\n", fh.Name(), n, blocks, time.Since(start).Round(time.Millisecond))
	return nil
}
