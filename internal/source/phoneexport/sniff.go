package phoneexport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/source/evfile"
)

// maxSniffLine bounds the first line read to recognise a file: a real App
// Privacy Report line or .ips header is under a kilobyte; a crash report's
// header is under 64 KB.
const maxSniffLine = 64 << 10

// firstLine returns the first non-blank line of r (at most maxSniffLine
// bytes, fewer if the line is longer: the caller then sees a cut line).
func firstLine(r io.Reader) []byte {
	br := bufio.NewReaderSize(io.LimitReader(r, 4*maxSniffLine), maxSniffLine)
	for range 8 {
		line, err := br.ReadSlice('\n')
		if t := bytes.TrimSpace(bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))); len(t) > 0 {
			return t
		}
		if err != nil {
			return nil
		}
	}
	return nil
}

// fileFirstLine opens name (bounded, never a pipe or a link out of the
// evidence) and returns its first non-blank line, or nil.
func fileFirstLine(fsys fs.FS, name string) []byte {
	f, err := evfile.Open(fsys, name, evfile.Stream)
	if err != nil {
		return nil
	}
	defer f.Close()
	return firstLine(f)
}

// IsPrivacyReportLine says whether a line is a record of an App Privacy
// Report: a JSON object whose "type" is "access" or "networkActivity"
// (iOS 15.2 and later), or a record of the iOS 15 beta format, whose
// "stream" names a privacy-accounting stream. Intrusion logs (one key per
// line: dns_event, connect_event, security_event) never match.
func IsPrivacyReportLine(line []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(line, &m) != nil {
		return false
	}
	var typ, stream string
	_ = json.Unmarshal(m["type"], &typ)
	_ = json.Unmarshal(m["stream"], &stream)
	switch {
	case typ == "networkActivity":
		_, ok := m["domain"]
		return ok
	case typ == "access":
		_, acc := m["accessor"]
		_, cat := m["category"]
		return acc || cat
	case strings.HasPrefix(stream, "com.apple.privacy.accounting.stream"):
		return true
	}
	return false
}

// privacyCandidate: the names an App Privacy Report may have, as the phone
// saves it (App_Privacy_Report_v4_<date>.ndjson) or as a person renames
// it. Other files are not opened to find one.
func privacyCandidate(name string) bool {
	base := strings.ToLower(path.Base(name))
	if Secret(base) {
		return false
	}
	switch path.Ext(base) {
	case ".ndjson", ".jsonl":
		return true
	case ".json", ".txt", "":
		return strings.HasPrefix(fold(base), "appprivacyreport")
	}
	return false
}

// IsCrashReportHead says whether the first line of a file is that of an
// iOS crash or diagnostic report: the one-line JSON header of an .ips file
// (it always has bug_type), or the first line of an older text crash log.
func IsCrashReportHead(line []byte) bool {
	if bytes.HasPrefix(line, []byte("Incident Identifier:")) {
		return true
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(line, &m) != nil {
		return false
	}
	_, ok := m["bug_type"]
	return ok
}

// crashCandidate: the names crash and diagnostic reports have when shared
// from Analytics Data (.ips, the daily analytics .ips.ca.synced) or saved
// by older systems (.crash).
func crashCandidate(name string) bool {
	base := strings.ToLower(path.Base(name))
	return strings.HasSuffix(base, ".ips") || strings.HasSuffix(base, ".ips.ca.synced") || strings.HasSuffix(base, ".crash")
}
