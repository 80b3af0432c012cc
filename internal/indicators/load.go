// Package indicators loads STIX 2.1 indicator bundles and compiles them into
// a matcher that answers, for one observable, which indicators it matches,
// in time proportional to the observable (its labels or path components),
// never to the number of indicators.
package indicators

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Limits on what one file may cost. Real feeds are under 5 MB; a cap far
// above that still stops a mistaken --iocs pointing at a disk image.
const (
	MaxFileSize        int64 = 256 << 20
	maxObjects               = 5_000_000
	maxProblemsPerFile       = 1000
)

// Problem is an indicator (or file) that could not be used, with why.
type Problem struct{ File, ID, Pattern, Reason string }

// FileInfo describes one loaded file; it goes into the run manifest.
type FileInfo struct {
	Path        string
	Name        string
	SHA256      string
	Size        int64
	Indicators  int            // indicator objects read, duplicates included
	Counts      map[string]int // alternatives by canonical type, e.g. "domain-name:value"
	Unsupported int            // indicators with no pattern huella can evaluate
	Error       string         // non-empty when the whole file failed
}

// Set is a compiled collection of indicators. It is immutable after Load and
// safe for concurrent use.
type Set struct {
	Files    []FileInfo
	Problems []Problem
	m        *matcher
}

// Len is the number of distinct (type, value) indicators compiled.
func (s *Set) Len() int {
	if s == nil || s.m == nil {
		return 0
	}
	return len(s.m.distinct)
}

// Counts totals FileInfo.Counts across files.
func (s *Set) Counts() map[string]int {
	out := map[string]int{}
	if s == nil {
		return out
	}
	for _, f := range s.Files {
		for k, v := range f.Counts {
			out[k] += v
		}
	}
	return out
}

var stixExts = []string{".stix2", ".json", ".stix"}

func isSTIXName(name string) bool {
	return slices.Contains(stixExts, strings.ToLower(path.Ext(name)))
}

// Load reads files and folders (folders recursively, keeping *.stix2, *.json
// and *.stix; a file named explicitly is read whatever its extension). Each
// file is a STIX 2.1 bundle or a MISP event export (see misp.go); a MISP
// feed's manifest.json stands for the event files it lists. A file
// that fails is reported in its FileInfo and the others still load; the
// error is only for when none of the paths exists.
func Load(paths ...string) (*Set, error) { return load(osFeeds, paths) }

// LoadFS is Load over an fs.FS, for tests and embedded feeds. names are files
// or folders inside fsys.
func LoadFS(fsys fs.FS, names ...string) (*Set, error) { return load(fsFeeds(fsys), names) }

// feedSource is where the loader finds indicator files: the operating
// system's (Load) or an fs.FS (LoadFS), each with its own path functions.
// key names a file however it was reached, so a file named twice loads once.
// limit is the most one file may hold (MaxFileSize).
type feedSource struct {
	limit     int64
	stat      func(string) (fs.FileInfo, error)
	walk      func(root string, fn fs.WalkDirFunc) error
	open      func(string) (fs.File, error)
	key       func(string) string
	join      func(dir, name string) string
	dir, base func(string) string
}

var osFeeds = feedSource{
	limit: MaxFileSize,
	stat:  os.Stat,
	walk:  filepath.WalkDir,
	open:  func(p string) (fs.File, error) { return os.Open(p) },
	key: func(p string) string {
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
		return p
	},
	join: func(d, n string) string { return filepath.Join(d, n) },
	dir:  filepath.Dir,
	base: filepath.Base,
}

func fsFeeds(fsys fs.FS) feedSource {
	return feedSource{
		limit: MaxFileSize,
		stat:  func(p string) (fs.FileInfo, error) { return fs.Stat(fsys, p) },
		walk:  func(root string, fn fs.WalkDirFunc) error { return fs.WalkDir(fsys, root, fn) },
		open:  fsys.Open,
		key:   path.Clean,
		join:  func(d, n string) string { return path.Join(d, n) },
		dir:   path.Dir,
		base:  path.Base,
	}
}

// read reads a small file (a feed manifest) under the file limit.
func (src feedSource) read(p string) ([]byte, error) {
	rc, size, err := sized(src.open(p))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readUnder(rc, size, src.limit)
}

func (src feedSource) isRegular(p string) bool {
	st, err := src.stat(p)
	return err == nil && st.Mode().IsRegular()
}

