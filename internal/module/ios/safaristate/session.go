package safaristate

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/huella-project/huella/internal/module/ios/plistfile"
	"github.com/huella-project/huella/internal/plistx"
)

// SessionEntry is one page of a tab's back/forward list.
type SessionEntry struct {
	URL         string `json:"url,omitempty"`
	OriginalURL string `json:"original_url,omitempty"`
	Title       string `json:"title,omitempty"`
	DataLength  int    `json:"data_length,omitempty"`
}

const (
	maxSessionBlob    = 16 << 20 // a real session blob is a few hundred KB
	maxSessionEntries = 10_000
	maxWalkDepth      = 32
)

// DecodeSession reads tab_sessions.session_data: a 4-byte header (a format
// version) followed by a binary plist whose SessionHistory dictionary lists
// the tab's pages. Some versions have no header, so the plist magic is
// searched for in the first bytes instead of assuming the offset.
func DecodeSession(b []byte) (entries []SessionEntry, err error) {
	if len(b) == 0 {
		return nil, nil
	}
	if len(b) > maxSessionBlob {
		return nil, fmt.Errorf("session data of %d bytes exceeds the %d limit", len(b), maxSessionBlob)
	}
	i := bytes.Index(b[:min(len(b), 64)], []byte("bplist00"))
	if i < 0 {
		return nil, errors.New("session data holds no binary plist")
	}
	defer func() {
		// The plist decoder is third-party; a malformed blob must cost one
		// tab's session, never the process.
		if r := recover(); r != nil {
			entries, err = nil, fmt.Errorf("session plist: malformed (%v)", r)
		}
	}()
	// plistx bounds depth and shared-reference expansion (billion laughs).
	root, derr := plistx.Decode(b[i:], plistx.Limits{})
	if derr != nil {
		return nil, fmt.Errorf("session plist: %w", derr)
	}
	entries = plistfile.Entries(findEntries(root, 0), maxSessionEntries, func(d map[string]any) (SessionEntry, bool) {
		se := SessionEntry{
			URL:         str(d["SessionHistoryEntryURL"]),
			OriginalURL: str(d["SessionHistoryEntryOriginalURL"]),
			Title:       str(d["SessionHistoryEntryTitle"]),
		}
		if data, ok := d["SessionHistoryEntryData"].([]byte); ok {
			se.DataLength = len(data)
		}
		return se, se.URL != "" || se.OriginalURL != "" || se.Title != ""
	})
	return entries, nil
}

// findEntries locates the SessionHistoryEntries array wherever the version at
// hand nests it.
func findEntries(v any, depth int) []any {
	if depth > maxWalkDepth {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		if l, ok := x["SessionHistoryEntries"].([]any); ok {
			return l
		}
		if sh, ok := x["SessionHistory"]; ok {
			if l := findEntries(sh, depth+1); l != nil {
				return l
			}
		}
		for _, c := range x {
			if l := findEntries(c, depth+1); l != nil {
				return l
			}
		}
	case []any:
		for _, c := range x {
			if l := findEntries(c, depth+1); l != nil {
				return l
			}
		}
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
