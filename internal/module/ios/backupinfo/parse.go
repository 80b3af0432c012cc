package backupinfo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/plistfile"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/timestamp"
)

// Keys MVT reports; missing ones are kept as null so reports line up.
var keys = []string{"Build Version", "Device Name", "Display Name", "GUID", "ICCID", "IMEI", "MEID",
	"Installed Applications", "Last Backup Date", "Phone Number", "Product Name", "Product Type",
	"Product Version", "Serial Number", "Target Identifier", "Target Type", "Unique Identifier", "iTunes Version"}

func run(ctx context.Context, env *module.Env) error {
	if len(env.Find(artifact)) == 0 {
		return module.Absent("Info.plist")
	}
	data, err := env.ReadFile(artifact, evfile.BackupInfo)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return module.Absent("Info.plist")
		}
		return fmt.Errorf("Info.plist: %w", err)
	}
	info, err := plistx.DecodeDict(data, plistx.Limits{MaxBytes: int(evfile.BackupInfo.Max)})
	if err != nil {
		return fmt.Errorf("Info.plist: %w", err)
	}
	env.Emit(Build(info))
	return nil
}

// Build turns a decoded Info.plist into the record.
func Build(info map[string]any) *model.Record {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		out[k] = nil
	}
	for _, k := range keys {
		switch v := info[k].(type) {
		case string:
			out[k] = v
		case time.Time:
			out[k] = v.UTC()
		case []any:
			var apps []string
			for _, a := range v {
				if s, ok := a.(string); ok {
					apps = append(apps, s)
				}
			}
			out[k] = apps
		case nil:
		default:
			out[k] = fmt.Sprint(v)
		}
	}
	str := func(k string) string { s, _ := out[k].(string); return s }
	parts := []string{}
	if n := str("Device Name"); n != "" {
		parts = append(parts, fmt.Sprintf("%q", n))
	}
	if m := str("Product Type"); m != "" {
		parts = append(parts, m)
	}
	if v := str("Product Version"); v != "" {
		parts = append(parts, "iOS "+v)
	}
	if b := str("Build Version"); b != "" {
		parts = append(parts, "("+b+")")
	}
	r := &model.Record{Source: artifact, Data: out, Summary: "Backup of " + strings.Join(parts, " ")}
	if len(parts) == 0 {
		r.Summary = "Backup with an empty Info.plist"
	}
	// A date outside 1970–2100 reaches here as its Cocoa seconds (plistx):
	// the record keeps it as stored rather than no date.
	t, err := plistfile.Date(info["Last Backup Date"], timestamp.AppleSeconds)
	r.StampChecked(t, err, "backup")
	return r
}
