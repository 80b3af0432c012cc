package integrity

import (
	"context"
	"errors"
	"go/ast"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestOnlyFeedsTalkToTheNetwork: among huella's own packages linked into
// the binary, only internal/feeds (huella iocs update) imports net/http, and
// no source file dials or resolves by itself.
func TestOnlyFeedsTalkToTheNetwork(t *testing.T) {
	root := repoRoot(t)
	cmd := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}}|{{join .Imports ","}}`, "./cmd/huella")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/huella-project/huella/"
	netPkgs := map[string]bool{"net/http": true, "crypto/tls": true, "net/rpc": true, "net/smtp": true}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imps, _ := strings.Cut(line, "|")
		if !strings.HasPrefix(pkg, mod) {
			continue
		}
		seen++
		for _, im := range strings.Split(imps, ",") {
			if netPkgs[im] && pkg != mod+"internal/feeds" {
				t.Errorf("%s imports %s: only internal/feeds may reach the network", pkg, im)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("only %d huella packages in the binary: go list output unexpected", seen)
	}
	dialers := map[string][]string{
		"net":        {"Dial", "DialTimeout", "DialTCP", "DialUDP", "DialIP", "DialUnix", "Dialer", "Listen", "ListenPacket", "LookupHost", "LookupIP", "LookupAddr", "LookupCNAME", "LookupMX", "LookupTXT", "Resolver", "DefaultResolver"},
		"net/http":   {"Get", "Post", "Head", "PostForm", "Client", "DefaultClient", "NewRequest", "NewRequestWithContext", "Transport", "DefaultTransport", "ListenAndServe"},
		"crypto/tls": {"Dial", "DialWithDialer", "Dialer"},
	}
	eachGoFile(t, func(rel string, f *ast.File, imports map[string]string) {
		if strings.HasPrefix(rel, "internal/feeds/") {
			return
		}
		for path, names := range dialers {
			for _, h := range calls(f, imports, path, names...) {
				t.Errorf("%s uses %s: nothing but internal/feeds opens connections", rel, h)
			}
		}
	})
}

// recordingDialer counts every connection or lookup attempted in-process.
type recordingDialer struct{ n atomic.Int64 }

func (d *recordingDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.n.Add(1)
	return nil, errors.New("network blocked by test: " + network + " " + addr)
}

// TestCheckOpensNoConnection runs check on every evidence type in-process
// with the default HTTP transport and resolver replaced by recorders.
func TestCheckOpensNoConnection(t *testing.T) {
	rec := &recordingDialer{}
	oldTransport, oldDial := http.DefaultTransport, net.DefaultResolver.Dial
	http.DefaultTransport = &http.Transport{DialContext: rec.dial, Proxy: nil}
	net.DefaultResolver.PreferGo = true
	net.DefaultResolver.Dial = rec.dial
	t.Cleanup(func() { http.DefaultTransport, net.DefaultResolver.Dial = oldTransport, oldDial })

	s := newSandbox(t)
	iocs := s.bundles()
	for _, ev := range allEvidence(s) {
		if ev.Slow {
			continue
		}
		s.t = t
		r := s.run(checkArgs(ev, filepath.Join(s.root, "net-"+ev.Name), iocs)...)
		if r.code == 2 {
			t.Errorf("%s: exit 2\n%s", ev.Name, r.stderr)
		}
	}
	if n := rec.n.Load(); n > 0 {
		t.Errorf("%d connection or lookup attempts during check", n)
	}
}

func checkArgs(ev evidence, out string, iocs []string) []string {
	args := []string{"check", ev.Path, "--output", out, "--no-feed-cache", "--quiet"}
	for _, i := range iocs {
		args = append(args, "--iocs", i)
	}
	if ev.Password != "" {
		args = append(args, "--password", ev.Password)
	}
	return args
}

// buildHuella builds the static binary once per test.
func buildHuella(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "huella")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/huella")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestBinaryWithoutNetwork runs the built binary on every evidence type
// twice: with proxies pointing at a listener that records any connection,
// and inside a user+network namespace with no interface but loopback down
// (unshare -rn). Both must give the exit status of a normal run.
func TestBinaryWithoutNetwork(t *testing.T) {
	bin := buildHuella(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	proxy := "http://" + ln.Addr().String()

	unshare, _ := exec.LookPath("unshare")
	if unshare != "" && exec.Command(unshare, "-rn", "true").Run() != nil {
		t.Logf("unshare -rn not permitted here: proxy check only")
		unshare = ""
	}
	s := newSandbox(t)
	iocs := s.bundles()
	for _, ev := range allEvidence(s) {
		if ev.Slow {
			continue
		}
		env := append(os.Environ(), "HTTP_PROXY="+proxy, "HTTPS_PROXY="+proxy, "ALL_PROXY="+proxy, "NO_PROXY=")
		plain := exec.Command(bin, checkArgs(ev, filepath.Join(s.root, "bin-"+ev.Name), iocs)...)
		plain.Env = env
		out, _ := plain.CombinedOutput()
		want := plain.ProcessState.ExitCode()
		noPanic(t, string(out))
		if want == 2 || want < 0 {
			t.Errorf("%s: exit %d\n%s", ev.Name, want, out)
		}
		if unshare != "" {
			iso := exec.Command(unshare, append([]string{"-rn", bin}, checkArgs(ev, filepath.Join(s.root, "iso-"+ev.Name), iocs)...)...)
			iso.Env = env
			out, _ := iso.CombinedOutput()
			if got := iso.ProcessState.ExitCode(); got != want {
				t.Errorf("%s: exit %d without network, %d with: the result depends on the network\n%s", ev.Name, got, want, out)
			}
		}
	}
	s.assertTmpEmpty("binary runs")
	if n := conns.Load(); n > 0 {
		t.Errorf("%d connections reached the recording proxy", n)
	}
}
