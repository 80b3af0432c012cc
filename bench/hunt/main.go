// Command hunt builds and checks the case-store scale benchmark (bench/hunt.sh):
//
//	go run ./bench/hunt load   --store DSN [--cases 1000] [--obs 100000]
//	go run ./bench/hunt feed   --out FILE --gen N [--size 1000] [--cases 1000]
//	go run ./bench/hunt verify --hunt DIR [--cases 1000]
//	go run ./bench/hunt size   --store DSN
//
// load stores synthetic cases (bench-0000 …) straight through the store's
// bulk loader (the path 'case add' takes), skipping those already there, so
// an interrupted load resumes. Each case holds obs observations drawn from
// shared pools with a long tail (popular sites, system processes and paths,
// common apps) plus values of that phone alone (about 8 %). Every hundredth
// case (37, 137, …) also holds one planted trace of a different kind.
//
// feed writes a STIX bundle of size indicators: one per planted case, each
// matching only that case's trace through the matcher's own semantics
// (parent domain, link with tracking parameters, CIDR, folder, truncated
// process name, hash, app, address), and the rest absent from every case.
// --gen makes the STIX ids new, so every generation is new to the store.
//
// verify reads a hunt's output folder and fails unless exactly the planted
// cases have new findings, each with its planted value.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/casestore"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: hunt load|feed|verify|size [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	store := fs.String("store", "", "case store DSN (SQLite path or postgres://…)")
	cases := fs.Int("cases", 1000, "number of cases")
	obs := fs.Int("obs", 100000, "observations per case")
	out := fs.String("out", "", "feed file to write")
	gen := fs.Int("gen", 1, "feed generation (ids differ per generation)")
	size := fs.Int("size", 1000, "indicators in the feed")
	huntDir := fs.String("hunt", "", "hunt output folder to verify")
	plant := fs.Bool("plant", true, "feed: include the indicators of the planted traces")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the command here")
	fs.IntVar(&batchSize, "batch", batchSize, "load: cases per transaction")
	fs.IntVar(&cacheMiB, "cache", cacheMiB, "load: SQLite page cache in MiB")
	fs.Parse(os.Args[2:])
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	var err error
	switch os.Args[1] {
	case "load":
		err = load(*store, *cases, *obs)
	case "feed":
		err = writeFeed(*out, *gen, *size, *cases, *plant)
	case "verify":
		err = verify(*huntDir, *cases)
	case "size":
		err = storeSize(*store)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "hunt:", err)
		os.Exit(1)
	}
}

func caseName(i int) string { return fmt.Sprintf("bench-%04d", i) }

// planted reports whether case i holds a planted trace, and which (0..9+).
func planted(i int) (int, bool) { return i / 100, i%100 == 37 }

// plants are the ten kinds of planted trace, each with the indicator that
// finds it (kept side by side so the two stay in step): plant j uses row
// j%10, its values numbered with j.
var plants = [10]struct {
	kind    model.Kind
	field   string
	value   func(j int) string
	pattern func(j int) string
}{
	{model.KindURL, "url",
		func(j int) string { return fmt.Sprintf("https://cdn.plant%02d.evil-bench.example/x", j) },
		func(j int) string { return fmt.Sprintf("[domain-name:value = 'plant%02d.evil-bench.example']", j) }},
	{model.KindProcess, "process",
		func(j int) string { return fmt.Sprintf("implant%02d", j) },
		func(j int) string { return fmt.Sprintf("[process:name = 'implant%02d']", j) }},
	{model.KindSHA256, "sha256",
		func(j int) string { return hexSum(fmt.Sprintf("plant%d", j)) },
		func(j int) string {
			return fmt.Sprintf("[file:hashes.'SHA-256' = '%s']", strings.ToUpper(hexSum(fmt.Sprintf("plant%d", j))))
		}},
	{model.KindAppID, "package",
		func(j int) string { return fmt.Sprintf("com.plant%02d.spy", j) },
		func(j int) string { return fmt.Sprintf("[app:id = 'com.plant%02d.spy']", j) }},
	{model.KindEmail, "handle",
		func(j int) string { return fmt.Sprintf("plant%02d@spy-bench.example", j) },
		func(j int) string { return fmt.Sprintf("[email-addr:value = 'Plant%02d@spy-bench.example']", j) }},
	{model.KindIP, "ip",
		func(j int) string { return fmt.Sprintf("203.0.113.%d", j) },
		func(j int) string { return fmt.Sprintf("[ipv4-addr:value = '203.0.113.%d/30']", j&^3) }},
	{model.KindFilePath, "path",
		func(j int) string { return fmt.Sprintf("/private/var/tmp/plant%02d/bin", j) },
		func(j int) string { return fmt.Sprintf("[file:path = '/var/tmp/plant%02d/']", j) }},
	{model.KindURL, "url",
		func(j int) string { return fmt.Sprintf("https://track.plant%02d.example/p/abc?utm=1", j) },
		func(j int) string { return fmt.Sprintf("[url:value = 'http://track.plant%02d.example/p/abc']", j) }},
	{model.KindDomain, "host",
		func(j int) string { return fmt.Sprintf("login.plant%02d.example", j) },
		func(j int) string { return fmt.Sprintf("[domain-name:value = 'plant%02d.example']", j) }},
	{model.KindProcess, "process",
		func(j int) string { return fmt.Sprintf("plant%02dlongproce", j)[:16] },
		func(j int) string { return fmt.Sprintf("[process:name = 'plant%02dlongprocessname']", j) }},
}

