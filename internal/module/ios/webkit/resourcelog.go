package webkit

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/plistfile"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/timestamp"
)

// LogEntry is one origin of the session resource log.
type LogEntry struct {
	Log                string    `json:"log"`
	App                string    `json:"app,omitempty"`
	Origin             string    `json:"origin"`
	RedirectsTo        []string  `json:"redirects_to,omitempty"`
	RedirectsFrom      []string  `json:"redirects_from,omitempty"`
	Subframes          []string  `json:"subframe_under_origin,omitempty"`
	Subresources       []string  `json:"subresource_under_origin,omitempty"`
	HadUserInteraction bool      `json:"had_user_interaction"`
	MostRecentInteract time.Time `json:"most_recent_interaction,omitzero"`
	LastSeen           time.Time `json:"last_seen,omitzero"`

	interactErr, seenErr error // times that are no plausible date, kept raw
}

const (
	maxLogBytes   = 64 << 20
	maxLogEntries = 200_000
	maxListItems  = 10_000
)

// parseSessionLog reads one resource log, each origin a record.
var parseSessionLog = module.Decoded(evfile.Limit{Kind: "resource log", Max: maxLogBytes}, DecodeResourceLog, func(src string, e *LogEntry) *model.Record {
	e.Log, e.App = src, appOf(src)
	return logRecord(e)
})

// DecodeResourceLog reads the plist: a dictionary whose browsingStatistics
// array holds one dictionary per origin. The nested origin lists hold either
// strings or dictionaries with an origin/domain key, depending on the WebKit
// version, so both are accepted.
func DecodeResourceLog(b []byte) ([]LogEntry, error) {
	if len(b) > maxLogBytes {
		return nil, fmt.Errorf("resource log larger than %d bytes", maxLogBytes)
	}
	return decodeResourceLog(b)
}

var decodeResourceLog = plistfile.Decoder("a resource-log plist", func(root map[string]any) (entries []LogEntry, err error) {
	list, ok := root["browsingStatistics"].([]any)
	if !ok {
		if _, present := root["browsingStatistics"]; present || len(root) == 0 {
			return nil, errors.New("unknown format: browsingStatistics is not a list")
		}
		return nil, errors.New("unknown format: no browsingStatistics key")
	}
	entries = plistfile.Entries(list, maxLogEntries, func(d map[string]any) (LogEntry, bool) {
		e := LogEntry{
			Origin:             str(d["PrevalentResourceOrigin"]),
			RedirectsTo:        origins(d["topFrameUniqueRedirectsTo"]),
			RedirectsFrom:      origins(d["topFrameUniqueRedirectsFrom"]),
			Subframes:          origins(d["subframeUnderTopFrameOrigins"]),
			Subresources:       origins(d["subresourceUnderTopFrameOrigins"]),
			HadUserInteraction: d["hadUserInteraction"] == true,
		}
		e.MostRecentInteract, e.interactErr = plistfile.Date(d["mostRecentUserInteraction"], timestamp.Unix)
		e.LastSeen, e.seenErr = plistfile.Date(d["lastSeen"], timestamp.Unix)
		return e, e.Origin != "" || e.RedirectsTo != nil || e.RedirectsFrom != nil
	})
	return entries, nil
})

func origins(v any) []string {
	l, ok := v.([]any)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, it := range l {
		if len(out) >= maxListItems {
			break
		}
		var s string
		switch x := it.(type) {
		case string:
			s = x
		case map[string]any:
			s = str(x["origin"])
			if s == "" {
				s = str(x["domain"])
			}
		}
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func logRecord(e *LogEntry) *model.Record {
	r := &model.Record{Source: e.Log, Data: e, Summary: "In-app browser loaded " + e.Origin}
	if len(e.RedirectsFrom) > 0 {
		r.Summary += fmt.Sprintf(", redirected from %v", e.RedirectsFrom)
	}
	if len(e.RedirectsTo) > 0 {
		r.Summary += fmt.Sprintf(", redirected to %v", e.RedirectsTo)
	}
	seen := map[string]bool{}
	add := func(field string, vals ...string) {
		for _, v := range vals {
			if !seen[v] {
				seen[v] = true
				kind := model.KindDomain
				if strings.Contains(v, "://") {
					kind = model.KindURL // some versions log full origins, not domains
				}
				r.Add(kind, v, field)
			}
		}
	}
	add("origin", e.Origin)
	add("redirects_from", e.RedirectsFrom...)
	add("redirects_to", e.RedirectsTo...)
	add("subframe_under_origin", e.Subframes...)
	add("subresource_under_origin", e.Subresources...)
	r.StampChecked(e.LastSeen, e.seenErr, "webkit_last_seen")
	r.StampChecked(e.MostRecentInteract, e.interactErr, "webkit_user_interaction")
	return r
}
