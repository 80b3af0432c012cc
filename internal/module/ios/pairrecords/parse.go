package pairrecords

import (
	"context"
	"io/fs"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/plistx"
)

// Record is one pair record.
type Record struct {
	File       string `json:"file"`
	HostID     string `json:"host_id"`
	SystemBUID string `json:"system_buid,omitempty"`
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Find(Paths...)
	if len(found) == 0 {
		return module.Absent("Lockdown pair records")
	}
	for _, name := range found {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := Record{File: name, HostID: strings.TrimSuffix(path.Base(name), ".plist")}
		b, err := env.ReadFile(name, limit)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		if m, err := plistx.DecodeDict(b, plistx.Limits{MaxBytes: int(limit.Max)}); err == nil {
			if s, ok := m["HostID"].(string); ok && s != "" {
				rec.HostID = s
			}
			rec.SystemBUID, _ = m["SystemBUID"].(string)
		} else {
			env.Warn("%s: %v", name, err)
		}
		r := &model.Record{Source: name, Data: &rec, Summary: "Pairing record of computer " + rec.HostID}
		at := "?"
		if fi, err := fs.Stat(env.Evidence.FS, name); err == nil && !fi.ModTime().IsZero() {
			r.Stamp(fi.ModTime(), "pairing_record")
			at = fi.ModTime().UTC().Format("2006-01-02 15:04:05 UTC")
		}
		env.Emit(r)
		env.Report(ios.PairedComputer(ios.PairingNew, rec.HostID, at, name), r)
	}
	return nil
}