// plantObservable is the trace planted in case i (kind j).
func plantObservable(j int) model.Observable {
	p := plants[j%10]
	return model.Observable{Kind: p.kind, Value: p.value(j), Field: p.field}
}

// plantPattern is the indicator that finds plantObservable(j).
func plantPattern(j int) string { return plants[j%10].pattern(j) }

func hexSum(s string) string { b := sha256.Sum256([]byte(s)); return hex.EncodeToString(b[:]) }

// Pools shared by every phone, with a long tail: a few values are on most
// phones, most values on few.
const (
	nDomains = 20000
	nURLs    = 200000
	nProcs   = 2000
	nPaths   = 50000
	nApps    = 5000
	nHashes  = 20000
	nIPs     = 60000
	nHandles = 100000
)

type phone struct {
	i int
	r *rand.Rand
	z map[int]*rand.Zipf
	n int // values of its own so far
}

func (p *phone) pick(pool int) int {
	z := p.z[pool]
	if z == nil {
		z = rand.NewZipf(p.r, 1.07, 2, uint64(pool-1))
		p.z[pool] = z
	}
	return int(z.Uint64())
}

func (p *phone) own() bool { return p.r.IntN(100) < 8 }

func (p *phone) url() string {
	if p.own() {
		p.n++
		return fmt.Sprintf("https://site%05d.example/u/c%04d-%06d?t=%x", p.pick(nDomains), p.i, p.n, p.r.Uint32())
	}
	k := p.pick(nURLs)
	return fmt.Sprintf("https://%s.site%05d.example/path/%d", []string{"www", "m", "cdn"}[k%3], k%nDomains, k)
}

func (p *phone) next(emit func(module, source string, obs ...model.Observable)) {
	switch x := p.r.IntN(100); {
	case x < 35:
		emit("ios.safari_history", "HomeDomain/Library/Safari/History.db", model.Observable{Kind: model.KindURL, Value: p.url(), Field: "url"})
	case x < 45:
		h := fmt.Sprintf("+1555%07d", p.pick(nHandles))
		if p.own() {
			p.n++
			h = fmt.Sprintf("+1999%04d%05d", p.i, p.n)
		}
		emit("ios.sms", "HomeDomain/Library/SMS/sms.db", model.Observable{Kind: model.KindEmail, Value: h, Field: "handle"},
			model.Observable{Kind: model.KindURL, Value: p.url(), Field: "text"})
	case x < 55:
		emit("ios.datausage", "WirelessDomain/Library/Databases/DataUsage.sqlite", model.Observable{Kind: model.KindProcess, Value: fmt.Sprintf("proc%04d", p.pick(nProcs)), Field: "process"})
	case x < 70:
		v := fmt.Sprintf("/private/var/mobile/Library/App%03d/Data/file%05d.db", p.pick(nPaths)%500, p.pick(nPaths))
		if p.own() {
			p.n++
			v = fmt.Sprintf("/private/var/mobile/Media/DCIM/c%04d/IMG_%05d.HEIC", p.i, p.n)
		}
		emit("ios.manifest", "Manifest.db", model.Observable{Kind: model.KindFilePath, Value: v, Field: "path"})
	case x < 80:
		h := hexSum(fmt.Sprintf("h%d", p.pick(nHashes)))
		if p.own() {
			p.n++
			h = hexSum(fmt.Sprintf("c%d-%d", p.i, p.n))
		}
		emit("android.aqf_packages", "packages.json", model.Observable{Kind: model.KindAppID, Value: fmt.Sprintf("com.vendor%04d.app", p.pick(nApps)), Field: "package"},
			model.Observable{Kind: model.KindSHA256, Value: h, Field: "sha256"})
	default:
		k := p.pick(nIPs)
		emit("ios.netusage", "WirelessDomain/Library/Databases/netusage.sqlite",
			model.Observable{Kind: model.KindDomain, Value: fmt.Sprintf("api.site%05d.example", p.pick(nDomains)), Field: "host"},
			model.Observable{Kind: model.KindIP, Value: fmt.Sprintf("198.18.%d.%d", k/250, k%250+1), Field: "ip"})
	}
}

