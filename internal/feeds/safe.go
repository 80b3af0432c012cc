package feeds

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Printable is s with every character that could act on a terminal
// escaped: control characters (ESC, BEL, C1), format characters (bidi
// overrides and isolates, zero-width ones) and invalid UTF-8. Text from a
// feed server (a status line, a title, a URL) goes through it before it is
// printed or put in an error. Other parts of huella may have their own
// escaping for evidence text; this one is for what the network returns.
func Printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == ' ' || unicode.IsPrint(r) && !unicode.Is(unicode.Cf, r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

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
