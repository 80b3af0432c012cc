package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/huella-project/huella/internal/feeds"
	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/results"
)

// iocFlags are the indicator options shared by every command that matches.
type iocFlags struct {
	iocs    []string
	noCache bool
	lock    string
}

func (f *iocFlags) register(fl *pflag.FlagSet) {
	fl.StringSliceVarP(&f.iocs, "iocs", "i", nil, "STIX 2.1 or MISP indicator file or folder (repeatable; also HUELLA_IOCS, and the feeds from 'huella iocs update')")
	fl.BoolVar(&f.noCache, "no-feed-cache", false, "do not use the feeds downloaded by 'huella iocs update'")
	fl.StringVar(&f.lock, "iocs-lock", "", "use exactly the indicator files whose SHA-256 an earlier run recorded (its info.json or a lock file)")
}

// loadRequired is load for the commands that have nothing to do without
// indicators (iocs search, iocs lock, hunt): none at all is an error that
// says how to get some.
func (f *iocFlags) loadRequired(log *slog.Logger) (*indicators.Set, results.Indicators, error) {
	set, info, err := f.load(log)
	if err != nil {
		return nil, info, exitWith(results.ExitError, err)
	}
	if set == nil {
		return nil, info, exitWith(results.ExitError, errors.New("no indicators loaded: give --iocs, set HUELLA_IOCS, or run 'huella iocs update'"))
	}
	return set, info, nil
}

// indicatorFormats tells a user whose file loaded nothing what huella reads.
const indicatorFormats = "huella reads STIX 2.1 JSON bundles (.stix2, .json) and MISP event exports and feed folders (attributes with to_ids set); STIX 1 XML must be converted to STIX 2.1 first. 'huella iocs update' downloads the public STIX 2.1 feeds"

// load gathers the indicator files from --iocs, HUELLA_IOCS and the feed
// cache, compiles them once, and describes them for info.json.
//
// What the user named (--iocs, HUELLA_IOCS) must exist and load at least
// one indicator, or it is an error before any work: a typo must never turn
// into a check without the indicators the user asked for, whether or not a
// feed cache exists. Files that fail inside a named folder are kept in
// info.json with their error and listed by the summary. No indicator at all
// (no flag, no cache) is allowed, and makes the outcome incomplete.
func (f *iocFlags) load(log *slog.Logger) (*indicators.Set, results.Indicators, error) {
	named := indicators.ResolvePaths(f.iocs, os.Getenv("HUELLA_IOCS"), "")
	fromFlag := map[string]bool{}
	for _, p := range indicators.ResolvePaths(f.iocs, "", "") {
		fromFlag[p] = true
	}
	origin := func(p string) string {
		if fromFlag[p] {
			return "--iocs " + p
		}
		return "HUELLA_IOCS entry " + p
	}
	for _, p := range named {
		if _, err := os.Stat(p); err != nil {
			return nil, results.Indicators{}, fmt.Errorf("%s: no such file or folder. Fix: check the path, or run 'huella iocs update' to download the public feeds", origin(p))
		}
	}
	paths := append([]string(nil), named...)
	if !f.noCache {
		paths = append(paths, feeds.CachedFiles(feeds.DataDir())...)
	}
	info := results.Indicators{Files: []results.IndicatorFile{}}
	if f.lock != "" {
		locked, err := feeds.ApplyLock(f.lock, paths)
		if err != nil {
			return nil, info, err
		}
		paths = locked
		info.Lock = f.lock
	}
	if len(paths) == 0 {
		log.Warn("no indicators loaded: only heuristics will run (give --iocs, set HUELLA_IOCS, or run 'huella iocs update')")
		return nil, info, nil
	}
	set, err := indicators.Load(paths...)
	if err != nil {
		return nil, info, fmt.Errorf("indicators: %w", err)
	}
	for _, fi := range set.Files {
		info.Files = append(info.Files, results.IndicatorFile{
			Path: fi.Path, Name: fi.Name, SHA256: fi.SHA256, Size: fi.Size,
			Indicators: fi.Indicators, Counts: fi.Counts, Unsupported: fi.Unsupported, Error: fi.Error,
		})
		if fi.Error != "" {
			log.Warn("indicator file not loaded", "file", fi.Path, "err", fi.Error)
		}
	}
	if f.lock == "" {
		for _, p := range named {
			if err := loadsSomething(origin(p), p, set.Files); err != nil {
				return nil, info, err
			}
		}
	}
	info.Total = set.Len()
	info.Problems = len(set.Problems)
	if len(set.Problems) > 0 {
		log.Warn("some indicator patterns cannot be evaluated; they are listed in command.log", "count", len(set.Problems))
		for _, p := range set.Problems {
			log.Debug("unsupported indicator pattern", "file", p.File, "id", p.ID, "pattern", p.Pattern, "reason", p.Reason)
		}
	}
	log.Info("indicators loaded", "files", len(set.Files), "indicators", set.Len())
	if set.Len() == 0 {
		return nil, info, nil
	}
	return set, info, nil
}

// loadsSomething says why the named path p gave no usable indicator, if so.
func loadsSomething(origin, p string, files []indicators.FileInfo) error {
	n := 0
	var failed []string
	for _, fi := range files {
		if !under(fi.Path, p) {
			continue
		}
		for _, c := range fi.Counts {
			n += c
		}
		if fi.Error != "" {
			failed = append(failed, fmt.Sprintf("%s: %s", filepath.Base(fi.Path), fi.Error))
		} else if len(fi.Counts) == 0 {
			failed = append(failed, fmt.Sprintf("%s: no indicator with a pattern huella evaluates", filepath.Base(fi.Path)))
		}
	}
	if n > 0 {
		return nil
	}
	why := "it holds no .stix2, .json or .stix file"
	if len(failed) > 0 {
		why = strings.Join(firstN(failed, 3), "; ")
	}
	return fmt.Errorf("%s loads no indicator (%s). %s", origin, why, indicatorFormats)
}

func under(file, p string) bool {
	file, p = filepath.Clean(file), filepath.Clean(p)
	return file == p || strings.HasPrefix(file, p+string(filepath.Separator))
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
}

// skippedIndicatorFiles lists the files that did not load (they stay in
// info.json with their error; the summary prints them).
func skippedIndicatorFiles(ind results.Indicators) []results.IndicatorFile {
	var out []results.IndicatorFile
	for _, f := range ind.Files {
		if f.Error != "" {
			out = append(out, f)
		}
	}
	return out
}
