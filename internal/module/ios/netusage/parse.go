package netusage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Usage is one row: a live-usage sample with its process, a process that
// never had live usage, or a placeholder for deleted process rows.
type Usage struct {
	DB            string    `json:"db"`
	ProcessID     int64     `json:"process_id,omitempty"` // ZPROCESS.Z_PK
	ProcessName   string    `json:"process_name,omitempty"`
	BundleID      string    `json:"bundle_id,omitempty"`
	FirstSeen     time.Time `json:"first_seen,omitzero"`
	LastSeen      time.Time `json:"last_seen,omitzero"`
	LiveID        int64     `json:"live_id,omitempty"`         // ZLIVEUSAGE.Z_PK
	LiveProcessID int64     `json:"live_process_id,omitempty"` // ZLIVEUSAGE.ZHASPROCESS
	LiveTime      time.Time `json:"live_time,omitzero"`
	WifiIn        float64   `json:"wifi_in,omitempty"`
	WifiOut       float64   `json:"wifi_out,omitempty"`
	WWANIn        float64   `json:"wwan_in,omitempty"`
	WWANOut       float64   `json:"wwan_out,omitempty"`
	// Status is empty for ordinary rows, "process_deleted" for usage whose
	// process row is gone and "missing" for a placeholder standing for a gap
	// in the process ids.
	Status     string `json:"status,omitempty"`
	MissingIDs string `json:"missing_ids,omitempty"`
}

const (
	StatusProcessDeleted = "process_deleted"
	StatusMissing        = "missing"
)

// maxOrphanAlerts bounds detections for a database whose process table was
// wiped: one per deleted process id, not one per usage row.
const maxOrphanAlerts = 1000

type schema struct {
	proc, live map[string]bool
}

// col selects a column when the table has it, read through
// sqlitex.Capped (texts cut at a size, huge values not loaded).
func (s schema) col(table map[string]bool, alias, name string) string {
	if table[name] {
		return sqlitex.Capped(alias + "." + name)
	}
	return "NULL"
}

