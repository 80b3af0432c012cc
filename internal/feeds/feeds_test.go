package feeds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/testutil"
)

func bundle(domain string) []byte {
	return []byte(fmt.Sprintf(`{"type":"bundle","id":"bundle--1","objects":[
 {"type":"malware","id":"malware--1","name":"Spy","is_family":true},
 {"type":"indicator","id":"indicator--1","pattern":"[domain-name:value='%s']","pattern_type":"stix","valid_from":"2021-01-01T00:00:00Z"},
 {"type":"relationship","id":"relationship--1","relationship_type":"indicates","source_ref":"indicator--1","target_ref":"malware--1"}]}`, domain))
}

// feedServer serves named feeds with ETags and lets a test break one.
type feedServer struct {
	mu      sync.Mutex
	content map[string][]byte
	mode    map[string]string // "", "404", "truncate", "invalid", "slow"
	hits    atomic.Int64
	n304    atomic.Int64
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	name := strings.TrimPrefix(r.URL.Path, "/")
	s.mu.Lock()
	b, ok := s.content[name]
	mode := s.mode[name]
	s.mu.Unlock()
	if !ok || mode == "404" {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, len(b)*7+int(b[len(b)/2]))
	if r.Header.Get("If-None-Match") == etag {
		s.n304.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	switch mode {
	case "truncate":
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b[:len(b)/2])
		return
	case "invalid":
		w.Write([]byte(`{"type":"bundle","objects":[{"type":"indicator",`))
		return
	case "slow":
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b[:10])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return
	}
	w.Write(b)
}

func setup(t *testing.T, names ...string) (*feedServer, *Index, string) {
	t.Helper()
	fs := &feedServer{content: map[string][]byte{}, mode: map[string]string{}}
	srv := httptest.NewServer(fs)
	t.Cleanup(srv.Close)
	idx := &Index{SchemaVersion: 1}
	for _, n := range names {
		fs.content[n] = bundle(n + ".example")
		idx.Feeds = append(idx.Feeds, Feed{Name: n, URL: srv.URL + "/" + n, File: n + ".stix2"})
	}
	return fs, idx, t.TempDir()
}

func statuses(rs []Result) map[string]string {
	m := map[string]string{}
	for _, r := range rs {
		m[r.Feed] = r.Status
	}
	return m
}

// usable loads the cache the way a check does and says which domains match.
func usable(t *testing.T, data string) map[string]bool {
	t.Helper()
	files := CachedFiles(data)
	got := map[string]bool{}
	if len(files) == 0 {
		return got
	}
	set, err := indicators.Load(files...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range set.Files {
		if f.Error != "" {
			t.Errorf("cached file unusable: %s: %s", f.Path, f.Error)
		}
	}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		if len(set.Search(n+".example")) > 0 {
			got[n] = true
		}
	}
	return got
}

