package applications

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"time"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/plistfile"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/timestamp"
)

// App is one installed application.
type App struct {
	BundleID     string    `json:"bundle_id"`
	Name         string    `json:"name,omitempty"`
	Artist       string    `json:"artist,omitempty"`
	Version      string    `json:"version,omitempty"`
	SourceApp    string    `json:"source_app,omitempty"` // installer; empty means the App Store
	Purchased    time.Time `json:"purchase_date,omitzero"`
	AppleID      string    `json:"apple_id,omitempty"`
	HasMetadata  bool      `json:"has_metadata"`
	MetadataPath string    `json:"metadata_path,omitempty"` // file-system dumps

	raw model.RawDates // purchase dates that are no plausible date, kept as stored
}

func run(ctx context.Context, env *module.Env) error {
	var apps []*App
	var src string
	if found := env.Find(InfoPlist); len(found) > 0 {
		src = found[0]
		info, err := env.ReadPlistDict(src)
		if err != nil {
			return err
		}
		apps = FromInfo(info, func(msg string) { env.Warn("%s: %s", src, msg) })
	} else if found := env.Find(MetadataGlob); len(found) > 0 {
		for _, p := range found {
			b, err := env.ReadFile(p, evfile.Plist)
			if err != nil {
				env.Warn("%v", err)
				continue
			}
			a, err := FromMetadata("", b)
			if err != nil {
				env.Warn("%s: %v", p, err)
				continue
			}
			a.MetadataPath = "/" + path.Dir(p)
			apps = append(apps, a)
		}
	} else {
		return module.Absent("Info.plist or iTunesMetadata.plist")
	}
	for _, a := range apps {
		if err := ctx.Err(); err != nil {
			return err
		}
		s := src
		if a.MetadataPath != "" {
			s = a.MetadataPath[1:] + "/iTunesMetadata.plist"
		}
		r := a.record(s)
		env.Emit(r)
		env.Report(ios.AppNotFromStore(a.BundleID, a.SourceApp), r)
	}
	return nil
}

// maxApps bounds how many apps one Info.plist may list.
const maxApps = 100_000

// FromInfo reads a backup Info.plist: the "Applications" dictionary (bundle
// id → {iTunesMetadata: embedded plist}) and the "Installed Applications"
// list, merged by bundle id and sorted.
func FromInfo(info map[string]any, warn func(string)) []*App {
	byID := map[string]*App{}
	if apps, ok := info["Applications"].(map[string]any); ok {
		for id, v := range apps {
			if len(byID) >= maxApps {
				warn(fmt.Sprintf("more than %d applications; the rest were skipped", maxApps))
				break
			}
			a := &App{BundleID: id}
			if d, ok := v.(map[string]any); ok {
				if b, ok := d["iTunesMetadata"].([]byte); ok && len(b) > 0 {
					m, err := FromMetadata(id, b)
					if err != nil {
						warn(fmt.Sprintf("app %s: iTunesMetadata: %v", id, err))
					} else {
						a = m
					}
				}
			}
			byID[id] = a
		}
	}
	if list, ok := info["Installed Applications"].([]any); ok {
		for _, v := range list {
			id, ok := v.(string)
			if !ok || id == "" || byID[id] != nil || len(byID) >= maxApps {
				continue
			}
			byID[id] = &App{BundleID: id}
		}
	}
	out := make([]*App, 0, len(byID))
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		out = append(out, byID[id])
	}
	return out
}

// FromMetadata decodes an iTunesMetadata plist. fallbackID names the app when
// the metadata lacks softwareVersionBundleId.
func FromMetadata(fallbackID string, b []byte) (*App, error) {
	m, err := plistx.DecodeDict(b, plistx.Limits{MaxBytes: 16 << 20, MaxNodes: 200_000})
	if err != nil {
		return nil, err
	}
	str := func(d map[string]any, k string) string { s, _ := d[k].(string); return s }
	a := &App{HasMetadata: true, BundleID: str(m, "softwareVersionBundleId"), Name: str(m, "itemName"),
		Artist: str(m, "artistName"), Version: str(m, "bundleShortVersionString"), SourceApp: str(m, "sourceApp")}
	if a.BundleID == "" {
		a.BundleID = fallbackID
	}
	if di, ok := m["com.apple.iTunesStore.downloadInfo"].(map[string]any); ok {
		if ai, ok := di["accountInfo"].(map[string]any); ok {
			a.AppleID = str(ai, "AppleID")
		}
		a.Purchased = a.purchaseDate(di["purchaseDate"])
	}
	if a.Purchased.IsZero() {
		a.Purchased = a.purchaseDate(m["purchaseDate"])
	}
	if a.AppleID == "" {
		a.AppleID = str(m, "appleId")
	}
	return a, nil
}

// purchaseDate reads a plist date or its RFC 3339 text. One that is no
// plausible date (plistx hands a far plist date over as its Cocoa seconds)
// is the zero time, and the app keeps it as stored.
func (a *App) purchaseDate(v any) time.Time {
	var t time.Time
	var err error
	if s, ok := v.(string); ok {
		t, err = timestamp.ParseText(s, time.RFC3339)
	} else {
		t, err = plistfile.Date(v, timestamp.AppleSeconds)
	}
	a.raw.Add("app_installed", err)
	return t.UTC()
}

func (a *App) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: a}
	r.Summary = fmt.Sprintf("App %s", a.BundleID)
	if a.Name != "" {
		r.Summary += fmt.Sprintf(" (%s %s by %s)", a.Name, a.Version, a.Artist)
	}
	if a.SourceApp != "" {
		r.Summary += " installed by " + a.SourceApp
	}
	r.Stamp(a.Purchased, "app_installed")
	r.KeepRaw(a.raw)
	r.Add(model.KindAppID, a.BundleID, "bundle_id")
	// Feeds also publish implant bundle ids as process names; MVT checks
	// the bundle id against both.
	r.Add(model.KindProcess, a.BundleID, "bundle_id")
	if a.SourceApp != "" {
		r.Add(model.KindAppID, a.SourceApp, "source_app")
	}
	if a.MetadataPath != "" {
		r.Add(model.KindFilePath, a.MetadataPath, "metadata_path")
	}
	return r
}
