package hostile

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const stix = `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"malware","id":"malware--1","name":"Spy","is_family":true},
 {"type":"indicator","id":"indicator--1","pattern":"[domain-name:value='feed-%s.example']","pattern_type":"stix","valid_from":"2021-01-01T00:00:00Z"},
 {"type":"relationship","id":"relationship--1","relationship_type":"indicates","source_ref":"indicator--1","target_ref":"malware--1"}]}`

// TestHostileFeeds runs `huella iocs update` against crafted feed sources:
// an index fetched by URL (which used to panic), a 3 GiB file in the
// --from folder (which used to be read whole before its size was checked),
// a feed that redirects to another host (which used to be followed) and a
// server whose status line carries a terminal escape. Each is held to the
// same time, memory and temporary disk limits as the evidence cases.
func TestHostileFeeds(t *testing.T) {
	bin := buildHuella(t)
	var otherHits atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		fmt.Fprintf(w, stix, "other")
	}))
	defer other.Close()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/index.json":
			fmt.Fprintf(w, `{"schema_version":1,"feeds":[{"name":"good","url":"%[1]s/good.stix2"},{"name":"away","url":"%[1]s/away"},{"name":"noisy","url":"%[1]s/noisy"}]}`, srv.URL)
		case "/good.stix2":
			fmt.Fprintf(w, stix, "good")
		case "/away":
			http.Redirect(w, r, other.URL+"/feed.stix2", http.StatusFound)
		case "/noisy":
			hj, _ := w.(http.Hijacker)
			c, buf, _ := hj.Hijack()
			defer c.Close()
			buf.WriteString("HTTP/1.1 503 \x1b]0;pwned\x07\x1b[2Jall clear\r\nContent-Length: 0\r\n\r\n")
			buf.Flush()
		}
	}))
	defer srv.Close()
	cases := []struct {
		name  string
		args  func(t *testing.T) []string
		want  []string // in the output
		code  int
		check func(t *testing.T, out string)
	}{
		{"index by URL, a redirect to another host, an escape in a status line",
			func(*testing.T) []string {
				return []string{"iocs", "update", "--index", srv.URL + "/index.json", "--timeout", "20s"}
			},
			[]string{"good", "updated", "away", "another host", "noisy", `\x1b[2J`}, 0,
			func(t *testing.T, out string) {
				if strings.ContainsAny(out, "\x1b\x07") {
					t.Errorf("server text reached the terminal unescaped: %q", out)
				}
				if otherHits.Load() != 0 {
					t.Errorf("the other host was contacted %d times", otherHits.Load())
				}
			}},
		{"--from a folder holding a 3 GiB file",
			func(t *testing.T) []string {
				dir := t.TempDir()
				sparse(t, filepath.Join(dir, "huge.stix2"), 3*gib)
				write(t, filepath.Join(dir, "small.stix2"), []byte(fmt.Sprintf(stix, "small")))
				return []string{"iocs", "update", "--from", dir}
			},
			[]string{"huge", "over the", "small", "imported"}, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, tmp := t.TempDir(), caseTemp(t)
			ctx, cancel := context.WithTimeout(context.Background(), timeLimit)
			defer cancel()
			cmd, rssFile := limitedCommand(ctx, t, bin, c.args(t))
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "HUELLA_DATA="+data, "HOME="+data, "NO_PROXY=*")
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			meter := startMeter(tmp)
			start := time.Now()
			cmd.Run()
			wall, disk := time.Since(start), meter.Peak()
			if ctx.Err() != nil {
				t.Fatalf("still running after %v", timeLimit)
			}
			code := cmd.ProcessState.ExitCode()
			rss := peakRSS(t, rssFile, cmd.ProcessState)
			t.Logf("exit %d in %v, peak RSS %d MB, peak temporary disk %d MB\n%s", code, wall.Round(time.Millisecond), rss>>20, disk>>20, out.String())
			measured("feeds: "+c.name, wall, rss, disk, code)
			for _, bad := range []string{"panic:", "goroutine ", "fatal error:"} {
				if strings.Contains(out.String(), bad) {
					t.Errorf("output holds %q", bad)
				}
			}
			if rss > rssLimit || disk > tempLimit {
				t.Errorf("peak RSS %d MB, temporary disk %d MB", rss>>20, disk>>20)
			}
			if code != c.code {
				t.Errorf("exit %d, want %d", code, c.code)
			}
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if c.check != nil {
				c.check(t, out.String())
			}
		})
	}
}
