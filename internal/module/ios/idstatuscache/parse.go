package idstatuscache

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/sqlitex"
	"github.com/huella-project/huella/internal/timestamp"
)

// Lookup is one cached identity lookup.
type Lookup struct {
	Service     string    `json:"service"` // e.g. com.apple.madrid (iMessage)
	Handle      string    `json:"handle"`  // "mailto:…" or "tel:…"
	LookupDate  time.Time `json:"lookup_date,omitzero"`
	IDStatus    int64     `json:"id_status"`
	Occurrences int       `json:"occurrences"` // lookups of the same handle in this file

	raw model.RawDates // a LookupDate that is no plausible date, kept as stored
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Find(Paths...)
	if len(found) == 0 {
		return module.Absent("idstatuscache.plist")
	}
	for _, name := range found {
		if err := parseFile(ctx, env, name); err != nil {
			return err
		}
	}
	return nil
}

func parseFile(ctx context.Context, env *module.Env, name string) error {
	d, err := env.ReadPlistDict(name)
	if err != nil {
		return err
	}
	lookups := Parse(d, func(msg string) { env.Warn("%s: %s", name, msg) })
	count := map[string]int{}
	for _, l := range lookups {
		count[l.Handle]++
	}
	for _, l := range lookups {
		if err := ctx.Err(); err != nil {
			return err
		}
		l.Occurrences = count[l.Handle]
		r := l.record(name)
		env.Emit(r)
		env.Report(ios.IDStatusNulHandle(l.Handle), r)
	}
	return nil
}

// Parse flattens the cache: service → handle → {LookupDate, IDStatus}.
// Entries of an unexpected shape are reported through warn and skipped.
func Parse(d map[string]any, warn func(string)) []*Lookup {
	var out []*Lookup
	for _, svc := range slices.Sorted(maps.Keys(d)) {
		entries, ok := d[svc].(map[string]any)
		if !ok {
			warn(fmt.Sprintf("service %q is %T, not a dictionary", svc, d[svc]))
			continue
		}
		for _, h := range slices.Sorted(maps.Keys(entries)) {
			e, ok := entries[h].(map[string]any)
			if !ok {
				warn(fmt.Sprintf("entry %q of %q is %T, not a dictionary", h, svc, entries[h]))
				continue
			}
			l := &Lookup{Service: svc, Handle: h, IDStatus: sqlitex.Int(num(e["IDStatus"]))}
			var err error
			l.LookupDate, err = plistTime(e["LookupDate"])
			l.raw.Add("idstatus_lookup", err)
			out = append(out, l)
		}
	}
	return out
}

// num widens plist integers (uint64) so sqlitex's converters accept them.
func num(v any) any {
	switch x := v.(type) {
	case uint64:
		return int64(x)
	}
	return v
}

// plistTime accepts a plist date or a Cocoa timestamp number. One that is
// no plausible date is the zero time and an error keeping the stored value.
func plistTime(v any) (time.Time, error) {
	if t, ok := v.(time.Time); ok {
		if err := timestamp.Check(t); err != nil {
			return time.Time{}, err
		}
		return t.UTC(), nil
	}
	return sqlitex.AppleTimeChecked(num(v))
}

func (l *Lookup) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: l}
	r.Summary = fmt.Sprintf("Lookup of %q by %s (status %d)", l.Handle, l.Service, l.IDStatus)
	r.Stamp(l.LookupDate, "idstatus_lookup")
	r.KeepRaw(l.raw)
	if addr, ok := strings.CutPrefix(l.Handle, "mailto:"); ok {
		r.Add(model.KindEmail, strings.ReplaceAll(addr, "\x00", ""), "handle")
	}
	return r
}
