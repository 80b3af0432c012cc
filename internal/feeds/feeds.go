// Package feeds keeps the user's copy of the public indicator feeds: the
// project's index of feeds, `iocs update` (conditional, atomic, validated,
// locked, per-feed results), `--from DIR` imports, and the state recorded for
// each feed. It is the only package in huella that opens network connections,
// and only when the user runs `huella iocs update`.
package feeds

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/huella-project/huella/internal/atomicfile"
)

// Feed is one entry of the index.
type Feed struct {
	Name       string   `json:"name"`
	Title      string   `json:"title"`
	URL        string   `json:"url"`
	File       string   `json:"file"`
	Publisher  string   `json:"publisher"`
	Licence    string   `json:"licence"`
	References []string `json:"references,omitempty"`
}

type Index struct {
	SchemaVersion int    `json:"schema_version"`
	Feeds         []Feed `json:"feeds"`
}

//go:embed index.json
var defaultIndex []byte

// DefaultIndex is the project's own list of public feeds.
func DefaultIndex() (*Index, error) { return parseIndex(defaultIndex, "built-in index") }

// maxIndexSize caps a feed index; real ones are a few kilobytes.
var maxIndexSize int64 = 4 << 20

// LoadIndex reads an index from a file or an https URL. It accepts the
// project's JSON index and MVT's indicators.yaml. A nil client is
// NewClient's.
func LoadIndex(src string, client *http.Client) (*Index, error) {
	var b []byte
	var err error
	if strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://") {
		if client == nil {
			client = NewClient(0)
		}
		b, _, err = fetch(client, src, "", "", maxIndexSize)
		if err == errNotModified {
			err = errors.New("unexpected 304")
		}
	} else {
		b, err = readLocal(src, maxIndexSize)
	}
	if err != nil {
		return nil, fmt.Errorf("feed index %s: %w", Printable(src), err)
	}
	return parseIndex(b, Printable(src))
}

func parseIndex(b []byte, name string) (*Index, error) {
	var idx Index
	if err := json.Unmarshal(b, &idx); err == nil && len(idx.Feeds) > 0 {
		return &idx, validateIndex(&idx, name)
	}
	// MVT's indicators.yaml: {indicators: [{name, type: github, github: {owner, repo, branch, path}} | {type: download, download_url}]}
	var y struct {
		Indicators []struct {
			Name    string   `yaml:"name"`
			Type    string   `yaml:"type"`
			Sources []string `yaml:"sources"`
			URL     string   `yaml:"download_url"`
			GitHub  struct {
				Owner, Repo, Branch, Path string
			} `yaml:"github"`
		} `yaml:"indicators"`
	}
	if err := yaml.Unmarshal(b, &y); err != nil || len(y.Indicators) == 0 {
		return nil, fmt.Errorf("%s: not a feed index (JSON with \"feeds\" or MVT's indicators.yaml)", name)
	}
	for _, e := range y.Indicators {
		f := Feed{Title: e.Name, Publisher: strings.Join(e.Sources, ", "), Licence: "see source", URL: e.URL}
		if e.Type == "github" {
			br := e.GitHub.Branch
			if br == "" {
				br = "main"
			}
			f.URL = fmt.Sprintf("https://raw.githubusercontent.com/%s/%s/%s/%s", e.GitHub.Owner, e.GitHub.Repo, br, e.GitHub.Path)
		}
		if f.URL == "" {
			continue
		}
		f.File = filepath.Base(f.URL)
		f.Name = slug(strings.TrimSuffix(f.File, filepath.Ext(f.File)))
		idx.Feeds = append(idx.Feeds, f)
	}
	return &idx, validateIndex(&idx, name)
}

func validateIndex(idx *Index, name string) error {
	seen := map[string]bool{}
	for i, f := range idx.Feeds {
		if f.Name == "" || f.URL == "" {
			return fmt.Errorf("%s: feed %d has no name or URL", name, i)
		}
		if slug(f.Name) != f.Name {
			return fmt.Errorf("%s: feed name %q must be lower-case letters, digits and dashes", name, f.Name)
		}
		if seen[f.Name] {
			return fmt.Errorf("%s: feed %q listed twice", name, f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// DataDir is the platform's data folder for huella, or HUELLA_DATA.
func DataDir() string {
	if d := os.Getenv("HUELLA_DATA"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "huella")
		}
	case "darwin":
		return filepath.Join(home, "Library", "Application Support", "huella")
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "huella")
	}
	return filepath.Join(home, ".local", "share", "huella")
}

// FeedsDir holds the feed files (one per feed) and state.json.
func FeedsDir(data string) string { return filepath.Join(data, "feeds") }

// State is what is known about each cached feed.
type State struct {
	SchemaVersion int                   `json:"schema_version"`
	Feeds         map[string]*FeedState `json:"feeds"`
}

type FeedState struct {
	Name         string    `json:"name"`
	Source       string    `json:"source"` // URL, or "import:<dir>"
	File         string    `json:"file"`   // file name inside the feeds folder
	SHA256       string    `json:"sha256"`
	Size         int64     `json:"size"`
	Updated      time.Time `json:"updated"` // last time the content changed
	Checked      time.Time `json:"checked"` // last successful check (200 or 304)
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Publisher    string    `json:"publisher,omitempty"`
	Licence      string    `json:"licence,omitempty"`
	LastError    string    `json:"last_error,omitempty"`
}

// maxStateSize caps state.json: a few hundred bytes per feed.
const maxStateSize = 16 << 20

// ReadState reads state.json; a missing file is an empty state.
func ReadState(dir string) (*State, error) {
	st := &State{SchemaVersion: 1, Feeds: map[string]*FeedState{}}
	b, err := readLocal(filepath.Join(dir, "state.json"), maxStateSize)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "state.json"), err)
	}
	if st.Feeds == nil {
		st.Feeds = map[string]*FeedState{}
	}
	return st, nil
}

func writeState(dir string, st *State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return atomicWrite(dir, "state.json", b)
}

// atomicWrite writes name in dir through a temporary file, a sync and a
// rename (internal/atomicfile), so a reader never sees half a file and a
// crash keeps the previous copy.
func atomicWrite(dir, name string, b []byte) error {
	return atomicfile.WriteBytes(filepath.Join(dir, name), b)
}

var errNotModified = errors.New("not modified")

// maxFeedSize caps a download: the largest public feed is ~5 MB.
var maxFeedSize int64 = 64 << 20

func fetch(client *http.Client, url, etag, lastMod string, limit int64) ([]byte, *http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", "huella-iocs-update")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastMod != "" {
		req.Header.Set("If-Modified-Since", lastMod)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return nil, resp, errNotModified
	case resp.StatusCode != http.StatusOK:
		// The status line is the server's text: escaped before it can reach
		// a terminal.
		return nil, resp, fmt.Errorf("HTTP %s", Printable(resp.Status))
	}
	if resp.ContentLength > limit {
		return nil, resp, fmt.Errorf("feed is %d bytes, over the %d-byte limit", resp.ContentLength, limit)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, resp, fmt.Errorf("download interrupted: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, resp, fmt.Errorf("feed over the %d-byte limit", limit)
	}
	if resp.ContentLength >= 0 && int64(len(b)) != resp.ContentLength {
		return nil, resp, fmt.Errorf("truncated download: %d of %d bytes", len(b), resp.ContentLength)
	}
	return b, resp, nil
}
