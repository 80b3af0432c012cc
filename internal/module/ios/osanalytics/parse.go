package osanalytics

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/source/evfile"
)

// plistFile bounds the plist; real ones are far smaller.
var plistFile = evfile.Limit{Kind: "property list", Max: 32 << 20}

// Usage is one process of netUsageBaseline.
type Usage struct {
	Process string    `json:"process"`
	Date    time.Time `json:"date,omitzero"`
	WifiIn  float64   `json:"wifi_in"`
	WifiOut float64   `json:"wifi_out"`
	WWANIn  float64   `json:"wwan_in"`
	WWANOut float64   `json:"wwan_out"`
}

const maxProcesses = 100_000

// Decode reads netUsageBaseline: process name -> [date, wifi in, wifi out,
// wwan in, wwan out]. Entries of another shape are skipped, not fatal, since
// the baseline's layout is undocumented.
func Decode(b []byte) (out []Usage, err error) {
	defer plistx.Malformed(&out, &err)
	// plistx bounds depth and shared-reference expansion (billion laughs).
	root, derr := plistx.DecodeDict(b, plistx.Limits{})
	if derr != nil {
		return nil, fmt.Errorf("not an addaily plist: %w", derr)
	}
	base, ok := root["netUsageBaseline"].(map[string]any)
	if !ok {
		if _, present := root["netUsageBaseline"]; present {
			return nil, errors.New("unknown format: netUsageBaseline is not a dictionary")
		}
		return nil, nil // the key is absent until the phone has a baseline
	}
	names := slices.Sorted(maps.Keys(base))
	for _, name := range names {
		if len(out) >= maxProcesses {
			break
		}
		vals, _ := base[name].([]any)
		u := Usage{Process: name}
		for i, v := range vals {
			switch i {
			case 0:
				u.Date = asTime(v)
			case 1:
				u.WifiIn = num(v)
			case 2:
				u.WifiOut = num(v)
			case 3:
				u.WWANIn = num(v)
			case 4:
				u.WWANOut = num(v)
			}
		}
		out = append(out, u)
	}
	return out, nil
}

func asTime(v any) time.Time {
	if t, ok := v.(time.Time); ok {
		return t.UTC()
	}
	return time.Time{}
}

func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return 0
}

func record(src string, u *Usage) *model.Record {
	r := &model.Record{Source: src, Data: u,
		Summary: fmt.Sprintf("OS analytics baseline: %s used Wi-Fi in %.0f out %.0f, WWAN in %.0f out %.0f", u.Process, u.WifiIn, u.WifiOut, u.WWANIn, u.WWANOut)}
	// Keys read "powerd/com.apple.datausage.diagnostics": executable, then
	// the attribution; the executable is what process indicators name.
	exe, attrib, _ := strings.Cut(u.Process, "/")
	r.Add(model.KindProcess, exe, "process")
	r.Add(model.KindAppID, attrib, "process")
	r.Stamp(u.Date, "osanalytics_addaily")
	return r
}
