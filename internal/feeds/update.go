package feeds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"

	"strings"
	"testing/fstest"
	"time"

	"github.com/huella-project/huella/internal/indicators"
)

// Result is the outcome for one feed.
type Result struct {
	Feed       string
	Status     string // "updated", "unchanged", "failed", "imported"
	Err        error
	Indicators int
	SHA256     string
}

// Options control an update.
type Options struct {
	Data     string        // data folder (DataDir())
	Index    *Index        // feeds to fetch
	Client   *http.Client  // nil: one with Timeout
	Timeout  time.Duration // per feed (default 60 s)
	LockWait time.Duration // how long to wait for another update to finish (default 2 min)
	Progress func(done, total int, feed string)
}

// Validate checks that b is a STIX bundle huella can load, with at least one
// indicator, so a truncated or wrong file never replaces a good copy.
func Validate(name string, b []byte) (int, error) {
	set, err := indicators.LoadFS(fstest.MapFS{name: {Data: b}}, name)
	if err != nil {
		return 0, err
	}
	if len(set.Files) != 1 {
		return 0, fmt.Errorf("%s: not read", name)
	}
	if e := set.Files[0].Error; e != "" {
		return 0, errors.New(e)
	}
	if set.Files[0].Indicators == 0 {
		return 0, fmt.Errorf("%s: no STIX indicator in it", name)
	}
	return set.Files[0].Indicators, nil
}

// openLocked is the feeds folder, created when missing, locked against
// another update or import for as long as unlock is not called, and its
// state as read under the lock.
func openLocked(ctx context.Context, data string, lockWait time.Duration) (dir string, st *State, unlock func(), err error) {
	dir = FeedsDir(data)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, nil, err
	}
	unlock, err = lock(ctx, dir, lockWait)
	if err != nil {
		return "", nil, nil, err
	}
	st, err = ReadState(dir)
	if err != nil {
		unlock()
		return "", nil, nil, err
	}
	return dir, st, unlock, nil
}

