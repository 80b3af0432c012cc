package osanalytics

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/ios/plistfile"
	"github.com/huella-project/huella/internal/timestamp"
)

var plistFile = plistfile.Limit

// Usage is one process of netUsageBaseline.
type Usage struct {
	Process string    `json:"process"`
	Date    time.Time `json:"date,omitzero"`
	WifiIn  float64   `json:"wifi_in"`
	WifiOut float64   `json:"wifi_out"`
	WWANIn  float64   `json:"wwan_in"`
	WWANOut float64   `json:"wwan_out"`

	dateErr error // the date is no plausible date (kept raw)
}

const maxProcesses = 100_000

// Decode reads netUsageBaseline: process name -> [date, wifi in, wifi out,
// wwan in, wwan out]. Entries of another shape are skipped, not fatal, since
// the baseline's layout is undocumented.
var Decode = plistfile.Decoder("an addaily plist", baseline)

func baseline(root map[string]any) (out []Usage, err error) {
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
				u.Date, u.dateErr = plistfile.Date(v, timestamp.AppleSeconds)
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
	r.StampChecked(u.Date, u.dateErr, "osanalytics_addaily")
	return r
}
