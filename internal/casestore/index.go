package casestore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
)

// ProbeFor encodes the keys of a set of indicators for runs stored plain
// (key nil) or as HMACs with key.
func ProbeFor(keys []indicators.IndicatorKey, key *HMACKey) Probe {
	return keyer{key: key}.probe(keys)
}

// Candidate is one stored record a probe found, rebuilt from its
// observations: module, artifact, first time, and every observable the
// check saved (in their order, with their fields), not only the ones whose
// keys were probed. In a case kept with --keep-records it is the record as
// the check saved it, summary and data included.
type Candidate struct {
	RunID, CaseID int64
	Module        string
	Rec           int64 // ordinal of the record in <module>.json
	Record        model.Record
	Kept          bool
	// Stored is, per observable of Record (by index), the value as stored:
	// the value itself, or its HMAC. Codes are that value's key codes.
	Stored []string
	Codes  [][]int64
}

// Target is a run to look in and the case it belongs to.
type Target struct {
	RunID, CaseID int64
	Keep          bool
}

// ints is a list argument: a bigint[] for PostgreSQL, a JSON array read
// with json_each for SQLite (which has no arrays).
func (s *Store) ints(col string, n int) string {
	if s.engine == Postgres {
		return fmt.Sprintf("%s = ANY($%d::bigint[])", col, n)
	}
	return fmt.Sprintf("%s IN (SELECT value FROM json_each($%d))", col, n)
}