func parseDB(ctx context.Context, env *module.Env, name string) error {
	db, err := env.OpenDB(name)
	if err != nil {
		return err
	}
	defer db.Close()
	var s schema
	if s.proc, err = db.Columns(ctx, "ZPROCESS"); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if s.live, err = db.Columns(ctx, "ZLIVEUSAGE"); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, need := range []struct {
		t    map[string]bool
		tab  string
		cols []string
	}{{s.proc, "ZPROCESS", []string{"Z_PK", "ZPROCNAME"}}, {s.live, "ZLIVEUSAGE", []string{"Z_PK", "ZHASPROCESS", "ZTIMESTAMP"}}} {
		for _, c := range need.cols {
			if !need.t[c] {
				return fmt.Errorf("%s: unknown schema: table %s has no column %s", name, need.tab, c)
			}
		}
	}
	// ZPROCESS is read into a map and joined to ZLIVEUSAGE here, in Go:
	// SQLite never joins (a crafted netusage.sqlite without indexes, or
	// with lying statistics, makes joins and NOT EXISTS quadratic).
	procs, err := iosdb.Index(ctx, db, "SELECT "+procCols(s)+" FROM ZPROCESS p", func(r iosdb.Row) (int64, [5]any, bool) {
		var v [5]any
		for i, k := range procNames {
			v[i] = r.Get(k)
		}
		return sqlitex.AnyInt(v[0]), v, v[0] != nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading ZPROCESS: %w", name, err)
	}
	used, err := readLive(ctx, env, db, s, procs)
	if err != nil {
		return err
	}
	if err := readIdleProcesses(ctx, env, db, s, used); err != nil {
		return err
	}
	return readGaps(ctx, env, db, s)
}

// procNames are the aliases procCols gives its columns.
var procNames = [5]string{"pk", "name", "bundle", "first", "ts"}

func procCols(s schema) string {
	return strings.Join([]string{"p.Z_PK AS pk", s.col(s.proc, "p", "ZPROCNAME") + " AS name", s.col(s.proc, "p", "ZBUNDLENAME") + " AS bundle",
		s.col(s.proc, "p", "ZFIRSTTIMESTAMP") + " AS first", s.col(s.proc, "p", "ZTIMESTAMP") + " AS ts"}, ", ")
}

// readLive emits every live-usage row with its process, and returns the
// process ids that have usage.
func readLive(ctx context.Context, env *module.Env, db *sqlitex.DB, s schema, procs map[int64][5]any) (map[int64]bool, error) {
	q := "SELECT l.Z_PK AS id, l.ZHASPROCESS AS proc, l.ZTIMESTAMP AS ts, " +
		strings.Join([]string{s.col(s.live, "l", "ZWIFIIN") + " AS wi", s.col(s.live, "l", "ZWIFIOUT") + " AS wo",
			s.col(s.live, "l", "ZWWANIN") + " AS ci", s.col(s.live, "l", "ZWWANOUT") + " AS co"}, ", ") +
		" FROM ZLIVEUSAGE l ORDER BY l.Z_PK"
	alerted := map[int64]bool{}
	used := map[int64]bool{}
	err := iosdb.Each(ctx, db, q, func(row iosdb.Row) error {
		pv := row.Get("proc")
		u := Usage{DB: db.Name, LiveID: sqlitex.AnyInt(row.Get("id")), LiveProcessID: sqlitex.AnyInt(pv), LiveTime: sqlitex.AppleTime(sqlitex.AnyFloat(row.Get("ts"))),
			WifiIn: sqlitex.AnyFloat(row.Get("wi")), WifiOut: sqlitex.AnyFloat(row.Get("wo")), WWANIn: sqlitex.AnyFloat(row.Get("ci")), WWANOut: sqlitex.AnyFloat(row.Get("co"))}
		var p [5]any
		procFound := false
		if pv != nil {
			if len(used) < iosdb.MaxJoinRows {
				used[u.LiveProcessID] = true
			}
			p, procFound = procs[u.LiveProcessID]
		}
		fillProcess(&u, p[:])
		if !procFound && pv != nil {
			u.Status = StatusProcessDeleted
		}
		r := record(&u)
		env.Emit(r)
		if u.Status == StatusProcessDeleted && !alerted[u.LiveProcessID] && len(alerted) < maxOrphanAlerts {
			alerted[u.LiveProcessID] = true
			env.Detect(model.Detection{Rule: "ios.netusage.process_deleted", Severity: model.Medium,
				Reason: heuristics.OrphanedUsageReason(db.Name, u.LiveProcessID, u.LiveTime), Record: r})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: reading ZLIVEUSAGE: %w", db.Name, err)
	}
	if len(alerted) == maxOrphanAlerts {
		env.Warn("%s: more than %d deleted process ids have usage rows; only the first %d were reported", db.Name, maxOrphanAlerts, maxOrphanAlerts)
	}
	return used, nil
}

// readIdleProcesses emits the processes that never had live usage.
func readIdleProcesses(ctx context.Context, env *module.Env, db *sqlitex.DB, s schema, used map[int64]bool) error {
	err := iosdb.Each(ctx, db, "SELECT "+procCols(s)+" FROM ZPROCESS p ORDER BY p.Z_PK", func(row iosdb.Row) error {
		var v [5]any
		for i, k := range procNames {
			v[i] = row.Get(k)
		}
		if v[0] != nil && used[sqlitex.AnyInt(v[0])] {
			return nil
		}
		u := Usage{DB: db.Name}
		fillProcess(&u, v[:])
		env.Emit(record(&u))
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading ZPROCESS: %w", db.Name, err)
	}
	return nil
}

// readGaps walks the process ids in order, keeping only the previous row, so
// a table of any size costs constant memory.
func readGaps(ctx context.Context, env *module.Env, db *sqlitex.DB, s schema) error {
	q := "SELECT p.Z_PK, " + s.col(s.proc, "p", "ZPROCNAME") + ", " + s.col(s.proc, "p", "ZFIRSTTIMESTAMP") + " FROM ZPROCESS p ORDER BY p.Z_PK"
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: reading ZPROCESS ids: %w", db.Name, err)
	}
	defer rows.Close()
	var gaps heuristics.KeyGaps
	var prevName string
	var prevFirst time.Time
	for rows.Next() {
		var id, pname, first any
		if err := rows.Scan(&id, &pname, &first); err != nil {
			return fmt.Errorf("%s: reading ZPROCESS ids: %w", db.Name, err)
		}
		pk := sqlitex.AnyInt(id)
		if gap, ok := gaps.Next(pk); ok {
			u := Usage{DB: db.Name, Status: StatusMissing, MissingIDs: gap.String(), FirstSeen: prevFirst}
			r := &model.Record{Source: db.Name, Data: &u,
				Summary: fmt.Sprintf("MISSING process record %s (deleted), after %q", gap.String(), prevName)}
			r.Stamp(prevFirst, "process_record_deleted_after")
			env.Emit(r)
			env.Detect(model.Detection{Rule: "ios.netusage.process_gap", Severity: model.Medium,
				Reason: heuristics.DeletedProcessReason(db.Name, gap, prevName, prevFirst), Record: r})
		}
		prevName, prevFirst = sqlitex.AnyString(pname), sqlitex.AppleTime(sqlitex.AnyFloat(first))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: reading ZPROCESS ids: %w", db.Name, err)
	}
	return nil
}

// fillProcess sets the process fields from p.Z_PK, ZPROCNAME, ZBUNDLENAME,
// ZFIRSTTIMESTAMP, ZTIMESTAMP.
func fillProcess(u *Usage, v []any) {
	u.ProcessID = sqlitex.AnyInt(v[0])
	u.ProcessName = sqlitex.AnyString(v[1])
	u.BundleID = sqlitex.AnyString(v[2])
	u.FirstSeen = sqlitex.AppleTime(sqlitex.AnyFloat(v[3]))
	u.LastSeen = sqlitex.AppleTime(sqlitex.AnyFloat(v[4]))
}

// splitProcName separates ZPROCNAME's two halves. iOS writes
// "<executable>/<attribution bundle id>" for daemons and "<app UUID>/<bundle
// id>" for apps; a bare name has no slash. The executable is at most 16
// bytes (the kernel's MAXCOMLEN), so it may be cut short.
func splitProcName(n string) (exe, bundle string) {
	exe, bundle, _ = strings.Cut(n, "/")
	if heuristics.IsUUID(exe) {
		exe = ""
	}
	return exe, bundle
}

func record(u *Usage) *model.Record {
	r := &model.Record{Source: u.DB, Data: u}
	exe, attrib := splitProcName(u.ProcessName)
	r.Add(model.KindProcess, exe, "process_name")
	r.Add(model.KindAppID, u.BundleID, "bundle_id")
	if attrib != "" && attrib != u.BundleID {
		r.Add(model.KindAppID, attrib, "process_name")
	}
	name := u.ProcessName
	if u.Status == StatusProcessDeleted {
		name = fmt.Sprintf("MANIPULATED [process record %d deleted]", u.LiveProcessID)
	}
	if u.LiveID != 0 {
		r.Summary = fmt.Sprintf("%s (bundle %s, process %d) WWAN in %.0f out %.0f, Wi-Fi in %.0f out %.0f",
			name, orDash(u.BundleID), u.ProcessID, u.WWANIn, u.WWANOut, u.WifiIn, u.WifiOut)
		r.Stamp(u.LiveTime, "live_usage")
	} else {
		r.Summary = fmt.Sprintf("%s (bundle %s, process %d), no live usage", name, orDash(u.BundleID), u.ProcessID)
	}
	r.Stamp(u.FirstSeen, "first_usage")
	r.Stamp(u.LastSeen, "last_usage")
	return r
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
