package casestore

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
)

// huntLock is the PostgreSQL advisory lock id that serialises hunts, so two
// analysts hunting at once do not both record the same indicators as new.
const huntLock = 0x6875656c6c61 // "huella"

// LockHunts holds the hunt lock until the returned function is called (a
// no-op on SQLite, where writers already take turns).
func (s *Store) LockHunts(ctx context.Context) (func(), error) {
	if s.engine != Postgres {
		return func() {}, nil
	}
	c, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock($1)", int64(huntLock)); err != nil {
		c.Close()
		return nil, err
	}
	return func() {
		_, _ = c.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", int64(huntLock))
		c.Close()
	}, nil
}

// BeginHunt records the start of a hunt and returns its id. files describes
// the indicator files used (stored as JSON).
func (s *Store) BeginHunt(ctx context.Context, all bool, files any) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, "INSERT INTO hunts (started, rerun_all, files) VALUES ($1, $2, $3) RETURNING id",
		ts(time.Now()), boolInt(all), jsonText(files)).Scan(&id)
	return id, err
}

// IndicatorID identifies an indicator across feeds and updates: its STIX id
// (a MISP attribute's is "indicator--<uuid>") and its type and value, so a
// new id or a changed value is new.
func IndicatorID(r model.IndicatorRef) string {
	return r.ID + "\x00" + r.Type + "\x00" + r.Value
}