func (s *Store) intsArg(v []int64) any {
	if s.engine == Postgres {
		if v == nil {
			return []int64{}
		}
		return v
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(x, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// matchingValues returns the ids of the values that carry one of the
// probe's codes or a code in one of its ranges: index lookups only.
func (s *Store) matchingValues(ctx context.Context, p Probe) ([]int64, error) {
	seen := map[int64]bool{}
	var out []int64
	collect := func(q string, args ...any) error {
		ids, err := queryInts(ctx, s.db, q, args...)
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return err
	}
	const chunk = 20_000
	for i := 0; i < len(p.Codes); i += chunk {
		c := p.Codes[i:min(i+chunk, len(p.Codes))]
		if err := collect("SELECT val_id FROM val_keys WHERE "+s.ints("k", 1), s.intsArg(c)); err != nil {
			return nil, err
		}
	}
	for _, r := range p.Ranges {
		if err := collect("SELECT val_id FROM val_keys WHERE k BETWEEN $1 AND $2", r.Lo, r.Hi); err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

type pair struct{ run, val int64 }

// Candidates finds, in the target runs, the stored records holding a value
// that carries one of the probe's keys, and hands them to fn a group of
// runs at a time (all candidates of a run together). It returns how many
// values matched a key.
func (s *Store) Candidates(ctx context.Context, targets []Target, p Probe, fn func(Candidate) error) (int, error) {
	if len(targets) == 0 || (len(p.Codes) == 0 && len(p.Ranges) == 0) {
		return 0, nil
	}
	vals, err := s.matchingValues(ctx, p)
	if err != nil || len(vals) == 0 {
		return len(vals), err
	}
	byRun := map[int64]Target{}
	for _, t := range targets {
		byRun[t.RunID] = t
	}
	var pairs []pair
	const chunk = 20_000
	for i := 0; i < len(vals); i += chunk {
		c := vals[i:min(i+chunk, len(vals))]
		rows, err := s.db.QueryContext(ctx, "SELECT run_id, val_id FROM run_vals WHERE "+s.ints("val_id", 1), s.intsArg(c))
		if err != nil {
			return len(vals), err
		}
		if err := forRows(rows, func() error {
			var pr pair
			if err := rows.Scan(&pr.run, &pr.val); err != nil {
				return err
			}
			if _, ok := byRun[pr.run]; ok {
				pairs = append(pairs, pr)
			}
			return nil
		}); err != nil {
			return len(vals), err
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].run != pairs[j].run {
			return pairs[i].run < pairs[j].run
		}
		return pairs[i].val < pairs[j].val
	})
	// Batches of whole runs, about 10,000 (run, value) pairs each.
	for i := 0; i < len(pairs); {
		j := i
		for j < len(pairs) && (j-i < 10_000 || pairs[j].run == pairs[j-1].run) {
			j++
		}
		if err := s.candidateBatch(ctx, pairs[i:j], byRun, fn); err != nil {
			return len(vals), err
		}
		i = j
	}
	return len(vals), nil
}

type obsRow struct {
	run, val, origin, rec, pos int64
	t, tns                     sql.NullInt64
}

type storedVal struct {
	kind, value string
	codes       []int64
}

type originRow struct {
	id                    int64
	module, source, field string
}

// recKey names a record: its run, module and ordinal in <module>.json.
type recKey struct {
	run    int64
	module string
	rec    int64
}

// candidateBatch turns (run, value) hits into whole records: every
// observable of each record a hit is in, not only the hit ones, because the
// matcher may weigh one observable by another of the same record (a process
// name by the file path it is a part of).
func (s *Store) candidateBatch(ctx context.Context, pairs []pair, byRun map[int64]Target, fn func(Candidate) error) error {
	runSet := map[int64]bool{}
	for _, p := range pairs {
		runSet[p.run] = true
	}
	// The runs' origins: module, artifact and field of every origin id.
	origins := map[int64]originRow{}
	byModule := map[[2]string][]int64{} // (run, module) → origin ids
	if err := s.eachRow(ctx, "SELECT id, run_id, module, source, field FROM origins WHERE "+s.ints("run_id", 1), slices.Sorted(maps.Keys(runSet)), func(r *sql.Rows) error {
		var o originRow
		var run int64
		if err := r.Scan(&o.id, &run, &o.module, &o.source, &o.field); err != nil {
			return err
		}
		origins[o.id] = o
		k := [2]string{fmt.Sprint(run), o.module}
		byModule[k] = append(byModule[k], o.id)
		return nil
	}); err != nil {
		return err
	}
	// The records the hits are in.
	var hits []obsRow
	if s.engine == Postgres {
		runs, vals := make([]int64, len(pairs)), make([]int64, len(pairs))
		for i, p := range pairs {
			runs[i], vals[i] = p.run, p.val
		}
		rows, err := s.db.QueryContext(ctx, `SELECT o.run_id, o.origin_id, o.rec FROM obs o
			JOIN unnest($1::int[], $2::int[]) AS p(run_id, val_id) ON o.run_id = p.run_id AND o.val_id = p.val_id`, runs, vals)
		if err != nil {
			return err
		}
		if err := forRows(rows, func() error {
			var o obsRow
			if err := rows.Scan(&o.run, &o.origin, &o.rec); err != nil {
				return err
			}
			hits = append(hits, o)
			return nil
		}); err != nil {
			return err
		}
	} else {
		err := s.eachPrepared(ctx, "SELECT origin_id, rec FROM obs WHERE run_id = ? AND val_id = ?", len(pairs), func(i int) []any {
			return []any{pairs[i].run, pairs[i].val}
		}, func(i int, r *sql.Rows) error {
			o := obsRow{run: pairs[i].run}
			if err := r.Scan(&o.origin, &o.rec); err != nil {
				return err
			}
			hits = append(hits, o)
			return nil
		})
		if err != nil {
			return err
		}
	}
	recSet := map[recKey]bool{}
	var recs []recKey
	for _, h := range hits {
		k := recKey{h.run, origins[h.origin].module, h.rec}
		if !recSet[k] {
			recSet[k] = true
			recs = append(recs, k)
		}
	}
	slices.SortFunc(recs, func(a, b recKey) int {
		return cmp.Or(cmp.Compare(a.run, b.run), cmp.Compare(a.module, b.module), cmp.Compare(a.rec, b.rec))
	})
	// Every observation of those records, from every origin of the module.
	type part struct {
		rec    int // index in recs
		origin int64
	}
	var parts []part
	for i, k := range recs {
		for _, o := range byModule[[2]string{fmt.Sprint(k.run), k.module}] {
			parts = append(parts, part{i, o})
		}
	}
	all := make([][]obsRow, len(recs))
	add := func(i int, o obsRow) { all[i] = append(all[i], o) }
	if s.engine == Postgres {
		runs, origs, ords, idx := make([]int64, len(parts)), make([]int64, len(parts)), make([]int64, len(parts)), make([]int64, len(parts))
		for i, p := range parts {
			runs[i], origs[i], ords[i], idx[i] = recs[p.rec].run, p.origin, recs[p.rec].rec, int64(p.rec)
		}
		rows, err := s.db.QueryContext(ctx, `SELECT p.i, o.origin_id, o.pos, o.val_id, o.t, o.t_ns FROM obs o
			JOIN unnest($1::int[], $2::int[], $3::int[], $4::int[]) AS p(run_id, origin_id, rec, i)
			ON o.run_id = p.run_id AND o.origin_id = p.origin_id AND o.rec = p.rec`, runs, origs, ords, idx)
		if err != nil {
			return err
		}
		if err := forRows(rows, func() error {
			var i int
			var o obsRow
			if err := rows.Scan(&i, &o.origin, &o.pos, &o.val, &o.t, &o.tns); err != nil {
				return err
			}
			add(i, o)
			return nil
		}); err != nil {
			return err
		}
	} else {
		err := s.eachPrepared(ctx, "SELECT pos, val_id, t, t_ns FROM obs WHERE run_id = ? AND origin_id = ? AND rec = ?", len(parts), func(i int) []any {
			return []any{recs[parts[i].rec].run, parts[i].origin, recs[parts[i].rec].rec}
		}, func(i int, r *sql.Rows) error {
			o := obsRow{origin: parts[i].origin}
			if err := r.Scan(&o.pos, &o.val, &o.t, &o.tns); err != nil {
				return err
			}
			add(parts[i].rec, o)
			return nil
		})
		if err != nil {
			return err
		}
	}
	valIDs := map[int64]bool{}
	for _, rows := range all {
		for _, o := range rows {
			valIDs[o.val] = true
		}
	}
	vals := map[int64]storedVal{}
	if err := s.eachRow(ctx, "SELECT id, kind, value, keys FROM vals WHERE "+s.ints("id", 1), slices.Sorted(maps.Keys(valIDs)), func(r *sql.Rows) error {
		var id int64
		var v storedVal
		var packed []byte
		if err := r.Scan(&id, &v.kind, &v.value, &packed); err != nil {
			return err
		}
		v.codes = unpackCodes(packed)
		vals[id] = v
		return nil
	}); err != nil {
		return err
	}
	for i, k := range recs {
		rows := all[i]
		if len(rows) == 0 {
			continue
		}
		sort.Slice(rows, func(a, b int) bool { return rows[a].pos < rows[b].pos })
		t := byRun[k.run]
		c := Candidate{RunID: k.run, CaseID: t.CaseID, Module: k.module, Rec: k.rec}
		first := rows[0]
		c.Record = model.Record{Module: k.module, Source: origins[first.origin].source}
		if first.t.Valid {
			tm := time.UnixMicro(first.t.Int64).Add(time.Duration(first.tns.Int64)).UTC()
			c.Record.Times = []model.Stamp{{Time: tm}}
		}
		byPos := map[int64]int{}
		for j, o := range rows {
			v := vals[o.val]
			byPos[o.pos] = j
			c.Record.Observables = append(c.Record.Observables, model.Observable{Kind: model.Kind(v.kind), Value: v.value, Field: origins[o.origin].field})
			c.Stored = append(c.Stored, v.value)
			c.Codes = append(c.Codes, v.codes)
		}
		if t.Keep {
			var body string
			err := s.db.QueryRowContext(ctx, "SELECT body FROM records WHERE run_id = $1 AND module = $2 AND rec = $3", k.run, k.module, k.rec).Scan(&body)
			if err != nil {
				return fmt.Errorf("kept record %s #%d: %w", k.module, k.rec, err)
			}
			var full model.Record
			if err := json.Unmarshal([]byte(body), &full); err != nil {
				return fmt.Errorf("kept record %s #%d: %w", k.module, k.rec, err)
			}
			// The kept record's observables are at their stored positions
			// (the ones too long or empty to store have none).
			stored, codes := make([]string, len(full.Observables)), make([][]int64, len(full.Observables))
			for j, o := range full.Observables {
				stored[j] = o.Value
				if r, ok := byPos[int64(j)]; ok {
					codes[j] = c.Codes[r]
				}
			}
			c.Record, c.Kept, c.Stored, c.Codes = full, true, stored, codes
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// eachPrepared runs one prepared query n times (SQLite: a round trip is a
// function call) on a connection of its own, released before returning:
// SQLite has exactly one.
func (s *Store) eachPrepared(ctx context.Context, q string, n int, args func(int) []any, fn func(int, *sql.Rows) error) error {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	st, err := c.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer st.Close()
	for i := 0; i < n; i++ {
		rows, err := st.QueryContext(ctx, args(i)...)
		if err != nil {
			return err
		}
		if err := forRows(rows, func() error {
			if err := fn(i, rows); err != nil {
				return err
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// eachRow runs a list query in chunks.
func (s *Store) eachRow(ctx context.Context, q string, ids []int64, fn func(*sql.Rows) error) error {
	const chunk = 20_000
	for i := 0; i < len(ids); i += chunk {
		rows, err := s.db.QueryContext(ctx, q, s.intsArg(ids[i:min(i+chunk, len(ids))]))
		if err != nil {
			return err
		}
		if err := forRows(rows, func() error {
			if err := fn(rows); err != nil {
				return err
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
