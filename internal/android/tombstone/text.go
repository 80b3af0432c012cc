package tombstone

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

var (
	pidRe    = regexp.MustCompile(`^pid: (\d+), tid: (\d+), name: (.*?)\s+>>> (.*?) <<<`)
	signalRe = regexp.MustCompile(`^signal (-?\d+) \(([^)]*)\), code (-?\d+) \(([^)]*)\)`)
)

// ErrNotTombstone is returned for text without the tombstone header lines.
var ErrNotTombstone = errors.New("not a tombstone")

// ParseText reads a text tombstone. name is the file's name, used in errors
// and kept in the result. Only the header is needed; reading stops at the
// first backtrace, and only the first pid line counts (later ones describe
// other threads).
func ParseText(name string, r io.Reader) (*Tombstone, error) {
	t := &Tombstone{File: name, Formats: []string{"text"}}
	sc := bufio.NewScanner(io.LimitReader(r, MaxSize))
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	sawPid, sawHeader, sawUID := false, false, false
	for n := 0; sc.Scan(); n++ {
		ln := strings.TrimRight(sc.Text(), "\r")
		if strings.HasPrefix(ln, "*** *** ***") {
			sawHeader = true
			if sawPid {
				break // a second tombstone appended to the file
			}
			continue
		}
		if strings.HasPrefix(ln, "backtrace:") && sawPid {
			break
		}
		key, val, _ := strings.Cut(ln, ": ")
		switch key {
		case "Build fingerprint":
			t.BuildFingerprint = unquote(val)
		case "Revision":
			t.Revision = unquote(val)
		case "ABI":
			t.Arch = unquote(val)
		case "Timestamp":
			t.Timestamp, t.WallClock, t.timeErr = parseTime(val)
		case "Process uptime":
			t.ProcessUptime, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), "s"), 10, 64)
		case "Cmdline":
			t.CommandLine = strings.Fields(val)
		case "uid":
			if !sawUID {
				sawUID = true
				t.UID, _ = strconv.ParseInt(strings.TrimSpace(val), 10, 64)
			}
		case "Cause":
			t.Cause = val
			t.Causes = append(t.Causes, val)
		case "Abort message":
			t.AbortMessage = unquote(val)
		default:
			if m := pidRe.FindStringSubmatch(ln); m != nil && !sawPid {
				sawPid = true
				t.PID, _ = strconv.ParseInt(m[1], 10, 64)
				t.TID, _ = strconv.ParseInt(m[2], 10, 64)
				t.ProcessName, t.BinaryPath = m[3], m[4]
			} else if m := signalRe.FindStringSubmatch(ln); m != nil && t.Signal.Name == "" {
				t.Signal.Number, _ = strconv.ParseInt(m[1], 10, 64)
				t.Signal.Name = m[2]
				t.Signal.Code, _ = strconv.ParseInt(m[3], 10, 64)
				t.Signal.CodeName = m[4]
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !sawPid || (!sawHeader && t.BuildFingerprint == "") {
		return nil, fmt.Errorf("%s: %w: no header or pid line", name, ErrNotTombstone)
	}
	return t, nil
}

// unquote removes the single quotes tombstones put around values, keeping
// inner spaces (an abort message can end with one).
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return s[1 : len(s)-1]
	}
	return s
}
