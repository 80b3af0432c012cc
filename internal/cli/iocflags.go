package cli

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/pflag"

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
	fl.StringSliceVarP(&f.iocs, "iocs", "i", nil, "STIX 2.1 indicator file or folder (repeatable; also HUELLA_IOCS, and the feeds from 'huella iocs update')")
	fl.BoolVar(&f.noCache, "no-feed-cache", false, "do not use the feeds downloaded by 'huella iocs update'")
	fl.StringVar(&f.lock, "iocs-lock", "", "use exactly the indicator files whose SHA-256 an earlier run recorded (its info.json or a lock file)")
}

// load gathers the indicator files from --iocs, HUELLA_IOCS and the feed
// cache, compiles them once, and describes them for info.json. No indicator
// at all is allowed (heuristics still run) but said loudly.
func (f *iocFlags) load(log *slog.Logger) (*indicators.Set, results.Indicators, error) {
	paths := indicators.ResolvePaths(f.iocs, os.Getenv("HUELLA_IOCS"), "")
	if !f.noCache {
		paths = append(paths, feedCacheFiles()...)
	}
	var info results.Indicators
	if f.lock != "" {
		locked, err := applyLock(f.lock, paths)
		if err != nil {
			return nil, info, err
		}
		paths = locked
		info.Lock = f.lock
	}
	if len(paths) == 0 {
		log.Warn("no indicators loaded: only heuristics will run (give --iocs, set HUELLA_IOCS, or run 'huella iocs update')")
		info.Files = []results.IndicatorFile{}
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

// feedCacheFiles lists the feeds 'huella iocs update' keeps; set by the
// feeds command file.
var feedCacheFiles = func() []string { return nil }

// applyLock is replaced by the feeds command file; without it a lock cannot
// be honoured, which must be an error rather than a silent unpinned run.
var applyLock = func(lock string, paths []string) ([]string, error) {
	return nil, fmt.Errorf("--iocs-lock is not supported in this build")
}