func load(src feedSource, names []string) (*Set, error) {
	b := newBuilder()
	existing := 0
	seen := map[string]bool{}
	for _, p := range names {
		st, err := src.stat(p)
		if err != nil {
			b.files = append(b.files, FileInfo{Path: p, Name: src.base(p), Error: err.Error()})
			continue
		}
		existing++
		var files []string
		if st.IsDir() {
			// Errors inside the folder are listed as files that failed;
			// the walk itself then never fails.
			_ = src.walk(p, func(fp string, d fs.DirEntry, err error) error {
				if err != nil {
					b.files = append(b.files, FileInfo{Path: fp, Name: src.base(fp), Error: err.Error()})
					return nil
				}
				if d.Type().IsRegular() && isSTIXName(d.Name()) {
					files = append(files, fp)
				}
				return nil
			})
		} else {
			files = append(files, p)
		}
		sort.Strings(files)
		files, missing := expandFeeds(src, files)
		b.files = append(b.files, missing...)
		for _, f := range files {
			k := src.key(f)
			if seen[k] {
				continue
			}
			seen[k] = true
			b.loadFile(f, src.limit, func() (io.ReadCloser, int64, error) { return sized(src.open(f)) })
		}
	}
	if existing == 0 && len(names) > 0 {
		return nil, fmt.Errorf("no indicator file or folder exists at %s", strings.Join(names, ", "))
	}
	return b.finish(), nil
}

// sized is an opened indicator file with its size, which the loader checks
// before reading; anything but a regular file is refused.
func sized(fh fs.File, err error) (io.ReadCloser, int64, error) {
	if err != nil {
		return nil, 0, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		fh.Close()
		return nil, 0, errors.New("not a regular file")
	}
	return fh, st.Size(), nil
}

// stixObject holds the fields of the four object types huella reads.
type stixObject struct {
	Type             string   `json:"type"`
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Pattern          string   `json:"pattern"`
	PatternType      string   `json:"pattern_type"`
	RelationshipType string   `json:"relationship_type"`
	SourceRef        string   `json:"source_ref"`
	TargetRef        string   `json:"target_ref"`
	ObjectRefs       []string `json:"object_refs"`
}

type stixBundle struct {
	Type    string            `json:"type"`
	Objects []json.RawMessage `json:"objects"`
}

func (b *builder) loadFile(p string, limit int64, open func() (io.ReadCloser, int64, error)) {
	fi := FileInfo{Path: p, Name: filepath.Base(p), Counts: map[string]int{}}
	fail := func(err error) {
		fi.Error = err.Error()
		b.files = append(b.files, fi)
	}
	rc, size, err := open()
	if err != nil {
		fail(err)
		return
	}
	defer rc.Close()
	fi.Size = size
	data, err := readUnder(rc, size, limit)
	if err != nil {
		fail(err)
		return
	}
	fi.Size = int64(len(data))
	sum := sha256.Sum256(data)
	fi.SHA256 = hex.EncodeToString(sum[:])
	if events, ok := looksMISP(data); ok {
		if err := b.addMISP(&fi, events); err != nil {
			fail(fmt.Errorf("not a MISP event: %w", err))
			return
		}
		b.files = append(b.files, fi)
		return
	}
	objs, err := decodeBundle(data)
	if err != nil {
		fail(fmt.Errorf("not a STIX 2.1 bundle: %w", err))
		return
	}
	b.addBundle(&fi, objs)
	b.files = append(b.files, fi)
}

// readUnder reads an opened indicator file whole: one that declares more
// than limit bytes is refused before any read, and one that grows past it
// while read (a declared size is never trusted) is refused too.
func readUnder(rc io.Reader, size, limit int64) ([]byte, error) {
	if size > limit {
		return nil, fmt.Errorf("file is %d bytes, over the %d-byte limit for indicator files", size, limit)
	}
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file grew over the %d-byte limit while being read", limit)
	}
	return data, nil
}

func decodeBundle(data []byte) ([]stixObject, error) {
	var bundle stixBundle
	if err := json.Unmarshal(data, &bundle); err != nil {
		return nil, err
	}
	if bundle.Type != "" && bundle.Type != "bundle" {
		return nil, fmt.Errorf("top-level type is %q, not \"bundle\"", bundle.Type)
	}
	if bundle.Objects == nil {
		return nil, errors.New("no \"objects\" array")
	}
	if len(bundle.Objects) > maxObjects {
		return nil, fmt.Errorf("%d objects, over the %d limit", len(bundle.Objects), maxObjects)
	}
	out := make([]stixObject, 0, len(bundle.Objects))
	for i, raw := range bundle.Objects {
		var o stixObject
		if err := json.Unmarshal(raw, &o); err != nil {
			// One odd object (a number where a string belongs) must not
			// throw away the rest of the feed; record it as a problem.
			out = append(out, stixObject{Type: "x-huella-invalid", ID: fmt.Sprintf("objects[%d]", i), Name: err.Error()})
			continue
		}
		out = append(out, o)
	}
	return out, nil
}

