package manifest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/distinct"
	"github.com/huella-project/huella/internal/source/iosbackup"
)

// Entry is the record's data.
type Entry struct {
	FileID        string     `json:"file_id"`
	Domain        string     `json:"domain"`
	RelativePath  string     `json:"relative_path"`
	Flags         int        `json:"flags"`
	Created       *time.Time `json:"created,omitempty"`
	Modified      *time.Time `json:"modified,omitempty"`
	StatusChanged *time.Time `json:"status_changed,omitempty"`
	Mode          string     `json:"mode"`
	Owner         int64      `json:"owner"`
	Size          int64      `json:"size"`
}

func run(ctx context.Context, env *module.Env) error {
	if len(env.Find("_backup/Manifest.db")) == 0 {
		return module.Absent("Manifest.db")
	}
	bad := 0
	for e, err := range iosbackup.Files(ctx, env.Evidence) {
		if err != nil {
			if e.FileID == "" {
				return fmt.Errorf("Manifest.db: %w", err)
			}
			if bad++; bad <= 10 {
				env.Warn("%v", err)
			}
		}
		env.Emit(Build(e))
	}
	if bad > 10 {
		env.Warn("%d entries in all had unreadable metadata", bad)
	}
	return ctx.Err()
}

func ptr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Build makes the record of one entry.
func Build(e iosbackup.FileEntry) *model.Record {
	r := &model.Record{
		Source:  e.LogicalPath(),
		Summary: e.RelativePath + " - " + e.Domain,
		Data: Entry{FileID: e.FileID, Domain: e.Domain, RelativePath: e.RelativePath, Flags: e.Flags,
			Created: ptr(e.Birth), Modified: ptr(e.Modified), StatusChanged: ptr(e.StatusChanged),
			Mode: "0o" + strconv.FormatUint(uint64(e.Mode), 8), Owner: e.UID, Size: e.Size},
	}
	for _, s := range macb(e) {
		r.Stamp(s.Time, s.Desc)
	}
	r.RawTimes = append(r.RawTimes, e.RawTimes...)
	if e.RelativePath != "" {
		r.Add(model.KindFilePath, "/"+e.RelativePath, "relative_path")
	}
	for _, d := range Domains(e.RelativePath) {
		r.Add(model.KindDomain, d, "relative_path")
	}
	return r
}

// macb folds the three times into one stamp per distinct time, named like
// a MACB timeline ("M-C-": modified and changed at that instant).
func macb(e iosbackup.FileEntry) []model.Stamp {
	var out []model.Stamp
	times := [3]time.Time{e.Modified, e.StatusChanged, e.Birth}
	for i, t := range times {
		if t.IsZero() || slices.Contains(times[:i], t) {
			continue
		}
		flag := func(u time.Time, c string) string {
			if u.Equal(t) {
				return c
			}
			return "-"
		}
		out = append(out, model.Stamp{Time: t, Desc: flag(e.Modified, "M") + "-" + flag(e.StatusChanged, "C") + flag(e.Birth, "B")})
	}
	return out
}

// Domains finds host names inside a relative path, as apps name files
// after the sites they talk to ("https_ad.example.net_0.localstorage").
// The path is lower-cased and split on "_"; a part counts when its first
// segment ends in a known public suffix and has a label before it.
func Domains(rel string) []string {
	var out distinct.List[string]
	for part := range strings.SplitSeq(strings.ToLower(rel), "_") {
		host, _, _ := strings.Cut(part, "/")
		host = strings.Trim(host, ".")
		if !strings.Contains(host, ".") || strings.ContainsAny(host, " :@?#") || out.Has(host) {
			continue
		}
		ps, icann := publicsuffix.PublicSuffix(host)
		if (!icann && !strings.Contains(ps, ".")) || ps == host {
			continue
		}
		out.Add(host)
	}
	return out.Values()
}
