package locationd

import (
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/ios/plistfile"
	"github.com/huella-project/huella/internal/timestamp"
)

var plistFile = plistfile.Limit

// Client is one entry of clients.plist.
type Client struct {
	Key        string               `json:"key"`
	BundleID   string               `json:"bundle_id,omitempty"`
	BundlePath string               `json:"bundle_path,omitempty"`
	Executable string               `json:"executable,omitempty"`
	Registered string               `json:"registered,omitempty"`
	Authorized int64                `json:"authorization,omitempty"`
	Times      map[string]time.Time `json:"times,omitempty"`

	timeErrs map[string]error // times that are no plausible date, kept raw
}

// timeKeys are the Cocoa-time fields locationd keeps per client.
var timeKeys = []string{"ConsumptionPeriodBegin", "ReceivingLocationInformationTimeStopped", "VisitTimeStopped",
	"LocationTimeStopped", "BackgroundLocationTimeStopped", "SignificantTimeStopped",
	"NonPersistentSignificantTimeStopped", "FenceTimeStopped", "BeaconRegionTimeStopped"}

const maxClients = 100_000

// Decode reads clients.plist: a dictionary keyed by client (a bundle id, or
// "com.apple.locationd.bundle-<path>" / "com.apple.locationd.executable-<path>"
// for system components, sometimes with a trailing ':'), each a dictionary.
var Decode = plistfile.Decoder("a clients plist", clients)

func clients(root map[string]any) (out []Client, err error) {
	keys := slices.Sorted(maps.Keys(root))
	for _, k := range keys {
		if len(out) >= maxClients {
			break
		}
		d, ok := root[k].(map[string]any)
		if !ok {
			continue
		}
		c := Client{Key: strings.TrimSuffix(k, ":"), BundleID: str(d["BundleId"]), BundlePath: str(d["BundlePath"]),
			Executable: str(d["Executable"]), Registered: str(d["Registered"])}
		if a, ok := d["Authorization"].(int64); ok {
			c.Authorized = a
		} else if a, ok := d["Authorization"].(uint64); ok && a < 1<<62 {
			c.Authorized = int64(a)
		}
		for _, tk := range timeKeys {
			t, err := plistfile.Date(d[tk], timestamp.AppleSeconds)
			switch {
			case err != nil:
				if c.timeErrs == nil {
					c.timeErrs = map[string]error{}
				}
				c.timeErrs[tk] = err
			case !t.IsZero():
				if c.Times == nil {
					c.Times = map[string]time.Time{}
				}
				c.Times[tk] = t
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// keyTarget splits a system client's key into the path it names.
func keyTarget(key string) (pth string, ok bool) {
	for _, p := range []string{"com.apple.locationd.bundle-", "com.apple.locationd.executable-"} {
		if strings.HasPrefix(key, p) {
			return strings.TrimPrefix(key, p), true
		}
	}
	return "", false
}

func record(src string, c *Client) *model.Record {
	r := &model.Record{Source: src, Data: c, Summary: "Location client " + c.Key}
	if p, ok := keyTarget(c.Key); ok {
		r.Add(model.KindFilePath, p, "key")
		r.Add(model.KindProcess, strings.TrimSuffix(path.Base(p), path.Ext(p)), "key")
	} else if !strings.Contains(c.Key, "/") {
		r.Add(model.KindAppID, c.Key, "key")
	}
	if c.BundleID != c.Key {
		r.Add(model.KindAppID, c.BundleID, "bundle_id")
	}
	r.Add(model.KindFilePath, c.BundlePath, "bundle_path")
	if c.Executable != "" {
		r.Add(model.KindFilePath, c.Executable, "executable")
		r.Add(model.KindProcess, path.Base(c.Executable), "executable")
	}
	if strings.HasPrefix(c.Registered, "/") {
		r.Add(model.KindFilePath, c.Registered, "registered")
	}
	for _, tk := range timeKeys {
		r.StampChecked(c.Times[tk], c.timeErrs[tk], tk)
	}
	return r
}