// RegisterIndicators records every indicator of the hunt; those never seen
// before get this hunt as their first. It returns, per IndicatorID, the
// first hunt that used it.
func (s *Store) RegisterIndicators(ctx context.Context, hunt int64, refs []model.IndicatorRef) (map[string]int64, error) {
	t, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.end()
	first := map[string]int64{}
	if s.engine == Postgres {
		n := len(refs)
		ids, types, values, camps, files, digests := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([][]byte, n)
		for i, r := range refs {
			ids[i], types[i], values[i], camps[i], files[i], digests[i] = r.ID, r.Type, r.Value, r.Campaign, r.File, digest(IndicatorID(r))
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO indicators (stix_id, type, value, campaign, file, digest, first_hunt)
			SELECT u.i, u.t, u.v, u.c, u.f, u.d, $7 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[]) AS u(i, t, v, c, f, d)
			ON CONFLICT (digest) DO NOTHING`, ids, types, values, camps, files, digests, hunt); err != nil {
			return nil, err
		}
		rows, err := t.QueryContext(ctx, `SELECT i.stix_id, i.type, i.value, i.first_hunt FROM indicators i
			JOIN unnest($1::bytea[]) AS u(d) ON i.digest = u.d`, digests)
		if err != nil {
			return nil, err
		}
		if err := forRows(rows, func() error {
			var r model.IndicatorRef
			var h int64
			if err := rows.Scan(&r.ID, &r.Type, &r.Value, &h); err != nil {
				return err
			}
			first[IndicatorID(r)] = h
			return nil
		}); err != nil {
			return nil, err
		}
	} else {
		stmts, closeStmts, err := t.prepare(ctx,
			`INSERT INTO indicators (stix_id, type, value, campaign, file, digest, first_hunt) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (digest) DO NOTHING`,
			"SELECT first_hunt FROM indicators WHERE digest = ?")
		if err != nil {
			return nil, err
		}
		defer closeStmts()
		ins, sel := stmts[0], stmts[1]
		for _, r := range refs {
			d := digest(IndicatorID(r))
			if _, err := ins.ExecContext(ctx, r.ID, r.Type, r.Value, r.Campaign, r.File, d, hunt); err != nil {
				return nil, err
			}
			var h int64
			if err := sel.QueryRowContext(ctx, d).Scan(&h); err != nil {
				return nil, err
			}
			first[IndicatorID(r)] = h
		}
	}
	for _, r := range refs {
		if _, ok := first[IndicatorID(r)]; !ok {
			return nil, fmt.Errorf("indicator %s %s=%q was not registered", r.ID, r.Type, r.Value)
		}
	}
	return first, t.commit(ctx)
}

// HuntCase is a case as a hunt sees it: where to look and how it is stored.
type HuntCase struct {
	Case
	Targets []Target
}

// HuntCases lists the cases to hunt in (all when names is empty) with
// their runs.
func (s *Store) HuntCases(ctx context.Context, names []string) ([]HuntCase, error) {
	all, err := s.Cases(ctx)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	runs := map[int64][]int64{}
	rows, err := s.db.QueryContext(ctx, "SELECT case_id, id FROM runs ORDER BY id")
	if err != nil {
		return nil, err
	}
	if err := forRows(rows, func() error {
		var c, r int64
		if err := rows.Scan(&c, &r); err != nil {
			return err
		}
		runs[c] = append(runs[c], r)
		return nil
	}); err != nil {
		return nil, err
	}
	var out []HuntCase
	for _, c := range all {
		if len(names) > 0 && !want[c.Name] {
			continue
		}
		delete(want, c.Name)
		hc := HuntCase{Case: c}
		for _, r := range runs[c.ID] {
			hc.Targets = append(hc.Targets, Target{RunID: r, CaseID: c.ID, Keep: c.KeepRecords})
		}
		out = append(out, hc)
	}
	for n := range want {
		return nil, fmt.Errorf("%w %q in %s", ErrNoCase, n, s.where)
	}
	return out, nil
}

// KnownFindings is the set of FindingKeys a case already has.
func (s *Store) KnownFindings(ctx context.Context, caseID int64) (map[string]bool, error) {
	keys, err := queryColumn[string](ctx, s.db, "SELECT fkey FROM findings WHERE case_id = $1", caseID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out, nil
}

// NewFinding is a finding a hunt found, with the stored form of its value.
type NewFinding struct {
	RunID     int64
	Detection model.Detection
	Stored    string
}

// HuntCaseOutcome is what a hunt did in one case.
type HuntCaseOutcome struct {
	CaseID     int64
	Keep       bool
	HMAC       *HMACKey
	Checked    int // indicators checked
	Candidates int // records the index pointed at
	New        []NewFinding
	Highest    string
	Status     string // "hunted", or why not
	Covered    bool   // the case is now hunted through this hunt
}

// HuntTotals are the hunt's counts.
type HuntTotals struct {
	Indicators, NewIndicators, Cases, NewFindings int
}

// FinishHunt stores the hunt's new findings and outcome per case, moves
// each covered case's hunted_through to this hunt, and closes the hunt, in
// one transaction.
func (s *Store) FinishHunt(ctx context.Context, hunt int64, outcomes []HuntCaseOutcome, totals HuntTotals) error {
	t, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer t.end()
	greatest := "MAX"
	if s.engine == Postgres {
		greatest = "GREATEST"
	}
	var covered []int64
	n := len(outcomes)
	cases, checked, cands, news := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	highest, status := make([]string, n), make([]string, n)
	for i, o := range outcomes {
		for _, f := range o.New {
			if _, err := s.insertFinding(ctx, t, o.CaseID, f.RunID, &hunt, f.Detection, o.Keep, o.HMAC, f.Stored); err != nil {
				return err
			}
		}
		cases[i], checked[i], cands[i], news[i], highest[i], status[i] = o.CaseID, int64(o.Checked), int64(o.Candidates), int64(len(o.New)), o.Highest, o.Status
		if o.Covered {
			covered = append(covered, o.CaseID)
		}
	}
	// One statement for all cases where the engine allows it: a hunt covers
	// a thousand cases, and each round trip to a server counts.
	if s.engine == Postgres {
		if _, err := t.ExecContext(ctx, `INSERT INTO hunt_cases (hunt_id, case_id, indicators_checked, candidates, new_findings, highest, status)
			SELECT $1, u.c, u.k, u.n, u.f, u.h, u.s FROM unnest($2::bigint[], $3::int[], $4::int[], $5::int[], $6::text[], $7::text[]) AS u(c, k, n, f, h, s)`,
			hunt, cases, checked, cands, news, highest, status); err != nil {
			return err
		}
	} else {
		ins, err := t.PrepareContext(ctx, "INSERT INTO hunt_cases (hunt_id, case_id, indicators_checked, candidates, new_findings, highest, status) VALUES (?, ?, ?, ?, ?, ?, ?)")
		if err != nil {
			return err
		}
		defer ins.Close()
		for i := range cases {
			if _, err := ins.ExecContext(ctx, hunt, cases[i], checked[i], cands[i], news[i], highest[i], status[i]); err != nil {
				return err
			}
		}
	}
	if _, err := t.ExecContext(ctx, "UPDATE cases SET hunted_through = "+greatest+"(hunted_through, $1) WHERE "+s.ints("id", 2), hunt, s.intsArg(covered)); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `UPDATE hunts SET finished = $1, indicators = $2, new_indicators = $3, cases = $4, new_findings = $5 WHERE id = $6`,
		ts(time.Now()), totals.Indicators, totals.NewIndicators, totals.Cases, totals.NewFindings, hunt); err != nil {
		return err
	}
	return t.commit(ctx)
}
