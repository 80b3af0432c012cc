package casestore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/urlx"
)

// RunInput is one check to store in a case.
type RunInput struct {
	Case        string
	KeepRecords bool     // keep whole records (message texts included); off by default
	HMAC        *HMACKey // store values as HMACs with this key; nil stores them as observed
	ResultsDir  string
	Info        results.Info
	Detections  []model.Detection
	// Records yields every record of the run with its ordinal in its
	// <module>.json, module file after module file.
	Records func(yield func(ordinal int, r *model.Record) error) error
}

// AddResult says what was stored.
type AddResult struct {
	CaseID, RunID              int64
	NewCase                    bool
	Records, Observations      int64
	Values, NewValues          int64
	Findings                   int
	SkippedEmpty, SkippedLarge int64
}

// ErrRunExists is returned when the same run is already in the case.
var ErrRunExists = errors.New("this run is already stored in the case")

// MaxValueLen bounds one stored value: the longest link the matcher reads
// (urlx.MaxLen). Longer observables (a data: URL, a pasted blob) cannot
// match an indicator; they are counted and skipped.
const MaxValueLen = urlx.MaxLen

// digest identifies a value in the unique index of vals.
func digest(v string) []byte {
	d := sha256.Sum256([]byte(v))
	return d[:16]
}

// defaultFlushEvery bounds the observations held in memory while loading
// (Store.flushEvery; a test crosses many flushes with a small run by
// lowering its own store's).
const defaultFlushEvery = 50_000

// AddResults stores the results folder dir (written by huella check).
func (s *Store) AddResults(ctx context.Context, dir string, in RunInput) (AddResult, error) {
	info, dets, err := results.ReadRun(dir)
	if err != nil {
		return AddResult{}, err
	}
	// The modules info.json lists, as check-iocs replays them: any other
	// .json a folder may hold is not huella's.
	var files []string
	for _, m := range info.Modules {
		p := results.ModulePath(dir, m.Name)
		if m.Name == "info" || m.Name == "detections" || m.Name == "recheck" {
			continue
		}
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			continue
		}
		files = append(files, p)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	in.ResultsDir, in.Info, in.Detections = dir, info, dets.Detections
	in.Records = func(yield func(int, *model.Record) error) error {
		for _, f := range files {
			n := 0
			if _, err := results.ReadModuleRecords(f, func(r model.Record) error {
				err := yield(n, &r)
				n++
				return err
			}); err != nil {
				return err
			}
		}
		return nil
	}
	return s.AddRun(ctx, in)
}

