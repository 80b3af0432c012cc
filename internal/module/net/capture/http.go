package capture

import (
	"bytes"
	"strings"

	"github.com/huella-project/huella/internal/module/net/netfile"
)

// maxHTTPHead bounds what is read of a request: its first line and headers
// in the segment that starts it.
const maxHTTPHead = 8 << 10

var methods = [][]byte{[]byte("GET "), []byte("POST "), []byte("HEAD "), []byte("PUT "), []byte("OPTIONS "),
	[]byte("DELETE "), []byte("PATCH "), []byte("CONNECT ")}

// isHTTPRequest says whether a client's payload starts an HTTP/1 request.
func isHTTPRequest(b []byte) bool {
	for _, m := range methods {
		if bytes.HasPrefix(b, m) {
			return true
		}
	}
	return false
}

// httpRequest is what a request's head says.
type httpRequest struct {
	host, url, userAgent string
}

// parseHTTPRequest reads the request line and the Host and User-Agent
// headers of a plain-HTTP request from the segment that starts it. The
// link is rebuilt as the phone asked for it (never fetched); port is the
// server port, written in the link when it is not 80.
func parseHTTPRequest(b []byte, port uint16) (httpRequest, bool) {
	if len(b) > maxHTTPHead {
		b = b[:maxHTTPHead]
	}
	var req httpRequest
	line, rest, ok := bytes.Cut(b, []byte("\r\n"))
	if !ok && len(b) < maxHTTPHead {
		line, rest = b, nil
	}
	parts := strings.Fields(string(line))
	if len(parts) < 2 || !printable(parts[1]) {
		return req, false
	}
	method, target := parts[0], parts[1]
	for len(rest) > 0 {
		var h []byte
		h, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		if len(h) == 0 {
			break
		}
		k, v, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			continue
		}
		val := strings.TrimSpace(string(v))
		if !printable(val) {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(string(k))) {
		case "host":
			if req.host == "" {
				req.host = val
			}
		case "user-agent":
			if req.userAgent == "" {
				req.userAgent = val
			}
		}
	}
	host := req.host
	switch {
	case method == "CONNECT":
		// A proxy tunnel: the target is host:port, there is no link.
		if h, _, ok := strings.Cut(target, ":"); ok && req.host == "" {
			req.host = h
		}
		req.host = hostOnly(req.host)
		return req, req.host != ""
	case strings.HasPrefix(strings.ToLower(target), "http://"):
		// Absolute form (sent to a proxy).
		req.url = target
		if req.host == "" {
			h := target[len("http://"):]
			if i := strings.IndexAny(h, "/?"); i >= 0 {
				h = h[:i]
			}
			req.host = h
		}
	default:
		req.url = netfile.RequestURL(host, port, target)
	}
	req.host = hostOnly(req.host)
	if len(req.url) > 2048 {
		req.url = req.url[:2048]
	}
	return req, req.host != "" || req.url != ""
}

// hostOnly drops a port from a Host header value.
func hostOnly(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[1:i]
		}
		return ""
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 {
		return h[:i]
	}
	return h
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 && s[i] != ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
}
