package feeds

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/termsafe"
)

// Printable is text from a feed server (a status line, a title, a URL)
// made safe to print: the project's one escaping (internal/termsafe),
// applied here, where the text enters huella, so no error carries a raw
// escape sequence to a terminal.
func Printable(s string) string { return termsafe.Text(s) }

// readLocal reads a local file of at most limit bytes, checking its size
// before reading a byte (a 3 GiB file given to --from is refused at once,
// not read whole first), refusing what is not a regular file (a named pipe
// would block), and reading through the limit in case it grows meanwhile.
func readLocal(p string, limit int64) ([]byte, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", p)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, over the %d-byte limit", p, fi.Size(), limit)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: over the %d-byte limit", p, limit)
	}
	return b, nil
}

// maxRedirects bounds a redirect chain.
const maxRedirects = 5

// errOtherHost refuses a redirect that leaves the host asked.
var errOtherHost = errors.New("redirected to another host, refused")

// NewClient is the only HTTP client huella uses: a time limit on every
// request, and redirects followed only to the same host over the same or a
// stronger scheme. A feed URL names the host the analyst chose to trust; a
// redirect elsewhere (a hijacked account, a compromised mirror) is refused,
// not followed silently.
func NewClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	return &http.Client{Timeout: timeout, CheckRedirect: sameHost}
}

func sameHost(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("more than %d redirects", maxRedirects)
	}
	first := via[0].URL
	if !strings.EqualFold(req.URL.Host, first.Host) {
		return fmt.Errorf("%w: %s to %s", errOtherHost, Printable(first.Host), Printable(req.URL.Host))
	}
	if first.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirected from https to %s, refused", Printable(req.URL.Scheme))
	}
	return nil
}
