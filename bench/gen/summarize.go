package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
)

// summarize prints one table row for a check run: wall time, records per
// second, peak RSS and CPU from /usr/bin/time -v's report, then the slowest
// modules from info.json, and checks the planted detections were found.
func summarize(label, resultsDir, timeFile, corpus string) error {
	tv, err := readTimeV(timeFile)
	if err != nil {
		return err
	}
	var info results.Info
	if err := results.ReadJSON(filepath.Join(resultsDir, "info.json"), &info); err != nil {
		return err
	}
	records := 0
	for _, m := range info.Modules {
		records += m.Records
	}
	wall := parseWall(tv["Elapsed (wall clock) time (h:mm:ss or m:ss)"])
	rssKB := 0
	fmt.Sscan(tv["Maximum resident set size (kbytes)"], &rssKB)
	verdict := "ok"
	if corpus != "" {
		var exp samplegen.Expected
		var dets results.Detections
		if err := results.ReadJSON(filepath.Join(corpus, "expected.json"), &exp); err != nil {
			return err
		}
		if err := results.ReadJSON(filepath.Join(resultsDir, "detections.json"), &dets); err != nil {
			return err
		}
		if miss := exp.Missing(dets.Detections); len(miss) > 0 {
			verdict = fmt.Sprintf("MISSING %d planted", len(miss))
		}
	}
	fmt.Printf("| %-14s | %9d | %8.2f s | %10.0f | %7.0f MB | %5s | %s |\n", label, records, wall, float64(records)/max(wall, 1e-9),
		float64(rssKB)/1024, tv["Percent of CPU this job got"], verdict)
	mods := info.Modules
	sort.Slice(mods, func(i, j int) bool { return mods[i].DurationMS > mods[j].DurationMS })
	var parts []string
	for _, m := range mods[:min(6, len(mods))] {
		if m.DurationMS > 0 {
			parts = append(parts, fmt.Sprintf("%s %.2fs", strings.TrimPrefix(m.Name, "ios."), float64(m.DurationMS)/1000))
		}
	}
	fmt.Printf("|   modules      | %s |\n", strings.Join(parts, ", "))
	return nil
}

func readTimeV(p string) (map[string]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		// The wall-clock key itself holds colons: split on the last ": ".
		if i := strings.LastIndex(line, ": "); i > 0 {
			out[line[:i]] = line[i+2:]
		}
	}
	return out, sc.Err()
}

// parseWall reads "m:ss.cc" or "h:mm:ss" into seconds.
func parseWall(s string) float64 {
	total := 0.0
	for _, p := range strings.Split(s, ":") {
		var v float64
		fmt.Sscan(p, &v)
		total = total*60 + v
	}
	return total
}
