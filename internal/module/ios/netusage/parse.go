package netusage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/sqlitex"
	"github.com/huella-project/huella/internal/timestamp"
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

	// Dates that are no plausible date: the record keeps the raw values.
	liveErr, firstErr, lastErr error
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

func (s schema) col(table map[string]bool, alias, name string) string {
	if table[name] {
		return alias + "." + name
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
	if err := readLive(ctx, env, db, s); err != nil {
		return err
	}
	if err := readIdleProcesses(ctx, env, db, s); err != nil {
		return err
	}
	return readGaps(ctx, env, db, s)
}

func procCols(s schema) string {
	return strings.Join([]string{"p.Z_PK", s.col(s.proc, "p", "ZPROCNAME"), s.col(s.proc, "p", "ZBUNDLENAME"),
		s.col(s.proc, "p", "ZFIRSTTIMESTAMP"), s.col(s.proc, "p", "ZTIMESTAMP")}, ", ")
}

func readLive(ctx context.Context, env *module.Env, db *sqlitex.DB, s schema) error {
	q := "SELECT l.Z_PK, l.ZHASPROCESS, l.ZTIMESTAMP, " +
		strings.Join([]string{s.col(s.live, "l", "ZWIFIIN"), s.col(s.live, "l", "ZWIFIOUT"), s.col(s.live, "l", "ZWWANIN"), s.col(s.live, "l", "ZWWANOUT")}, ", ") +
		", " + procCols(s) +
		" FROM ZLIVEUSAGE l LEFT JOIN ZPROCESS p ON p.Z_PK = l.ZHASPROCESS ORDER BY l.Z_PK"
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: reading ZLIVEUSAGE: %w", db.Name, err)
	}
	defer rows.Close()
	alerted := map[int64]bool{}
	var v [12]any
	ptrs := make([]any, len(v))
	for i := range v {
		ptrs[i] = &v[i]
	}
	for rows.Next() {
		clear(v[:])
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("%s: reading ZLIVEUSAGE: %w", db.Name, err)
		}
		u := Usage{DB: db.Name, LiveID: sqlitex.AnyInt(v[0]), LiveProcessID: sqlitex.AnyInt(v[1]),
			WifiIn: sqlitex.AnyFloat(v[3]), WifiOut: sqlitex.AnyFloat(v[4]), WWANIn: sqlitex.AnyFloat(v[5]), WWANOut: sqlitex.AnyFloat(v[6])}
		u.LiveTime, u.liveErr = timestamp.Apple(sqlitex.AnyFloat(v[2]))
		procFound := v[7] != nil
		fillProcess(&u, v[7:])
		if !procFound && v[1] != nil {
			u.Status = StatusProcessDeleted
		}
		r := record(&u)
		env.Emit(r)
		if u.Status == StatusProcessDeleted && !alerted[u.LiveProcessID] && len(alerted) < maxOrphanAlerts {
			alerted[u.LiveProcessID] = true
			env.Detect(model.Detection{Rule: "ios.netusage.process_deleted", Severity: model.Medium,
				Reason: heuristics.OrphanedUsageReason(db.Name, u.LiveProcessID, u.LiveTime), Record: r})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: reading ZLIVEUSAGE: %w", db.Name, err)
	}
	if len(alerted) == maxOrphanAlerts {
		env.Warn("%s: more than %d deleted process ids have usage rows; only the first %d were reported", db.Name, maxOrphanAlerts, maxOrphanAlerts)
	}
	return nil
}

func readIdleProcesses(ctx context.Context, env *module.Env, db *sqlitex.DB, s schema) error {
	q := "SELECT " + procCols(s) + " FROM ZPROCESS p WHERE NOT EXISTS (SELECT 1 FROM ZLIVEUSAGE l WHERE l.ZHASPROCESS = p.Z_PK) ORDER BY p.Z_PK"
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: reading ZPROCESS: %w", db.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v [5]any
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4]); err != nil {
			return fmt.Errorf("%s: reading ZPROCESS: %w", db.Name, err)
		}
		u := Usage{DB: db.Name}
		fillProcess(&u, v[:])
		env.Emit(record(&u))
	}
	if err := rows.Err(); err != nil {
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
	u.FirstSeen, u.firstErr = timestamp.Apple(sqlitex.AnyFloat(v[3]))
	u.LastSeen, u.lastErr = timestamp.Apple(sqlitex.AnyFloat(v[4]))
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
		r.StampChecked(u.LiveTime, u.liveErr, "live_usage")
	} else {
		r.Summary = fmt.Sprintf("%s (bundle %s, process %d), no live usage", name, orDash(u.BundleID), u.ProcessID)
	}
	r.StampChecked(u.FirstSeen, u.firstErr, "first_usage")
	r.StampChecked(u.LastSeen, u.lastErr, "last_usage")
	return r
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
