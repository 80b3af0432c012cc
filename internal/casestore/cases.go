package casestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
)

// Case is a stored case with its totals.
type Case struct {
	ID            int64     `json:"-"`
	Name          string    `json:"name"`
	Created       time.Time `json:"created"`
	KeepRecords   bool      `json:"keep_records"`
	HMACKeyID     string    `json:"hmac_key_id,omitempty"`
	HuntedThrough int64     `json:"hunted_through"` // last hunt that covered it; 0 never
	Runs          int       `json:"runs"`
	Records       int64     `json:"records"`
	Observations  int64     `json:"observations"`
	Findings      int       `json:"findings"`
	Highest       string    `json:"highest,omitempty"`
	Device        string    `json:"device,omitempty"` // of the latest run
}

// Run is one stored check.
type Run struct {
	ID           int64                `json:"-"`
	Added        time.Time            `json:"added"`
	ResultsDir   string               `json:"results_dir"`
	Tool         results.Tool         `json:"tool"`
	Command      []string             `json:"command"`
	Started      time.Time            `json:"started"`
	Finished     time.Time            `json:"finished"`
	Evidence     results.EvidenceInfo `json:"evidence"`
	Inputs       []source.InputFile   `json:"inputs"`
	Indicators   results.Indicators   `json:"indicators"`
	Modules      []results.ModuleInfo `json:"modules"`
	Summary      results.Summary      `json:"summary"`
	Records      int64                `json:"records"`
	Observations int64                `json:"observations"`
}

// CaseDetail is everything `case show` prints.
type CaseDetail struct {
	Case
	RunList  []Run            `json:"run_list"`
	Findings []Finding        `json:"findings"`
	Hunts    []CaseHunt       `json:"hunts"`
	Values   map[string]int64 `json:"values_by_kind"`
}

// CaseHunt is one hunt's outcome for a case.
type CaseHunt struct {
	Hunt        int64     `json:"hunt"`
	Started     time.Time `json:"started"`
	Checked     int       `json:"indicators_checked"`
	Candidates  int       `json:"candidates"`
	NewFindings int       `json:"new_findings"`
	Highest     string    `json:"highest,omitempty"`
	Status      string    `json:"status"`
}

// ErrNoCase is returned for a case name the store does not hold.
var ErrNoCase = errors.New("no such case")

func parseTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// Cases lists every case, by name.
func (s *Store) Cases(ctx context.Context) ([]Case, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.name, c.created, c.keep_records, c.hmac_key_id, c.hunted_through,
		(SELECT COUNT(*) FROM runs r WHERE r.case_id = c.id),
		(SELECT COALESCE(SUM(r.records), 0) FROM runs r WHERE r.case_id = c.id),
		(SELECT COALESCE(SUM(r.observations), 0) FROM runs r WHERE r.case_id = c.id),
		(SELECT COUNT(*) FROM findings f WHERE f.case_id = c.id),
		(SELECT COALESCE(MAX(f.severity), -1) FROM findings f WHERE f.case_id = c.id),
		COALESCE((SELECT r.device FROM runs r WHERE r.case_id = c.id ORDER BY r.id DESC LIMIT 1), '')
		FROM cases c ORDER BY c.name`)
	if err != nil {
		return nil, err
	}
	var out []Case
	if err := forRows(rows, func() error {
		var c Case
		var created, device string
		var keep, highest int
		if err := rows.Scan(&c.ID, &c.Name, &created, &keep, &c.HMACKeyID, &c.HuntedThrough, &c.Runs, &c.Records, &c.Observations,
			&c.Findings, &highest, &device); err != nil {
			return err
		}
		c.Created, c.KeepRecords = parseTS(created), keep == 1
		if highest >= 0 {
			c.Highest = severityName(highest)
		}
		c.Device = deviceText(device)
		out = append(out, c)
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}

func deviceText(js string) string {
	var d source.Device
	if json.Unmarshal([]byte(js), &d) != nil {
		return ""
	}
	s := ""
	for _, p := range []string{d.Name, d.Model, d.OSVersion} {
		if p == "" {
			continue
		}
		if s != "" {
			s += ", "
		}
		s += p
	}
	return s
}

// Case finds one case by name.
func (s *Store) Case(ctx context.Context, name string) (Case, error) {
	cs, err := s.Cases(ctx)
	if err != nil {
		return Case{}, err
	}
	for _, c := range cs {
		if c.Name == name {
			return c, nil
		}
	}
	return Case{}, fmt.Errorf("%w %q in %s", ErrNoCase, name, s.where)
}

// Detail reads everything stored about a case except its observations.
func (s *Store) Detail(ctx context.Context, name string) (CaseDetail, error) {
	c, err := s.Case(ctx, name)
	if err != nil {
		return CaseDetail{}, err
	}
	d := CaseDetail{Case: c, Values: map[string]int64{}}
	if d.RunList, err = s.runs(ctx, c.ID); err != nil {
		return d, err
	}
	if d.Findings, err = s.Findings(ctx, c.ID); err != nil {
		return d, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT h.id, h.started, hc.indicators_checked, hc.candidates, hc.new_findings, hc.highest, hc.status
		FROM hunt_cases hc JOIN hunts h ON h.id = hc.hunt_id WHERE hc.case_id = $1 ORDER BY h.id`, c.ID)
	if err != nil {
		return d, err
	}
	if err := forRows(rows, func() error {
		var h CaseHunt
		var started string
		if err := rows.Scan(&h.Hunt, &started, &h.Checked, &h.Candidates, &h.NewFindings, &h.Highest, &h.Status); err != nil {
			return err
		}
		h.Started = parseTS(started)
		d.Hunts = append(d.Hunts, h)
		return nil
	}); err != nil {
		return d, err
	}
	// From the observations (indexed by run), not run_vals (keyed by value).
	rows, err = s.db.QueryContext(ctx, `SELECT v.kind, COUNT(*) FROM vals v WHERE v.id IN
		(SELECT DISTINCT o.val_id FROM obs o JOIN runs r ON r.id = o.run_id WHERE r.case_id = $1) GROUP BY v.kind`, c.ID)
	if err != nil {
		return d, err
	}
	return d, forRows(rows, func() error {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		d.Values[k] = n
		return nil
	})
}

