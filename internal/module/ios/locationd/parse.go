package locationd

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/sqlitex"
)

// plistFile bounds the plist; real ones are far smaller.
var plistFile = evfile.Limit{Kind: "property list", Max: 32 << 20}

// Client is one entry of clients.plist.
type Client struct {
	Key        string               `json:"key"`
	BundleID   string               `json:"bundle_id,omitempty"`
	BundlePath string               `json:"bundle_path,omitempty"`
	Executable string               `json:"executable,omitempty"`
	Registered string               `json:"registered,omitempty"`
	Authorized int64                `json:"authorization,omitempty"`
	Times      map[string]time.Time `json:"times,omitempty"`
}

// timeKeys are the Cocoa-time fields locationd keeps per client.
var timeKeys = []string{"ConsumptionPeriodBegin", "ReceivingLocationInformationTimeStopped", "VisitTimeStopped",
	"LocationTimeStopped", "BackgroundLocationTimeStopped", "SignificantTimeStopped",
	"NonPersistentSignificantTimeStopped", "FenceTimeStopped", "BeaconRegionTimeStopped"}

const maxClients = 100_000

// Decode reads clients.plist: a dictionary keyed by client (a bundle id, or
// "com.apple.locationd.bundle-<path>" / "com.apple.locationd.executable-<path>"
// for system components, sometimes with a trailing ':'), each a dictionary.
func Decode(b []byte) (out []Client, err error) {
	defer plistx.Malformed(&out, &err)
	// plistx bounds depth and shared-reference expansion (billion laughs).
	root, derr := plistx.DecodeDict(b, plistx.Limits{})
	if derr != nil {
		return nil, fmt.Errorf("not a clients plist: %w", derr)
	}
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
			var t time.Time
			switch v := d[tk].(type) {
			case float64:
				t = sqlitex.AppleTime(v)
			case int64:
				t = sqlitex.AppleTime(float64(v))
			case uint64:
				t = sqlitex.AppleTime(float64(v))
			case time.Time:
				t = v.UTC()
			}
			if !t.IsZero() {
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
		r.Stamp(c.Times[tk], tk)
	}
	return r
}
