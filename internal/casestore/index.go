package casestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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

// Candidate is one stored record rebuilt from the observations a probe
// found: the record's module, artifact and first time, and the observables
// whose values carry a probed key, at their original positions' order and
// with their fields. In a case kept with --keep-records it is the whole
// record as the check saved it.
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
		for rows.Next() {
			var pr pair
			if err := rows.Scan(&pr.run, &pr.val); err != nil {
				rows.Close()
				return len(vals), err
			}
			if _, ok := byRun[pr.run]; ok {
				pairs = append(pairs, pr)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
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
	module, source, field string
}

func (s *Store) candidateBatch(ctx context.Context, pairs []pair, byRun map[int64]Target, fn func(Candidate) error) error {
	var obs []obsRow
	if s.engine == Postgres {
		runs := make([]int64, len(pairs))
		vals := make([]int64, len(pairs))
		for i, p := range pairs {
			runs[i], vals[i] = p.run, p.val
		}
		rows, err := s.db.QueryContext(ctx, `SELECT o.run_id, o.val_id, o.origin_id, o.rec, o.pos, o.t, o.t_ns FROM obs o
			JOIN unnest($1::int[], $2::int[]) AS p(run_id, val_id) ON o.run_id = p.run_id AND o.val_id = p.val_id`, runs, vals)
		if err != nil {
			return err
		}
		for rows.Next() {
			var o obsRow
			if err := rows.Scan(&o.run, &o.val, &o.origin, &o.rec, &o.pos, &o.t, &o.tns); err != nil {
				rows.Close()
				return err
			}
			obs = append(obs, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	} else {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		st, err := c.PrepareContext(ctx, "SELECT origin_id, rec, pos, t, t_ns FROM obs WHERE run_id = ? AND val_id = ?")
		if err != nil {
			return err
		}
		defer st.Close()
		for _, p := range pairs {
			rows, err := st.QueryContext(ctx, p.run, p.val)
			if err != nil {
				return err
			}
			for rows.Next() {
				o := obsRow{run: p.run, val: p.val}
				if err := rows.Scan(&o.origin, &o.rec, &o.pos, &o.t, &o.tns); err != nil {
					rows.Close()
					return err
				}
				obs = append(obs, o)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		// Release the connection before the next queries on the pool:
		// SQLite has exactly one.
		st.Close()
		c.Close()
	}
	valIDs := map[int64]bool{}
	originIDs := map[int64]bool{}
	for _, o := range obs {
		valIDs[o.val], originIDs[o.origin] = true, true
	}
	vals := map[int64]storedVal{}
	if err := s.eachRow(ctx, "SELECT id, kind, value, keys FROM vals WHERE "+s.ints("id", 1), keysOf(valIDs), func(r *sql.Rows) error {
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
	origins := map[int64]originRow{}
	if err := s.eachRow(ctx, "SELECT id, module, source, field FROM origins WHERE "+s.ints("id", 1), keysOf(originIDs), func(r *sql.Rows) error {
		var id int64
		var o originRow
		if err := r.Scan(&id, &o.module, &o.source, &o.field); err != nil {
			return err
		}
		origins[id] = o
		return nil
	}); err != nil {
		return err
	}
	// Group by record, observables in their original order.
	type recKey struct {
		run    int64
		module string
		rec    int64
	}
	groups := map[recKey][]obsRow{}
	var order []recKey
	for _, o := range obs {
		k := recKey{o.run, origins[o.origin].module, o.rec}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], o)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.run != b.run {
			return a.run < b.run
		}
		if a.module != b.module {
			return a.module < b.module
		}
		return a.rec < b.rec
	})
	for _, k := range order {
		rows := groups[k]
		sort.Slice(rows, func(i, j int) bool { return rows[i].pos < rows[j].pos })
		t := byRun[k.run]
		c := Candidate{RunID: k.run, CaseID: t.CaseID, Module: k.module, Rec: k.rec}
		first := rows[0]
		c.Record = model.Record{Module: k.module, Source: origins[first.origin].source}
		if first.t.Valid {
			tm := time.UnixMicro(first.t.Int64).Add(time.Duration(first.tns.Int64)).UTC()
			c.Record.Times = []model.Stamp{{Time: tm}}
		}
		for _, o := range rows {
			v := vals[o.val]
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
			c.Record, c.Kept = full, true
			// Stored values follow the full record's observables.
			byValue := map[string]int{}
			for i, o := range rows {
				byValue[vals[o.val].kind+"\x00"+c.Stored[i]] = i
			}
			stored, codes := make([]string, len(full.Observables)), make([][]int64, len(full.Observables))
			for i, o := range full.Observables {
				stored[i] = o.Value
				if j, ok := byValue[string(o.Kind)+"\x00"+o.Value]; ok {
					codes[i] = c.Codes[j]
				}
			}
			c.Stored, c.Codes = stored, codes
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func keysOf(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// eachRow runs a list query in chunks.
func (s *Store) eachRow(ctx context.Context, q string, ids []int64, fn func(*sql.Rows) error) error {
	const chunk = 20_000
	for i := 0; i < len(ids); i += chunk {
		rows, err := s.db.QueryContext(ctx, q, s.intsArg(ids[i:min(i+chunk, len(ids))]))
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := fn(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