// run is case i as the store's loader receives it.
func run(i, obs int) casestore.RunInput {
	started := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 7 * time.Hour)
	tag := fmt.Sprintf("%04d", i)
	info := results.Info{
		SchemaVersion: model.SchemaVersion, Tool: results.Tool{Name: "huella", Version: "bench"},
		Command: []string{"huella", "check", "/evidence/" + tag}, Started: started, Finished: started.Add(2 * time.Minute),
		Evidence: results.EvidenceInfo{Kind: source.IOSBackup, Path: "/evidence/" + tag,
			Device: source.Device{Platform: "ios", Name: "bench phone " + tag, Model: "iPhone15,2", OSVersion: "17.4", ID: "00008120-BENCH" + tag}},
		Inputs: []source.InputFile{{Path: "/evidence/" + tag + "/Manifest.db", Size: 1 << 20, SHA256: hexSum("manifest" + tag)}},
	}
	return casestore.RunInput{Case: caseName(i), ResultsDir: "/results/" + tag, Info: info,
		Records: func(yield func(int, *model.Record) error) error {
			p := &phone{i: i, r: rand.New(rand.NewPCG(uint64(i), 2026)), z: map[int]*rand.Zipf{}}
			ord := map[string]int{}
			var err error
			n := 0
			emit := func(module, src string, os ...model.Observable) {
				if err != nil {
					return
				}
				t := started.Add(-time.Duration(p.r.IntN(365*24*3600)) * time.Second)
				r := model.Record{Module: module, Source: src, Summary: "synthetic", Observables: os, Times: []model.Stamp{{Time: t, Desc: "seen"}}}
				err = yield(ord[module], &r)
				ord[module]++
				n += len(os)
			}
			if j, ok := planted(i); ok {
				emit("ios.plant", "plant.db", plantObservable(j))
			}
			for n < obs && err == nil {
				p.next(emit)
			}
			return err
		}}
}

// Bulk-load settings: cases per transaction, SQLite page cache.
var (
	batchSize = 20
	cacheMiB  = 2048
)

func load(dsn string, cases, obs int) error {
	ctx := context.Background()
	st, err := casestore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	have := map[string]bool{}
	cs, err := st.Cases(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		have[c.Name] = true
	}
	// Batches of cases per transaction; a large page cache keeps a batch's
	// dirty index pages in memory until it commits.
	if err := st.BulkCache(ctx, cacheMiB); err != nil {
		return err
	}
	start := time.Now()
	added, values, newValues := 0, int64(0), int64(0)
	var batch []casestore.RunInput
	flush := func(last int) error {
		if len(batch) == 0 {
			return nil
		}
		res, err := st.AddRuns(ctx, batch)
		if err != nil {
			return fmt.Errorf("cases up to %d: %w", last, err)
		}
		batch = batch[:0]
		for _, r := range res {
			added++
			values += r.Values
			newValues += r.NewValues
		}
		el := time.Since(start)
		fmt.Fprintf(os.Stderr, "loaded %d cases (up to %s) in %s: %.2f s/case, %.0f observations/s; distinct values per case %d, new to the store %d\n",
			added, caseName(last), el.Round(time.Second), el.Seconds()/float64(added), float64(added*obs)/el.Seconds(), values/int64(added), newValues/int64(added))
		return nil
	}
	last := 0
	for i := 0; i < cases; i++ {
		if have[caseName(i)] {
			continue
		}
		batch, last = append(batch, run(i, obs)), i
		if len(batch) == batchSize {
			if err := flush(i); err != nil {
				return err
			}
		}
	}
	if err := flush(last); err != nil {
		return err
	}
	fmt.Printf("load: %d case(s) added in %s (%d already there)\n", added, time.Since(start).Round(time.Second), len(have))
	return nil
}

