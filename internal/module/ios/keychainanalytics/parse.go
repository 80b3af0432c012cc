package keychainanalytics

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/sqlitex"
)

var tables = []string{"hard_failures", "soft_failures", "all_events"}

const (
	maxRowsPerTable = 500_000
	maxStrings      = 256 // per event
)

// Event is one analytics row.
type Event struct {
	DB      string         `json:"db"`
	Table   string         `json:"table"`
	Time    time.Time      `json:"time,omitzero"`
	Data    map[string]any `json:"data,omitempty"`
	Strings []string       `json:"-"`

	timeErr error // timestamp is no plausible date: the record keeps it as stored
}

// BuildSeen is the first time an iOS build appears in the analytics.
type BuildSeen struct {
	Build string    `json:"build"`
	First time.Time `json:"first"`
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Find(Paths...)
	if len(found) == 0 {
		return module.Absent("Keychains/Analytics/*.db")
	}
	builds := map[string]time.Time{}
	var errs []error
	for _, name := range found {
		if err := readDB(ctx, env, name, builds); err != nil {
			errs = append(errs, err)
		}
	}
	keys := slices.SortedFunc(maps.Keys(builds), func(a, b string) int { return cmp.Or(builds[a].Compare(builds[b]), strings.Compare(a, b)) })
	for _, b := range keys {
		r := &model.Record{Source: "private/var/Keychains/Analytics", Data: &BuildSeen{Build: b, First: builds[b]}, Summary: "Seen iOS build " + b}
		r.Stamp(builds[b], "analytics_ios_version")
		env.Emit(r)
	}
	return errors.Join(errs...)
}

func readDB(ctx context.Context, env *module.Env, name string, builds map[string]time.Time) error {
	db, err := env.OpenDB(name)
	if err != nil {
		return err
	}
	defer db.Close()
	have, err := db.Tables(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	read := 0
	for _, tab := range tables {
		if !have[tab] {
			continue
		}
		read++
		if _, err := sqlitex.Need(ctx, db, tab, "timestamp", "data"); err != nil {
			return err
		}
		if err := readTable(ctx, env, db, name, tab, builds); err != nil {
			return err
		}
	}
	if read == 0 {
		return fmt.Errorf("%s: unknown schema: none of the tables %s", name, strings.Join(tables, ", "))
	}
	return nil
}

// maxEventBlob is the largest event plist read (plistx's default bound).
const maxEventBlob = 64 << 20

func readTable(ctx context.Context, env *module.Env, db *sqlitex.DB, name, tab string, builds map[string]time.Time) error {
	bad := 0
	err := sqlitex.Each(ctx, db, fmt.Sprintf("SELECT timestamp AS ts, %s AS data FROM %s LIMIT %d", sqlitex.Whole("data", maxEventBlob), tab, maxRowsPerTable), func(row sqlitex.Row) error {
		ts, data := row.Get("ts"), row.Get("data")
		if ts == nil && data == nil {
			return nil
		}
		ev := Event{DB: name, Table: tab}
		ev.Time, ev.timeErr = sqlitex.UnixTimeChecked(ts)
		if b, ok := data.([]byte); ok && len(b) > 0 {
			d, err := plistx.DecodeDict(b, plistx.Limits{})
			if err != nil {
				bad++
			} else {
				ev.Data = d
				ev.Strings = collect(d, nil, 0)
				if build, ok := d["build"].(string); ok && build != "" {
					if f, ok := builds[build]; !ok || (!ev.Time.IsZero() && ev.Time.Before(f)) {
						builds[build] = ev.Time
					}
				}
			}
		}
		env.Emit(record(&ev))
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %s: %w", name, tab, err)
	}
	if bad > 0 {
		env.Warn("%s: %s: %d rows whose data is not a plist", name, tab, bad)
	}
	return nil
}

func record(ev *Event) *model.Record {
	r := &model.Record{Source: ev.DB, Data: ev}
	r.Summary = fmt.Sprintf("%s %s event", path.Base(ev.DB), ev.Table)
	if et, ok := ev.Data["eventType"].(string); ok {
		r.Summary += ": " + et
	}
	for _, s := range ev.Strings {
		switch {
		case strings.Contains(s, "://"):
			r.Add(model.KindURL, s, "data")
		case looksLikeHost(s):
			r.Add(model.KindDomain, s, "data")
			r.Add(model.KindProcess, s, "data")
		default:
			r.Add(model.KindProcess, s, "data")
		}
	}
	r.StampChecked(ev.Time, ev.timeErr, strings.TrimSuffix(path.Base(ev.DB), ".db"))
	return r
}

// collect gathers the distinct short strings of a plist value, bounded in
// count and depth.
func collect(v any, out []string, depth int) []string {
	if depth > 16 || len(out) >= maxStrings {
		return out
	}
	switch x := v.(type) {
	case string:
		if x != "" && len(x) <= 256 && !strings.ContainsAny(x, " \n\t") {
			for _, s := range out {
				if s == x {
					return out
				}
			}
			out = append(out, x)
		}
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		for _, k := range keys {
			out = collect(x[k], out, depth+1)
		}
	case []any:
		for _, e := range x {
			out = collect(e, out, depth+1)
		}
	}
	return out
}

// looksLikeHost accepts dotted names with a letter-only last label, so
// version numbers and bundle-id-like strings with digits are not taken.
func looksLikeHost(s string) bool {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || i == len(s)-1 || strings.ContainsAny(s, "/:@") {
		return false
	}
	for _, c := range s[i+1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
