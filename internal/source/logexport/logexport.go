// Package logexport recognises an export of the iPhone's unified log as
// JSON lines by its first line, whatever the file is named: the opener
// uses it to take such a file as evidence, and the ios.unified_log module
// to tell an export from other JSON lines inside a sysdiagnose folder. It
// is a leaf so both can use it.
package logexport

import (
	"bytes"
	"encoding/json"
)

// Head is how much of a file is read to recognise an export: its first
// line, which for `log show --style ndjson` is about a kilobyte.
const Head = 64 << 10

// IsUnifiedLog says whether the first line of head is a unified-log entry
// as JSON: `log show --style ndjson` writes eventMessage and
// processImagePath, Mandiant's unifiedlog tool (JSON lines) process,
// time, message and subsystem.
func IsUnifiedLog(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n\ufeff")
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if len(head) == 0 || head[0] != '{' {
		return false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(head, &m) != nil {
		return false
	}
	has := func(k string) bool { _, ok := m[k]; return ok }
	return has("eventMessage") && (has("processImagePath") || has("senderImagePath")) ||
		has("process") && has("time") && (has("message") || has("raw_message")) && has("subsystem")
}