func TestUpdateLifecycle(t *testing.T) {
	srv, idx, data := setup(t, "a", "b", "c", "d", "e")
	ctx := context.Background()
	rs, err := Update(ctx, Options{Data: data, Index: idx, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for n, s := range statuses(rs) {
		if s != "updated" {
			t.Errorf("first download %s: %s", n, s)
		}
	}
	if got := usable(t, data); len(got) != 5 {
		t.Fatalf("after first update: %v", got)
	}

	// Second run: every feed answers 304 Not Modified.
	rs, err = Update(ctx, Options{Data: data, Index: idx, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if srv.n304.Load() != 5 {
		t.Errorf("conditional requests: %d 304s", srv.n304.Load())
	}
	for n, s := range statuses(rs) {
		if s != "unchanged" {
			t.Errorf("%s: %s", n, s)
		}
	}

	// Now one feed of each failure kind; their previous copies must stay.
	srv.mu.Lock()
	for _, n := range []string{"a", "b", "c", "d"} {
		srv.content[n] = bundle(n + "-new.example")
	}
	srv.mode["a"], srv.mode["b"], srv.mode["c"], srv.mode["d"] = "404", "truncate", "invalid", "slow"
	srv.content["e"] = bundle("e.example")
	srv.mu.Unlock()
	start := time.Now()
	rs, err = Update(ctx, Options{Data: data, Index: idx, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 4*time.Second {
		t.Errorf("a slow feed held the update for %s", time.Since(start))
	}
	st := statuses(rs)
	for _, n := range []string{"a", "b", "c", "d"} {
		if st[n] != "failed" {
			t.Errorf("%s should fail, got %s", n, st[n])
		}
	}
	if got := usable(t, data); len(got) != 5 {
		t.Errorf("a failing feed must keep its previous good copy: usable %v", got)
	}
	state, _ := ReadState(FeedsDir(data))
	if state.Feeds["a"].LastError == "" {
		t.Errorf("the failure should be recorded in state.json")
	}
	left, _ := filepath.Glob(filepath.Join(FeedsDir(data), ".*tmp*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestConcurrentUpdatesStayConsistent(t *testing.T) {
	_, idx, data := setup(t, "a", "b", "c")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Update(context.Background(), Options{Data: data, Index: idx, Timeout: time.Second, LockWait: 10 * time.Second})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("update: %v", err)
		}
	}
	if got := usable(t, data); len(got) != 3 {
		t.Errorf("usable after concurrent updates: %v", got)
	}
	if _, err := os.Stat(filepath.Join(FeedsDir(data), ".lock")); !os.IsNotExist(err) {
		t.Errorf("lock left behind")
	}
}

func TestLockTimesOut(t *testing.T) {
	_, idx, data := setup(t, "a")
	os.MkdirAll(FeedsDir(data), 0o700)
	os.WriteFile(filepath.Join(FeedsDir(data), ".lock"), []byte("1"), 0o600)
	_, err := Update(context.Background(), Options{Data: data, Index: idx, LockWait: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "another 'huella iocs update'") {
		t.Errorf("got %v", err)
	}
}

func TestImportAndLock(t *testing.T) {
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "one.stix2"), bundle("a.example"), 0o600)
	os.WriteFile(filepath.Join(src, "bad.json"), []byte("{"), 0o600)
	data := t.TempDir()
	rs, err := Import(context.Background(), data, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st := statuses(rs); st["one"] != "imported" || st["bad"] != "failed" {
		t.Errorf("%v", st)
	}
	files := CachedFiles(data)
	h, _ := source.HashFile(files[0])
	lockFile := filepath.Join(t.TempDir(), "x.lock")
	if err := WriteLock(lockFile, []LockEntry{{Name: "one.stix2", SHA256: h}}); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.stix2")
	os.WriteFile(other, bundle("b.example"), 0o600)
	got, err := ApplyLock(lockFile, []string{other, FeedsDir(data)})
	if err != nil || len(got) != 1 || got[0] != files[0] {
		t.Errorf("lock picked %v, %v", got, err)
	}
	if _, err := ApplyLock(lockFile, []string{other}); err == nil {
		t.Errorf("a pinned file that is missing must be an error")
	}
}

func TestIndexes(t *testing.T) {
	idx, err := DefaultIndex()
	if err != nil || len(idx.Feeds) < 15 {
		t.Fatalf("built-in index: %v %d", err, len(idx.Feeds))
	}
	for _, f := range idx.Feeds {
		if !strings.HasPrefix(f.URL, "https://") {
			t.Errorf("feed %s is not fetched over HTTPS: %s", f.Name, f.URL)
		}
	}
	y := testutil.Shared(t, "iocs/mvt-indicators/indicators.yaml")
	mvt, err := LoadIndex(y, nil)
	if err != nil || len(mvt.Feeds) != 15 {
		t.Fatalf("MVT index: %v %d", err, len(mvt.Feeds))
	}
}

// TestUpdateFromSharedFeeds serves ../shared/iocs over HTTP like the real
// hosts and checks every feed of the built-in index downloads and validates.
func TestUpdateFromSharedFeeds(t *testing.T) {
	root := testutil.Shared(t, "iocs")
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	defer srv.Close()
	def, _ := DefaultIndex()
	idx := &Index{}
	for _, f := range def.Feeds {
		// map https://raw.githubusercontent.com/<owner>/<repo>/<branch>/<path> to the bundle's layout
		parts := strings.SplitN(strings.TrimPrefix(f.URL, "https://raw.githubusercontent.com/"), "/", 4)
		local := map[string]string{"AmnestyTech": "amnesty", "mvt-project": "mvt-indicators", "AssoEchap": "echap"}[parts[0]]
		p := parts[3]
		if parts[0] == "AssoEchap" {
			p = "stalkerware.upstream-2023-05-31.stix2"
		}
		f.URL = srv.URL + "/" + local + "/" + p
		idx.Feeds = append(idx.Feeds, f)
	}
	data := t.TempDir()
	rs, err := Update(context.Background(), Options{Data: data, Index: idx})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Status != "updated" {
			t.Errorf("%s: %s %v", r.Feed, r.Status, r.Err)
		}
	}
	set, err := indicators.Load(CachedFiles(data)...)
	if err != nil || set.Len() < 10000 {
		t.Errorf("loaded %d indicators: %v", set.Len(), err)
	}
}

// TestIndexURL: --index with a URL used to panic (no HTTP client); an index
// fetched over HTTP loads, and its feeds update.
func TestIndexURL(t *testing.T) {
	fs, idx, data := setup(t, "a")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"schema_version":1,"feeds":[{"name":"a","url":%q,"file":"a.stix2"}]}`, idx.Feeds[0].URL)
	}))
	defer srv.Close()
	got, err := LoadIndex(srv.URL+"/index.json", nil)
	if err != nil || len(got.Feeds) != 1 || got.Feeds[0].URL != idx.Feeds[0].URL {
		t.Fatalf("LoadIndex: %+v %v", got, err)
	}
	rs, err := Update(context.Background(), Options{Data: data, Index: got})
	if err != nil || statuses(rs)["a"] != "updated" || fs.hits.Load() == 0 {
		t.Fatalf("update from a fetched index: %v %v", rs, err)
	}
}

// TestRedirects: a redirect on the same host is followed; one to another
// host (another port counts) is refused, and the feed keeps its copy.
func TestRedirects(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(bundle("evil.example")) }))
	defer other.Close()
	var self *httptest.Server
	self = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, self.URL+"/feed", http.StatusFound)
		case "/away":
			http.Redirect(w, r, other.URL+"/feed", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/feed":
			w.Write(bundle("good.example"))
		}
	}))
	defer self.Close()
	idx := &Index{Feeds: []Feed{{Name: "same", URL: self.URL + "/same"}, {Name: "away", URL: self.URL + "/away"}, {Name: "loop", URL: self.URL + "/loop"}}}
	rs, err := Update(context.Background(), Options{Data: t.TempDir(), Index: idx})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Result{}
	for _, r := range rs {
		byName[r.Feed] = r
	}
	if byName["same"].Status != "updated" {
		t.Errorf("same-host redirect: %+v", byName["same"])
	}
	if r := byName["away"]; r.Status != "failed" || !errors.Is(r.Err, errOtherHost) || !strings.Contains(r.Err.Error(), "another host") {
		t.Errorf("redirect to another host: %+v", r)
	}
	if r := byName["loop"]; r.Status != "failed" || !strings.Contains(r.Err.Error(), "redirects") {
		t.Errorf("redirect loop: %+v", r)
	}
	if _, err := LoadIndex(self.URL+"/away", nil); err == nil || !strings.Contains(err.Error(), "another host") {
		t.Errorf("index redirected to another host: %v", err)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"404 Not Found":             "404 Not Found",
		"ok\x1b[2Jgone":             `ok\x1b[2Jgone`,
		"bell\a":                    `bell\a`,
		"c1\u009b31m":               `c1\u009b31m`,
		"rtl\u202eexe.stix2":        `rtl\u202eexe.stix2`,
		"isolate\u2066x\u2069":      `isolate\u2066x\u2069`,
		"bad\xffutf8":               `bad\xffutf8`,
		"línea con ñ y 日本":          "línea con ñ y 日本",
		"tab\tnewline\n":            `tab\tnewline\n`,
		"https://a.example/x?y=1#z": "https://a.example/x?y=1#z",
		`back\slash`:                `back\\slash`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A status text carrying a screen-clearing escape.
		w.Header().Set("Content-Type", "text/plain")
		hj, _ := w.(http.Hijacker)
		c, buf, _ := hj.Hijack()
		defer c.Close()
		buf.WriteString("HTTP/1.1 500 \x1b[2Jall clear\r\nContent-Length: 0\r\n\r\n")
		buf.Flush()
	}))
	defer srv.Close()
	_, err := LoadIndex(srv.URL, nil)
	if err == nil || strings.Contains(err.Error(), "\x1b") || !strings.Contains(err.Error(), `\x1b[2J`) {
		t.Errorf("server text not escaped: %q", err)
	}
}

// TestFromChecksSizesFirst: a 3 GiB file in the --from folder is refused
// from its size, without being read (a sparse file: no disk used).
func TestFromChecksSizesFirst(t *testing.T) {
	src := t.TempDir()
	f, err := os.Create(filepath.Join(src, "huge.stix2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(3 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	os.WriteFile(filepath.Join(src, "ok.stix2"), bundle("a.example"), 0o600)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	rs, err := Import(context.Background(), t.TempDir(), src, 0)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	st := statuses(rs)
	if st["huge"] != "failed" || st["ok"] != "imported" {
		t.Fatalf("%+v", rs)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 || time.Since(start) > 5*time.Second {
		t.Errorf("refusing a 3 GiB file cost %d MB and %v", grew>>20, time.Since(start))
	}
	if _, err := LoadIndex(filepath.Join(src, "huge.stix2"), nil); err == nil || !strings.Contains(err.Error(), "over the") {
		t.Errorf("a 3 GiB local index: %v", err)
	}
}