// Update downloads every feed of the index into the feeds folder. One failing
// feed keeps its previous good copy and does not stop the others.
func Update(ctx context.Context, o Options) ([]Result, error) {
	dir, st, unlock, err := openLocked(ctx, o.Data, o.LockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
	client := o.Client
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	if client == nil {
		client = NewClient(timeout)
	}
	var out []Result
	for i, f := range o.Index.Feeds {
		if ctx.Err() != nil {
			break
		}
		if o.Progress != nil {
			o.Progress(i, len(o.Index.Feeds), f.Name)
		}
		r := updateOne(ctx, client, timeout, dir, st, f)
		out = append(out, r)
		// Save state after every feed so an interrupted run keeps what it got.
		if err := writeState(dir, st); err != nil {
			return out, err
		}
	}
	if o.Progress != nil {
		o.Progress(len(o.Index.Feeds), len(o.Index.Feeds), "")
	}
	return out, ctx.Err()
}

func updateOne(ctx context.Context, client *http.Client, timeout time.Duration, dir string, st *State, f Feed) Result {
	prev := st.Feeds[f.Name]
	etag, lastMod := "", ""
	if prev != nil && prev.Source == f.URL {
		if _, err := os.Stat(filepath.Join(dir, prev.File)); err == nil {
			etag, lastMod = prev.ETag, prev.LastModified
		}
	}
	fail := func(err error) Result {
		if prev != nil {
			prev.LastError = err.Error()
		}
		return Result{Feed: f.Name, Status: "failed", Err: err}
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := *client
	c.Transport = ctxTransport{ctx: cctx, rt: client.Transport}
	b, resp, err := fetch(&c, f.URL, etag, lastMod, maxFeedSize)
	now := time.Now().UTC()
	if errors.Is(err, errNotModified) {
		prev.Checked, prev.LastError = now, ""
		return Result{Feed: f.Name, Status: "unchanged", SHA256: prev.SHA256}
	}
	if err != nil {
		return fail(err)
	}
	file := f.Name + ".stix2"
	n, err := Validate(file, b)
	if err != nil {
		return fail(fmt.Errorf("downloaded file is not a valid STIX feed, previous copy kept: %w", err))
	}
	sum := sha256.Sum256(b)
	h := hex.EncodeToString(sum[:])
	if err := atomicWrite(dir, file, b); err != nil {
		return fail(err)
	}
	fs := &FeedState{Name: f.Name, Source: f.URL, File: file, SHA256: h, Size: int64(len(b)), Updated: now, Checked: now,
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Publisher: f.Publisher, Licence: f.Licence}
	status := "updated"
	if prev != nil && prev.SHA256 == h {
		fs.Updated = prev.Updated
		status = "unchanged"
	}
	st.Feeds[f.Name] = fs
	return Result{Feed: f.Name, Status: status, Indicators: n, SHA256: h}
}

// ctxTransport ties each request to the per-feed deadline, so a server that
// trickles bytes cannot hold the update past its timeout.
type ctxTransport struct {
	ctx context.Context
	rt  http.RoundTripper
}

func (t ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt := t.rt
	if rt == nil {
		rt = http.DefaultTransport
	}
	return rt.RoundTrip(r.WithContext(t.ctx))
}

// Import copies every valid STIX file of a folder (an offline mirror) into
// the feeds folder.
func Import(ctx context.Context, data, from string, lockWait time.Duration) ([]Result, error) {
	dir, st, unlock, err := openLocked(ctx, data, lockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var files []string
	var sizes []int64
	err = filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if d.Type().IsRegular() && (ext == ".stix2" || ext == ".json" || ext == ".stix") {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			files = append(files, p)
			sizes = append(sizes, fi.Size())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Result
	now := time.Now().UTC()
	for i, p := range files {
		rel, _ := filepath.Rel(from, p)
		name := slug(strings.TrimSuffix(rel, filepath.Ext(rel)))
		var b []byte
		if sizes[i] > maxFeedSize {
			// Refused from its size alone: a 3 GiB file is not read first.
			err = fmt.Errorf("%d bytes, over the %d-byte limit", sizes[i], maxFeedSize)
		} else {
			b, err = readLocal(p, maxFeedSize)
		}
		var n int
		if err == nil {
			n, err = Validate(filepath.Base(p), b)
		}
		if err != nil {
			out = append(out, Result{Feed: name, Status: "failed", Err: fmt.Errorf("%s: %w", p, err)})
			continue
		}
		sum := sha256.Sum256(b)
		file := name + ".stix2"
		if err := atomicWrite(dir, file, b); err != nil {
			return out, err
		}
		st.Feeds[name] = &FeedState{Name: name, Source: "import:" + p, File: file, SHA256: hex.EncodeToString(sum[:]),
			Size: int64(len(b)), Updated: now, Checked: now}
		out = append(out, Result{Feed: name, Status: "imported", Indicators: n, SHA256: st.Feeds[name].SHA256})
	}
	return out, writeState(dir, st)
}

// lock takes the feeds folder's lock file, waiting for another update to
// finish; a lock left by a process that died is taken over after staleAfter.
func lock(ctx context.Context, dir string, wait time.Duration) (func(), error) {
	if wait == 0 {
		wait = 2 * time.Minute
	}
	p := filepath.Join(dir, ".lock")
	deadline := time.Now().Add(wait)
	for {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			fmt.Fprintf(f, "%d %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
			f.Close()
			return func() { os.Remove(p) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) > staleAfter {
			os.Remove(p)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("another 'huella iocs update' holds %s; wait for it or remove the file if no update is running", p)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

const staleAfter = 30 * time.Minute

// CachedFiles lists the feed files in the cache that the state knows, for
// the check commands.
func CachedFiles(data string) []string {
	dir := FeedsDir(data)
	st, err := ReadState(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, f := range st.Feeds {
		p := filepath.Join(dir, f.File)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// Age says how long ago the feed last changed or was confirmed unchanged.
func (f *FeedState) Age(now time.Time) time.Duration { return now.Sub(f.Checked) }