func (s *Store) runs(ctx context.Context, caseID int64) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, added, results_dir, tool_version, tool_commit, command, started, finished,
		evidence_kind, evidence_path, device, indicators, modules, summary, records, observations FROM runs WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	var out []Run
	if err := forRows(rows, func() error {
		var r Run
		var added, command, started, finished, kind, device, ind, mods, sum string
		if err := rows.Scan(&r.ID, &added, &r.ResultsDir, &r.Tool.Version, &r.Tool.Commit, &command, &started, &finished,
			&kind, &r.Evidence.Path, &device, &ind, &mods, &sum, &r.Records, &r.Observations); err != nil {
			return err
		}
		r.Tool.Name = "huella"
		r.Added, r.Started, r.Finished = parseTS(added), parseTS(started), parseTS(finished)
		r.Evidence.Kind = source.Kind(kind)
		for _, x := range []struct {
			js string
			v  any
		}{{command, &r.Command}, {device, &r.Evidence.Device}, {ind, &r.Indicators}, {mods, &r.Modules}, {sum, &r.Summary}} {
			if err := json.Unmarshal([]byte(x.js), x.v); err != nil {
				return fmt.Errorf("stored run %d: %w", r.ID, err)
			}
		}
		out = append(out, r)
		return nil
	}); err != nil {
		return nil, err
	}
	for i := range out {
		in, err := s.db.QueryContext(ctx, "SELECT path, size, sha256 FROM inputs WHERE run_id = $1 ORDER BY path", out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Inputs = []source.InputFile{}
		if err := forRows(in, func() error {
			var f source.InputFile
			if err := in.Scan(&f.Path, &f.Size, &f.SHA256); err != nil {
				return err
			}
			out[i].Inputs = append(out[i].Inputs, f)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Remove deletes a case and every row that came from it: runs, inputs,
// origins, observations, kept records, findings, hunt outcomes, and the
// values (with their keys) no other case observed. On SQLite, secure_delete
// has zeroed the freed space; the file is then rebuilt (VACUUM: time and
// free disk in proportion to the store's size) and the write-ahead log
// emptied, so nothing of the case survives in either. On PostgreSQL the rows
// are deleted; reclaiming the server's own files (dead tuples until VACUUM,
// WAL segments, backups) is the database administrator's task.
func (s *Store) Remove(ctx context.Context, name string) error {
	t, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer t.end()
	var caseID int64
	if err := t.QueryRowContext(ctx, "SELECT id FROM cases WHERE name = $1", name).Scan(&caseID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w %q in %s", ErrNoCase, name, s.where)
		}
		return err
	}
	runIDs, err := queryInts(ctx, t, "SELECT id FROM runs WHERE case_id = $1", caseID)
	if err != nil {
		return err
	}
	for _, run := range runIDs {
		// The run's values, read from its observations (keyed by run).
		vals, err := queryInts(ctx, t, "SELECT DISTINCT val_id FROM obs WHERE run_id = $1", run)
		if err != nil {
			return err
		}
		for _, q := range []string{"DELETE FROM obs WHERE run_id = $1", "DELETE FROM records WHERE run_id = $1",
			"DELETE FROM origins WHERE run_id = $1", "DELETE FROM inputs WHERE run_id = $1"} {
			if _, err := t.ExecContext(ctx, q, run); err != nil {
				return err
			}
		}
		if err := s.unlinkValues(ctx, t, run, vals); err != nil {
			return err
		}
	}
	for _, q := range []string{"DELETE FROM findings WHERE case_id = $1", "DELETE FROM hunt_cases WHERE case_id = $1",
		"DELETE FROM runs WHERE case_id = $1", "DELETE FROM cases WHERE id = $1"} {
		if _, err := t.ExecContext(ctx, q, caseID); err != nil {
			return err
		}
	}
	if err := t.commit(ctx); err != nil {
		return err
	}
	if s.engine == SQLite {
		// Interior pages of the B-trees keep copies of keys as dividers
		// (values, case names, key codes), which deleting the rows does not
		// touch; rebuilding the file is the only way to drop them. Then the
		// write-ahead log, which held the old pages, is emptied.
		_, err := s.db.ExecContext(ctx, "PRAGMA temp_store = FILE")
		if err == nil {
			_, err = s.db.ExecContext(ctx, "VACUUM")
		}
		_, _ = s.db.ExecContext(ctx, "PRAGMA temp_store = MEMORY")
		if err != nil {
			return fmt.Errorf("case removed, but the store file could not be rebuilt (VACUUM): %w", err)
		}
		if _, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return fmt.Errorf("case removed, but the write-ahead log could not be emptied: %w", err)
		}
	}
	return nil
}

// unlinkValues drops the run's links to its values, then the values no run
// links to any more, with their keys.
func (s *Store) unlinkValues(ctx context.Context, t *session, run int64, vals []int64) error {
	if s.engine == Postgres {
		return unlinkValuesPostgres(ctx, t, run, vals)
	}
	stmts, closeStmts, err := t.prepare(ctx,
		"DELETE FROM run_vals WHERE val_id = $1 AND run_id = $2",
		"SELECT COUNT(*) FROM (SELECT 1 FROM run_vals WHERE val_id = $1 LIMIT 1) x",
		"SELECT keys FROM vals WHERE id = $1",
		"DELETE FROM val_keys WHERE k = $1 AND val_id = $2",
		"DELETE FROM vals WHERE id = $1")
	if err != nil {
		return err
	}
	defer closeStmts()
	unlink, used, keysOf, delKey, delVal := stmts[0], stmts[1], stmts[2], stmts[3], stmts[4]
	for _, v := range vals {
		if _, err := unlink.ExecContext(ctx, v, run); err != nil {
			return err
		}
		var n int
		if err := used.QueryRowContext(ctx, v).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		var packed []byte
		if err := keysOf.QueryRowContext(ctx, v).Scan(&packed); err != nil {
			return err
		}
		for _, c := range unpackCodes(packed) {
			if _, err := delKey.ExecContext(ctx, c, v); err != nil {
				return err
			}
		}
		if _, err := delVal.ExecContext(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

// unlinkValuesPostgres does the same in a few set statements: a round trip
// per value would cost minutes for a large case.
func unlinkValuesPostgres(ctx context.Context, t *session, run int64, vals []int64) error {
	if _, err := t.ExecContext(ctx, "DELETE FROM run_vals WHERE run_id = $1 AND val_id = ANY($2::int[])", run, vals); err != nil {
		return err
	}
	rows, err := t.QueryContext(ctx, `SELECT v.id, v.keys FROM vals v WHERE v.id = ANY($1::int[])
		AND NOT EXISTS (SELECT 1 FROM run_vals rv WHERE rv.val_id = v.id)`, vals)
	if err != nil {
		return err
	}
	var orphans, keyVals, keyCodes []int64
	if err := forRows(rows, func() error {
		var id int64
		var packed []byte
		if err := rows.Scan(&id, &packed); err != nil {
			return err
		}
		orphans = append(orphans, id)
		for _, c := range unpackCodes(packed) {
			keyCodes, keyVals = append(keyCodes, c), append(keyVals, id)
		}
		return nil
	}); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM val_keys vk USING unnest($1::bigint[], $2::int[]) AS d(k, val_id)
		WHERE vk.k = d.k AND vk.val_id = d.val_id`, keyCodes, keyVals); err != nil {
		return err
	}
	_, err = t.ExecContext(ctx, "DELETE FROM vals WHERE id = ANY($1::int[])", orphans)
	return err
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// queryColumn is the one column a query returns, in its order.
func queryColumn[T any](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []T
	err = forRows(rows, func() error {
		var v T
		if err := rows.Scan(&v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

func queryInts(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	return queryColumn[int64](ctx, q, query, args...)
}

func severityName(i int) string { return model.Severity(i).String() }

// EachValue calls fn with every distinct value a case observed (kind and
// stored value: as observed, or its HMAC), run after run.
func (s *Store) EachValue(ctx context.Context, caseID int64, fn func(kind, value string) error) error {
	runs, err := queryInts(ctx, s.db, "SELECT id FROM runs WHERE case_id = $1 ORDER BY id", caseID)
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, run := range runs {
		rows, err := s.db.QueryContext(ctx, "SELECT v.id, v.kind, v.value FROM vals v WHERE v.id IN (SELECT DISTINCT val_id FROM obs WHERE run_id = $1) ORDER BY v.id", run)
		if err != nil {
			return err
		}
		type kv struct{ k, v string }
		var batch []kv
		if err := forRows(rows, func() error {
			var id int64
			var x kv
			if err := rows.Scan(&id, &x.k, &x.v); err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				batch = append(batch, x)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, x := range batch {
			if err := fn(x.k, x.v); err != nil {
				return err
			}
		}
	}
	return nil
}

// SharedForm is the form of a stored value that helplines holding key
// compare: the stored HMAC when the case was stored with that key, else the
// HMAC of the value. ok is false for a value stored under another key.
func SharedForm(key *HMACKey, kind, stored string) (string, bool) {
	if IsHMACValue(stored) {
		return stored, strings.HasPrefix(stored, "hmac:"+key.ID+":")
	}
	o := model.Observable{Kind: model.Kind(kind), Value: stored}
	return key.ValueHMAC(o.Kind, canonical(o, indicators.ObservableKeys(o))), true
}