// runKey identifies a run across attempts to add it: when it started, what
// it read, and with what.
func runKey(info results.Info) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", info.Started.UTC().Format(time.RFC3339Nano), info.Evidence.Kind, info.Evidence.Path)
	for _, in := range info.Inputs {
		fmt.Fprintf(h, "%s\x00%s\x00", in.Path, in.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// AddRun stores one run in its case (created when new), in one transaction.
func (s *Store) AddRun(ctx context.Context, in RunInput) (AddResult, error) {
	res, err := s.AddRuns(ctx, []RunInput{in})
	if err != nil {
		return AddResult{}, err
	}
	return res[0], nil
}

// AddRuns stores several runs in one transaction, all or none. Bulk loads
// use it: index pages that many runs touch are then written once per batch
// rather than once per run.
func (s *Store) AddRuns(ctx context.Context, ins []RunInput) ([]AddResult, error) {
	t, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.end()
	out := make([]AddResult, 0, len(ins))
	known := map[[2]string]int64{} // values resolved in this transaction
	for _, in := range ins {
		res, err := s.addRun(ctx, t, in, known)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, t.commit(ctx)
}

// BulkCache sets the SQLite page cache (MiB) for a bulk load, so the dirty
// index pages of a batch stay in memory until its commit. No-op on
// PostgreSQL, whose buffers are the server's.
func (s *Store) BulkCache(ctx context.Context, mib int) error {
	if s.engine != SQLite {
		return nil
	}
	_, err := s.db.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", mib*1024))
	return err
}

func (s *Store) addRun(ctx context.Context, t *session, in RunInput, known map[[2]string]int64) (res AddResult, err error) {
	if strings.TrimSpace(in.Case) == "" {
		return res, errors.New("a case needs a name (--case NAME)")
	}
	if in.KeepRecords && in.HMAC != nil {
		return res, errors.New("--keep-records and --hmac-key-file cannot be combined: kept records would hold the values the HMACs hide")
	}
	if len(in.Case) > 200 {
		return res, errors.New("case names are at most 200 bytes")
	}
	keyID := ""
	if in.HMAC != nil {
		keyID = in.HMAC.ID
	}
	var keep int
	var hmacID string
	err = t.QueryRowContext(ctx, "SELECT id, keep_records, hmac_key_id FROM cases WHERE name = $1", in.Case).Scan(&res.CaseID, &keep, &hmacID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res.NewCase = true
		err = t.QueryRowContext(ctx, "INSERT INTO cases (name, created, keep_records, hmac_key_id) VALUES ($1, $2, $3, $4) RETURNING id",
			in.Case, ts(time.Now()), boolInt(in.KeepRecords), keyID).Scan(&res.CaseID)
		if err != nil {
			return res, err
		}
	case err != nil:
		return res, err
	default:
		if hmacID != keyID {
			return res, fmt.Errorf("case %q is stored %s; add this run the same way", in.Case, hmacWords(hmacID))
		}
		if (keep == 1) != in.KeepRecords {
			return res, fmt.Errorf("case %q was stored %s --keep-records; add this run the same way", in.Case, map[bool]string{true: "with", false: "without"}[keep == 1])
		}
	}
	info := in.Info
	rk := runKey(info)
	var dup int64
	if err := t.QueryRowContext(ctx, "SELECT COUNT(*) FROM runs WHERE case_id = $1 AND run_key = $2", res.CaseID, rk).Scan(&dup); err != nil {
		return res, err
	}
	if dup > 0 {
		return res, fmt.Errorf("case %q: %w (results of %s started %s)", in.Case, ErrRunExists, info.Evidence.Path, info.Started.UTC().Format(time.RFC3339))
	}
	err = t.QueryRowContext(ctx, `INSERT INTO runs (case_id, run_key, added, results_dir, tool_version, tool_commit, command, started, finished,
		evidence_kind, evidence_path, device, indicators, modules, summary, records, observations)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, 0) RETURNING id`,
		res.CaseID, rk, ts(time.Now()), in.ResultsDir, info.Tool.Version, info.Tool.Commit, jsonText(info.Command),
		ts(info.Started), ts(info.Finished), string(info.Evidence.Kind), info.Evidence.Path, jsonText(info.Evidence.Device),
		jsonText(info.Indicators), jsonText(info.Modules), jsonText(info.Summary)).Scan(&res.RunID)
	if err != nil {
		return res, err
	}
	for _, f := range info.Inputs {
		if _, err := t.ExecContext(ctx, "INSERT INTO inputs (run_id, path, size, sha256) VALUES ($1, $2, $3, $4)", res.RunID, f.Path, f.Size, f.SHA256); err != nil {
			return res, err
		}
	}
	l := &loader{t: t, runID: res.RunID, keyer: keyer{key: in.HMAC}, keep: in.KeepRecords, flushEvery: s.flushEvery,
		origins: map[[3]string]int64{}, seenVals: map[int64]struct{}{}, known: known, res: &res}
	if in.Records != nil {
		if err := in.Records(func(ord int, r *model.Record) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return l.record(ctx, ord, r)
		}); err != nil {
			return res, err
		}
	}
	if err := l.flush(ctx); err != nil {
		return res, err
	}
	res.Values = int64(len(l.seenVals))
	for _, d := range in.Detections {
		ok, err := s.insertFinding(ctx, t, res.CaseID, res.RunID, nil, d, in.KeepRecords, in.HMAC, observedValue(d, in.HMAC))
		if err != nil {
			return res, err
		}
		if ok {
			res.Findings++
		}
	}
	if _, err := t.ExecContext(ctx, "UPDATE runs SET records = $1, observations = $2 WHERE id = $3", res.Records, res.Observations, res.RunID); err != nil {
		return res, err
	}
	return res, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func hmacWords(id string) string {
	if id == "" {
		return "with plain values"
	}
	return "as HMACs with key " + id
}

// pendingObs is one observation waiting for its value's id.
type pendingObs struct {
	val            int   // index into loader.vals, or -1 when id is known
	id             int64 // the value's id when val is -1
	origin         int64
	rec, pos       int64
	t              sql.NullInt64
	tns            sql.NullInt64
	module, source string
}

type pendingVal struct {
	kind, value string
	codes       []int64
	id          int64
}

type loader struct {
	flushEvery int // see Store.flushEvery
	t          *session
	runID      int64
	keyer      keyer
	keep       bool
	origins    map[[3]string]int64
	seenVals   map[int64]struct{} // values this run already links to (run_vals)
	res        *AddResult

	vals    []pendingVal
	valIdx  map[[2]string]int   // (kind, stored value) → index in vals
	rawIdx  map[[2]string]int   // (kind, value as observed) → index in vals
	known   map[[2]string]int64 // (kind, value as observed) → id, for the whole transaction
	obs     []pendingObs
	records [][]any
}

// maxKnown bounds the loader's memory of values already resolved in this
// transaction (a repeated value then costs a map lookup, not a key
// computation and an index search). Ids stay valid: within the transaction
// no value is deleted.
const maxKnown = 2_000_000

func (l *loader) valueID(o pendingObs) int64 {
	if o.val < 0 {
		return o.id
	}
	return l.vals[o.val].id
}

func (l *loader) origin(ctx context.Context, module, source, field string) (int64, error) {
	k := [3]string{module, source, field}
	if id, ok := l.origins[k]; ok {
		return id, nil
	}
	var id int64
	err := l.t.QueryRowContext(ctx, "INSERT INTO origins (run_id, module, source, field) VALUES ($1, $2, $3, $4) RETURNING id",
		l.runID, module, source, field).Scan(&id)
	if err != nil {
		return 0, err
	}
	l.origins[k] = id
	return id, nil
}

func (l *loader) record(ctx context.Context, ord int, r *model.Record) error {
	l.res.Records++
	var tt, tns sql.NullInt64
	if ft := r.FirstTime(); ft != nil {
		tt = sql.NullInt64{Int64: ft.UnixMicro(), Valid: true}
		tns = sql.NullInt64{Int64: int64(ft.Nanosecond() % 1000), Valid: true}
	}
	stored := false
	for pos, o := range r.Observables {
		if o.Value == "" {
			l.res.SkippedEmpty++
			continue
		}
		if len(o.Value) > MaxValueLen {
			l.res.SkippedLarge++
			continue
		}
		oid, err := l.origin(ctx, r.Module, r.Source, o.Field)
		if err != nil {
			return err
		}
		po := pendingObs{origin: oid, rec: int64(ord), pos: int64(pos), t: tt, tns: tns}
		raw := [2]string{string(o.Kind), o.Value}
		if id, ok := l.known[raw]; ok {
			po.val, po.id = -1, id
		} else if vi, ok := l.rawIdx[raw]; ok {
			po.val = vi
		} else {
			if l.valIdx == nil {
				l.valIdx, l.rawIdx = map[[2]string]int{}, map[[2]string]int{}
			}
			keys := indicators.ObservableKeys(o)
			vk := [2]string{string(o.Kind), l.keyer.storedValue(o, keys)}
			vi, ok := l.valIdx[vk]
			if !ok {
				vi = len(l.vals)
				l.valIdx[vk] = vi
				l.vals = append(l.vals, pendingVal{kind: vk[0], value: vk[1], codes: dedupCodes(l.keyer.observableCodes(keys))})
			}
			l.rawIdx[raw] = vi
			po.val = vi
		}
		l.obs = append(l.obs, po)
		l.res.Observations++
		stored = true
	}
	if l.keep && stored {
		l.records = append(l.records, []any{l.runID, r.Module, int64(ord), jsonText(r)})
	}
	if len(l.obs) >= l.flushEvery {
		return l.flush(ctx)
	}
	return nil
}

func dedupCodes(cs []int64) []int64 {
	sort.Slice(cs, func(i, j int) bool { return cs[i] < cs[j] })
	out := cs[:0]
	for i, c := range cs {
		if i == 0 || c != cs[i-1] {
			out = append(out, c)
		}
	}
	return out
}

// flush resolves the pending values to ids (inserting new ones with their
// keys), links them to the run and writes the observations.
func (l *loader) flush(ctx context.Context) error {
	if len(l.vals) == 0 && len(l.records) == 0 && len(l.obs) == 0 {
		return nil
	}
	var err error
	if l.t.s.engine == Postgres {
		err = l.flushPostgres(ctx)
	} else {
		err = l.flushSQLite(ctx)
	}
	if err != nil {
		return err
	}
	if len(l.known) > maxKnown {
		clear(l.known)
	}
	for raw, vi := range l.rawIdx {
		l.known[raw] = l.vals[vi].id
	}
	l.vals, l.valIdx, l.rawIdx, l.obs, l.records = l.vals[:0], nil, nil, l.obs[:0], l.records[:0]
	return nil
}

func (l *loader) flushSQLite(ctx context.Context) error {
	t := l.t
	stmts, closeStmts, err := t.prepare(ctx,
		"SELECT id FROM vals WHERE kind = ? AND digest = ?",
		"INSERT INTO vals (kind, value, digest, keys) VALUES (?, ?, ?, ?) RETURNING id",
		"INSERT OR IGNORE INTO val_keys (k, val_id) VALUES (?, ?)",
		"INSERT OR IGNORE INTO run_vals (val_id, run_id) VALUES (?, ?)")
	if err != nil {
		return err
	}
	defer closeStmts()
	sel, ins, key, link := stmts[0], stmts[1], stmts[2], stmts[3]
	for i := range l.vals {
		v := &l.vals[i]
		d := digest(v.value)
		err := sel.QueryRowContext(ctx, v.kind, d).Scan(&v.id)
		if errors.Is(err, sql.ErrNoRows) {
			if err := ins.QueryRowContext(ctx, v.kind, v.value, d, packCodes(v.codes)).Scan(&v.id); err != nil {
				return err
			}
			l.res.NewValues++
			for _, c := range v.codes {
				if _, err := key.ExecContext(ctx, c, v.id); err != nil {
					return err
				}
			}
		} else if err != nil {
			return err
		}
		if _, ok := l.seenVals[v.id]; !ok {
			l.seenVals[v.id] = struct{}{}
			if _, err := link.ExecContext(ctx, v.id, l.runID); err != nil {
				return err
			}
		}
	}
	for _, o := range l.obs {
		if o.val < 0 {
			if _, ok := l.seenVals[o.id]; !ok {
				l.seenVals[o.id] = struct{}{}
				if _, err := link.ExecContext(ctx, o.id, l.runID); err != nil {
					return err
				}
			}
		}
	}
	// Observations go in many rows per statement: the pure-Go driver's cost
	// is per statement more than per row. Anonymous "?" parameters: the
	// driver looks every numbered "$n" up by name, which is quadratic in
	// the parameters of a statement.
	const perStmt = 128
	var stmt *sql.Stmt
	for i := 0; i < len(l.obs); i += perStmt {
		n := min(perStmt, len(l.obs)-i)
		if stmt == nil || n != perStmt {
			if stmt != nil {
				stmt.Close()
			}
			stmt, err = t.PrepareContext(ctx, "INSERT INTO obs (run_id, val_id, origin_id, rec, pos, t, t_ns) VALUES "+sqlitePlaceholders(n, 7))
			if err != nil {
				return err
			}
		}
		args := make([]any, 0, n*7)
		for _, o := range l.obs[i : i+n] {
			args = append(args, l.runID, l.valueID(o), o.origin, o.rec, o.pos, o.t, o.tns)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			stmt.Close()
			return err
		}
	}
	if stmt != nil {
		stmt.Close()
	}
	for _, r := range l.records {
		if _, err := t.ExecContext(ctx, "INSERT INTO records (run_id, module, rec, body) VALUES (?, ?, ?, ?)", r...); err != nil {
			return err
		}
	}
	return nil
}

// sqlitePlaceholders writes n rows of k "?" parameters.
func sqlitePlaceholders(n, k int) string {
	row := "(" + strings.Repeat("?,", k-1) + "?)"
	return strings.Repeat(row+",", n-1) + row
}

func (l *loader) flushPostgres(ctx context.Context) error {
	t := l.t
	kinds := make([]string, len(l.vals))
	digests := make([][]byte, len(l.vals))
	idx := make([]int32, len(l.vals))
	for i, v := range l.vals {
		kinds[i], digests[i], idx[i] = v.kind, digest(v.value), int32(i)
	}
	resolve := func() error {
		rows, err := t.QueryContext(ctx, `SELECT v.id, u.i FROM unnest($1::text[], $2::bytea[], $3::int[]) AS u(kind, digest, i)
			JOIN vals v ON v.kind = u.kind AND v.digest = u.digest`, kinds, digests, idx)
		if err != nil {
			return err
		}
		return forRows(rows, func() error {
			var id int64
			var i int32
			if err := rows.Scan(&id, &i); err != nil {
				return err
			}
			l.vals[i].id = id
			return nil
		})
	}
	if err := resolve(); err != nil {
		return err
	}
	var nk, nv []string
	var nd, nc [][]byte
	for i, v := range l.vals {
		if v.id == 0 {
			nk, nv, nd, nc = append(nk, v.kind), append(nv, v.value), append(nd, digests[i]), append(nc, packCodes(v.codes))
		}
	}
	if len(nk) > 0 {
		// ON CONFLICT: another analyst's transaction may add the same value
		// at the same time; the one that wins writes its keys.
		rows, err := t.QueryContext(ctx, `INSERT INTO vals (kind, value, digest, keys) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[])
			ON CONFLICT (kind, digest) DO NOTHING RETURNING id, keys`, nk, nv, nd, nc)
		if err != nil {
			return err
		}
		var keyRows [][]any
		if err := forRows(rows, func() error {
			var id int64
			var packed []byte
			if err := rows.Scan(&id, &packed); err != nil {
				return err
			}
			l.res.NewValues++
			for _, c := range unpackCodes(packed) {
				keyRows = append(keyRows, []any{c, int32(id)})
			}
			return nil
		}); err != nil {
			return err
		}
		if err := t.copyFrom(ctx, "val_keys", []string{"k", "val_id"}, keyRows); err != nil {
			return err
		}
		if err := resolve(); err != nil {
			return err
		}
	}
	var links [][]any
	for _, v := range l.vals {
		if v.id == 0 {
			return fmt.Errorf("value %q (%s) has no id after insertion", v.value, v.kind)
		}
		if _, ok := l.seenVals[v.id]; !ok {
			l.seenVals[v.id] = struct{}{}
			links = append(links, []any{int32(v.id), int32(l.runID)})
		}
	}
	for _, o := range l.obs {
		if o.val < 0 {
			if _, ok := l.seenVals[o.id]; !ok {
				l.seenVals[o.id] = struct{}{}
				links = append(links, []any{int32(o.id), int32(l.runID)})
			}
		}
	}
	if err := t.copyFrom(ctx, "run_vals", []string{"val_id", "run_id"}, links); err != nil {
		return err
	}
	obs := make([][]any, len(l.obs))
	for i, o := range l.obs {
		var tt, tns any
		if o.t.Valid {
			tt, tns = o.t.Int64, int16(o.tns.Int64)
		}
		obs[i] = []any{tt, int32(l.runID), int32(l.valueID(o)), int32(o.origin), int32(o.rec), int32(o.pos), tns}
	}
	if err := t.copyFrom(ctx, "obs", []string{"t", "run_id", "val_id", "origin_id", "rec", "pos", "t_ns"}, obs); err != nil {
		return err
	}
	for i := range l.records {
		l.records[i][0] = int32(l.runID)
		l.records[i][2] = int32(l.records[i][2].(int64))
	}
	return t.copyFrom(ctx, "records", []string{"run_id", "module", "rec", "body"}, l.records)
}