// fileProblems is how one file's problems are listed: the first
// maxProblemsPerFile, then one line saying the rest are not, so a broken
// feed cannot bury the others' problems.
func (b *builder) fileProblems(fi *FileInfo) func(Problem) {
	problems := 0
	return func(pr Problem) {
		problems++
		if problems <= maxProblemsPerFile {
			b.problems = append(b.problems, pr)
		} else if problems == maxProblemsPerFile+1 {
			b.problems = append(b.problems, Problem{File: fi.Path, Reason: "too many problems in this file; the rest are not listed"})
		}
	}
}

// addBundle attributes each indicator to a campaign and compiles it. The
// order is: the malware it indicates, else the report listing it, else the
// file name. MVT looks at reports first; a relationship is the more specific
// statement, so it wins here.
func (b *builder) addBundle(fi *FileInfo, objs []stixObject) {
	malware := map[string]string{}
	reportOf := map[string]string{}
	for _, o := range objs {
		switch o.Type {
		case "malware", "campaign", "intrusion-set", "threat-actor":
			if o.Name != "" {
				malware[o.ID] = o.Name
			}
		case "report":
			for _, ref := range o.ObjectRefs {
				if _, ok := reportOf[ref]; !ok && o.Name != "" {
					reportOf[ref] = o.Name
				}
			}
		}
	}
	indicates := map[string]string{}
	weak := map[string]string{} // relationships other than "indicates", used only as a fallback
	for _, o := range objs {
		if o.Type != "relationship" {
			continue
		}
		name, ok := malware[o.TargetRef]
		if !ok {
			continue
		}
		if o.RelationshipType == "indicates" {
			if _, dup := indicates[o.SourceRef]; !dup {
				indicates[o.SourceRef] = name
			}
		} else if _, dup := weak[o.SourceRef]; !dup {
			weak[o.SourceRef] = name
		}
	}
	problem := b.fileProblems(fi)
	for _, o := range objs {
		if o.Type == "x-huella-invalid" {
			problem(Problem{File: fi.Path, ID: o.ID, Reason: "object does not decode: " + o.Name})
			continue
		}
		if o.Type != "indicator" {
			continue
		}
		fi.Indicators++
		campaign := indicates[o.ID]
		if campaign == "" {
			campaign = reportOf[o.ID]
		}
		if campaign == "" {
			campaign = weak[o.ID]
		}
		if campaign == "" {
			campaign = strings.TrimSuffix(fi.Name, filepath.Ext(fi.Name))
		}
		if o.PatternType != "" && !strings.EqualFold(o.PatternType, "stix") {
			fi.Unsupported++
			problem(Problem{File: fi.Path, ID: o.ID, Pattern: clip(o.Pattern), Reason: "pattern_type " + o.PatternType + " is not evaluated"})
			continue
		}
		node, err := ParsePattern(o.Pattern)
		if err != nil {
			fi.Unsupported++
			problem(Problem{File: fi.Path, ID: o.ID, Pattern: clip(o.Pattern), Reason: "pattern does not parse: " + err.Error()})
			continue
		}
		alts, skipped := evaluate(node)
		if len(alts) == 0 {
			fi.Unsupported++
			problem(Problem{File: fi.Path, ID: o.ID, Pattern: clip(o.Pattern), Reason: "not evaluated: " + strings.Join(skipped, "; ")})
			continue
		}
		if len(skipped) > 0 {
			problem(Problem{File: fi.Path, ID: o.ID, Pattern: clip(o.Pattern), Reason: "partly evaluated; skipped " + strings.Join(skipped, "; ")})
		}
		for _, a := range alts {
			fi.Counts[a.Type]++
			b.add(a, ref{Campaign: campaign, File: fi.Name, FileSHA256: fi.SHA256, ID: o.ID})
		}
	}
}

// clip keeps problem reports readable when a pattern is huge.
func clip(s string) string {
	if len(s) > 512 {
		return s[:512] + "…"
	}
	return s
}

// ResolvePaths lists where indicators come from, in order: every --iocs flag,
// then HUELLA_IOCS (an os.PathListSeparator list), then the download cache
// when it exists. Duplicates (after cleaning) are dropped.
func ResolvePaths(flagPaths []string, envValue string, cacheDir string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		p = strings.TrimSpace(p)
		if p == "" {
			return
		}
		c := filepath.Clean(p)
		if seen[c] {
			return
		}
		seen[c] = true
		out = append(out, c)
	}
	for _, p := range flagPaths {
		add(p)
	}
	for _, p := range filepath.SplitList(envValue) {
		add(p)
	}
	if cacheDir != "" {
		if st, err := os.Stat(cacheDir); err == nil && st.IsDir() {
			add(cacheDir)
		}
	}
	return out
}
