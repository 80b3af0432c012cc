package feeds

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/huella-project/huella/internal/atomicfile"
	"github.com/huella-project/huella/internal/source"
)

// LockEntry pins one indicator file by content.
type LockEntry struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// ReadLock reads the pinned hashes from a lock file or from an earlier run's
// info.json (whose indicators.files carry name and sha256), so "use exactly
// what that report used" needs no extra file.
func ReadLock(p string) ([]LockEntry, error) {
	// A lock file or an earlier info.json: small either way.
	b, err := readLocal(p, 64<<20)
	if err != nil {
		return nil, fmt.Errorf("iocs lock: %w", err)
	}
	var doc struct {
		Files      []LockEntry `json:"files"`
		Indicators struct {
			Files []LockEntry `json:"files"`
		} `json:"indicators"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("iocs lock %s: %w", p, err)
	}
	entries := doc.Files
	if len(entries) == 0 {
		entries = doc.Indicators.Files
	}
	var out []LockEntry
	for _, e := range entries {
		if e.SHA256 != "" {
			out = append(out, LockEntry{Name: e.Name, SHA256: strings.ToLower(e.SHA256)})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("iocs lock %s: no indicator file hashes in it", p)
	}
	return out, nil
}

// WriteLock writes a lock file for the given indicator files.
func WriteLock(p string, files []LockEntry) error {
	b, err := json.MarshalIndent(struct {
		SchemaVersion int         `json:"schema_version"`
		Files         []LockEntry `json:"files"`
	}{1, files}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(p, append(b, '\n'))
}

// ApplyLock picks, among the candidate files and folders, exactly the files
// whose SHA-256 the lock pins. Every pinned hash must be found: a check that
// silently ran with other indicators would not be reproducible.
func ApplyLock(lockPath string, candidates []string) ([]string, error) {
	entries, err := ReadLock(lockPath)
	if err != nil {
		return nil, err
	}
	want := map[string]LockEntry{}
	for _, e := range entries {
		want[e.SHA256] = e
	}
	found := map[string]string{}
	for _, c := range candidates {
		_ = filepath.WalkDir(c, func(p string, d os.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			h, err := source.HashFile(p)
			if err == nil {
				if _, ok := want[h]; ok && found[h] == "" {
					found[h] = p
				}
			}
			return nil
		})
	}
	var out, missing []string
	for h, e := range want {
		if p := found[h]; p != "" {
			out = append(out, p)
		} else {
			missing = append(missing, fmt.Sprintf("%s (%s)", e.Name, h))
		}
	}
	sort.Strings(out)
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("--iocs-lock: no indicator file with these pinned hashes among --iocs, HUELLA_IOCS and the feed cache: %s", strings.Join(missing, ", "))
	}
	return out, nil
}
