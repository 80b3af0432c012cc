package netfile

import (
	"strconv"
	"strings"
)

// RequestURL is the link of a plain HTTP request whose target is a path
// (origin form), as a capture or a log shows it: http:// and the Host
// header, the server's port unless it is 80 or the header names one, then
// the path. Without a host or a path there is no link: "".
func RequestURL(host string, port uint16, target string) string {
	if host == "" || !strings.HasPrefix(target, "/") {
		return ""
	}
	u := "http://" + host
	if port != 80 && port != 0 && !strings.Contains(host, ":") {
		u += ":" + strconv.Itoa(int(port))
	}
	return u + target
}
