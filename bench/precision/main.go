// Command precision prints how huella's rules fare on real data: the most
// popular domains (they must not look suspicious), every feed's domains
// with the indicators loaded and with the heuristics alone (the recall of
// the rules without a feed), and a real iPhone's file list checked with
// every feed. It reads ../shared (see realdata/SOURCES.md and
// iocs/SOURCES.md) and prints Markdown tables; bench/precision.sh runs it.
package main

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/links"
	"github.com/huella-project/huella/internal/imagelist"
	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/ios/filetree"
	"github.com/huella-project/huella/internal/scan"
)

func main() {
	shared := flag.String("shared", "../shared", "the shared data folder")
	flag.Parse()
	if err := run(*shared); err != nil {
		fmt.Fprintln(os.Stderr, "precision:", err)
		os.Exit(1)
	}
}

func run(shared string) error {
	iocs := filepath.Join(shared, "iocs")
	all, err := indicators.Load(iocs)
	if err != nil {
		return err
	}
	if err := popular(filepath.Join(shared, "realdata", "tranco-top5000.txt")); err != nil {
		return err
	}
	if err := feeds(iocs, all); err != nil {
		return err
	}
	return paths(filepath.Join(shared, "realdata", "ffs-paths", "josh-hickman-ios15.csv.zip"), all)
}

// worst is the most severe finding of the link heuristics, -1 for none;
// onlyShortener says the link is a shortened link and nothing else.
func worst(link string) (model.Severity, bool) {
	w, only := model.Severity(-1), true
	for _, f := range links.CheckLink(link) {
		w = max(w, f.Severity)
		if f.Rule != "link.url.shortened" {
			only = false
		}
	}
	return w, only && w >= 0
}

func popular(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var n, high, medium, low, short int
	var mediums []string
	for _, d := range strings.Fields(string(b)) {
		n++
		w, onlyShort := worst("https://" + d + "/")
		switch {
		case onlyShort:
			short++
		case w >= model.High:
			high++
		case w == model.Medium:
			medium++
			mediums = append(mediums, d)
		case w == model.Low:
			low++
		}
	}
	fmt.Println("### Popular domains (Tranco top 5,000) as links, heuristics only")
	fmt.Println()
	fmt.Println("| domains | high or critical | medium | low | shorteners (apart) | nothing |")
	fmt.Println("|---|---|---|---|---|---|")
	fmt.Printf("| %d | %d | %d (%.2f %%) | %d | %d | %d |\n", n, high, medium, pct(medium, n), low, short, n-high-medium-low-short)
	fmt.Printf("\nMedium: %s.\n\n", strings.Join(mediums, ", "))
	return nil
}

var domainPattern = regexp.MustCompile(`\[domain-name:value\s*=\s*'([^']+)'\]`)

// feeds judges every feed's published domains as links: matched with the
// indicators loaded (they must all be), and with the heuristics alone.
func feeds(iocs string, all *indicators.Set) error {
	var files []string
	err := filepath.WalkDir(iocs, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".stix2") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	fmt.Println("### Every feed's domains as links: with the indicators, and with the heuristics alone (recall without a feed)")
	fmt.Println()
	fmt.Println("| feed | domains | matched with indicators | heuristics ≥ medium | heuristics ≥ low (shorteners apart) |")
	fmt.Println("|---|---|---|---|---|")
	var tn, tm, th, tl int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var bundle struct {
			Objects []struct {
				Pattern string `json:"pattern"`
			} `json:"objects"`
		}
		if err := json.Unmarshal(b, &bundle); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		seen := map[string]bool{}
		var n, matched, med, low int
		for _, o := range bundle.Objects {
			for _, m := range domainPattern.FindAllStringSubmatch(o.Pattern, -1) {
				d := strings.TrimPrefix(m[1], "*.")
				if seen[d] || strings.ContainsAny(d, "/ ") {
					continue
				}
				seen[d] = true
				n++
				link := "https://" + d + "/"
				if len(all.Match(model.Observable{Kind: model.KindURL, Value: link})) > 0 {
					matched++
				}
				w, onlyShort := worst(link)
				if w >= model.Medium && !onlyShort {
					med++
				}
				if w >= model.Low && !onlyShort {
					low++
				}
			}
		}
		if n == 0 {
			continue
		}
		rel, _ := filepath.Rel(iocs, f)
		fmt.Printf("| %s | %d | %.1f %% | %.1f %% | %.1f %% |\n", rel, n, pct(matched, n), pct(med, n), pct(low, n))
		tn, tm, th, tl = tn+n, tm+matched, th+med, tl+low
	}
	fmt.Printf("| **all feeds** | %d | %.1f %% | %.1f %% | %.1f %% |\n\n", tn, pct(tm, tn), pct(th, tn), pct(tl, tn))
	return nil
}

// paths checks a real image's file list, every file and folder as the
// ios.filesystem module records it, with every feed.
func paths(zipFile string, all *indicators.Set) error {
	zr, err := zip.OpenReader(zipFile)
	if err != nil {
		return err
	}
	defer zr.Close()
	seen := map[string]bool{}
	bySev := map[model.Severity]int{}
	n := 0
	var examples []string
	judge := func(p string, mod time.Time, dir bool) {
		n++
		for _, d := range scan.MatchRecord(all, filetree.RecordFor(p, mod, dir)) {
			bySev[d.Severity]++
			if len(examples) < 5 {
				examples = append(examples, fmt.Sprintf("%s %s (%s)", d.Severity, p, d.Indicator.Value))
			}
		}
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".csv") || strings.HasPrefix(path.Base(f.Name), "._") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		cr := csv.NewReader(rc)
		cr.FieldsPerRecord = -1
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rc.Close()
				return err
			}
			p, ok := imagelist.DevicePath(rec[0])
			if !ok {
				continue
			}
			var mod time.Time
			if len(rec) > 1 {
				if s, err := strconv.ParseInt(rec[1], 10, 64); err == nil {
					mod = time.Unix(s, 0)
				}
			}
			judge(p, mod, false)
			for d := path.Dir(p); d != "/" && !seen[d]; d = path.Dir(d) {
				seen[d] = true
				judge(d, time.Time{}, true)
			}
		}
		rc.Close()
	}
	fmt.Println("### A real iPhone's file system (iOS 15 image, ../shared/realdata/ffs-paths) with every feed")
	fmt.Println()
	fmt.Println("| files and folders | critical | high | medium | low | informational |")
	fmt.Println("|---|---|---|---|---|---|")
	fmt.Printf("| %d | %d | %d | %d | %d | %d |\n", n, bySev[model.Critical], bySev[model.High], bySev[model.Medium], bySev[model.Low], bySev[model.Informational])
	if len(examples) > 0 {
		fmt.Printf("\nFindings: %s.\n", strings.Join(examples, "; "))
	}
	return nil
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
