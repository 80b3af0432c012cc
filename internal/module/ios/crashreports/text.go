package crashreports

import (
	"bufio"
	"bytes"
	"io"
	"strings"
)

// Older crash logs are text (iOS 14 and before wrote the body of an .ips
// this way, after its JSON header; .crash files are all text): "Key: value"
// lines, the process as "Process: name [pid]", the parent as "Parent
// Process: launchd [1]", the time as "Date/Time: 2020-05-01 10:22:33.123
// +0200". Only the head of the log (the lines before the first thread
// backtrace) is read.

// textKeys are the head lines kept, by key.
var textKeys = map[string]bool{
	"Incident Identifier": true, "Process": true, "Path": true, "Identifier": true, "Version": true,
	"Parent Process": true, "Date/Time": true, "OS Version": true, "Exception Type": true,
	"Termination Reason": true, "Hardware Model": true,
}

// maxTextHead bounds the lines of a text head looked at.
const maxTextHead = 200

// parseTextHead reads the head of a text crash log.
func parseTextHead(r io.Reader) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(io.LimitReader(r, 256<<10))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for n := 0; n < maxTextHead && sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "Thread ") || strings.HasPrefix(line, "Last Exception Backtrace") {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if textKeys[k] {
			if _, dup := out[k]; !dup {
				out[k] = strings.TrimSpace(v)
			}
		}
	}
	return out
}

// processName drops the pid from "name [123]".
func processName(s string) string {
	if i := strings.LastIndex(s, " ["); i > 0 && strings.HasSuffix(s, "]") {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// fillFromText completes a header and body from a text head: what the JSON
// did not say.
func fillFromText(h *Header, b *Body, m map[string]string) {
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&h.AppName, processName(m["Process"]))
	set(&h.BundleID, m["Identifier"])
	set(&h.OSVersion, m["OS Version"])
	set(&h.IncidentID, m["Incident Identifier"])
	if h.RawTimestamp == "" && m["Date/Time"] != "" {
		h.RawTimestamp = m["Date/Time"]
		h.Time, h.timeErr = ParseTime(h.RawTimestamp)
	}
	set(&b.ProcPath, m["Path"])
	set(&b.ParentProc, processName(m["Parent Process"]))
	if t := m["Exception Type"]; t != "" && b.Exception.Type == "" {
		typ, sig, _ := strings.Cut(t, " (")
		b.Exception.Type = strings.TrimSpace(typ)
		set(&b.Exception.Signal, strings.TrimSuffix(sig, ")"))
	}
}

// isTextCrashLog says whether a first line starts a text crash log.
func isTextCrashLog(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(line), []byte("Incident Identifier:"))
}