func writeFeed(out string, gen, size, cases int, plant bool) error {
	if out == "" {
		return fmt.Errorf("--out is required")
	}
	var patterns []string
	for i := 0; i < cases && plant; i++ {
		if j, ok := planted(i); ok {
			patterns = append(patterns, plantPattern(j))
		}
	}
	for k := 0; len(patterns) < size; k++ {
		var p string
		switch k % 8 {
		case 0:
			p = fmt.Sprintf("[domain-name:value = 'absent%05d-g%d.bench-new.example']", k, gen)
		case 1:
			p = fmt.Sprintf("[url:value = 'https://absent-g%d.example/k/%d']", gen, k)
		case 2:
			p = fmt.Sprintf("[ipv4-addr:value = '198.51.%d.%d']", (k/250)%250, k%250+1)
		case 3:
			p = fmt.Sprintf("[process:name = 'newspy%05d']", k)
		case 4:
			p = fmt.Sprintf("[file:hashes.'SHA-256' = '%s']", hexSum(fmt.Sprintf("absent-%d-%d", gen, k)))
		case 5:
			p = fmt.Sprintf("[app:id = 'com.absent%05d.g%d']", k, gen)
		case 6:
			p = fmt.Sprintf("[file:path = '/private/var/db/absent%05d/']", k)
		default:
			p = fmt.Sprintf("[email-addr:value = 'absent%05d@bench-new.example']", k)
		}
		patterns = append(patterns, p)
	}
	mw := fmt.Sprintf("malware--%08x-0000-4000-8000-000000000000", gen)
	created := "2026-12-01T00:00:00Z"
	objs := []map[string]any{{"type": "malware", "spec_version": "2.1", "id": mw, "name": fmt.Sprintf("BenchSpy generation %d (synthetic)", gen),
		"is_family": false, "created": created, "modified": created}}
	for k, p := range patterns {
		id := fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", gen, k)
		objs = append(objs,
			map[string]any{"type": "indicator", "spec_version": "2.1", "id": id, "pattern": p, "pattern_type": "stix", "valid_from": created, "created": created, "modified": created},
			map[string]any{"type": "relationship", "spec_version": "2.1", "id": fmt.Sprintf("relationship--%08x-0000-4000-8000-%012x", gen, k),
				"relationship_type": "indicates", "source_ref": id, "target_ref": mw, "created": created, "modified": created})
	}
	b, err := json.Marshal(map[string]any{"type": "bundle", "id": fmt.Sprintf("bundle--%08x-0000-4000-8000-000000000000", gen), "objects": objs})
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}

type huntJSON struct {
	Hunt  int64 `json:"hunt"`
	Cases []struct {
		Case        string `json:"case"`
		Status      string `json:"status"`
		NewFindings int    `json:"new_findings"`
		File        string `json:"file"`
	} `json:"cases"`
}

func verify(dir string, cases int) error {
	var h huntJSON
	if err := results.ReadJSON(filepath.Join(dir, "hunt.json"), &h); err != nil {
		return err
	}
	want := map[string]model.Observable{}
	for i := 0; i < cases; i++ {
		if j, ok := planted(i); ok {
			want[caseName(i)] = plantObservable(j)
		}
	}
	var got []string
	for _, c := range h.Cases {
		if c.NewFindings == 0 {
			continue
		}
		got = append(got, c.Case)
		w, ok := want[c.Case]
		if !ok {
			return fmt.Errorf("case %s has %d new finding(s) and holds no planted trace", c.Case, c.NewFindings)
		}
		var f struct{ New []model.Detection }
		if err := results.ReadJSON(filepath.Join(dir, c.File), &f); err != nil {
			return err
		}
		if len(f.New) != 1 || f.New[0].Observable.Value != w.Value {
			return fmt.Errorf("case %s: new findings %+v, want one for %s", c.Case, f.New, w.Value)
		}
	}
	if len(got) != len(want) {
		sort.Strings(got)
		return fmt.Errorf("new findings in %d case(s) %v, want the %d planted ones", len(got), got, len(want))
	}
	fmt.Printf("verify: hunt #%d found each of the %d planted traces, in its case only, across %d cases\n", h.Hunt, len(want), len(h.Cases))
	return nil
}

func storeSize(dsn string) error {
	ctx := context.Background()
	st, err := casestore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	cs, err := st.Cases(ctx)
	if err != nil {
		return err
	}
	var obs int64
	for _, c := range cs {
		obs += c.Observations
	}
	var bytes int64
	if st.Engine() == casestore.Postgres {
		if err := st.DB().QueryRowContext(ctx, "SELECT pg_database_size(current_database())").Scan(&bytes); err != nil {
			return err
		}
	} else {
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(strings.TrimPrefix(dsn, "sqlite:") + suffix); err == nil {
				bytes += fi.Size()
			}
		}
	}
	var vals int64
	if err := st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM vals").Scan(&vals); err != nil {
		return err
	}
	per := int64(0)
	if len(cs) > 0 {
		per = bytes / int64(len(cs))
	}
	fmt.Printf("size: %s store, %d cases, %d observations, %d distinct values: %.2f GB, %.1f MB per case, %.1f bytes per observation\n",
		st.Engine(), len(cs), obs, vals, float64(bytes)/1e9, float64(per)/1e6, float64(bytes)/float64(max(obs, 1)))
	return nil
}
