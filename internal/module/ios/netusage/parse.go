package netusage

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

func baseNames(paths []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		b := p[strings.LastIndex(p, "/")+1:]
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}

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

func parseDB(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	name := db.Name
	var s schema
	var err error
	if s.proc, err = sqlitex.Need(ctx, db, "ZPROCESS", "Z_PK", "ZPROCNAME"); err != nil {
		return err
	}
	if s.live, err = sqlitex.Need(ctx, db, "ZLIVEUSAGE", "Z_PK", "ZHASPROCESS", "ZTIMESTAMP"); err != nil {
		return err
	}
	// ZPROCESS is read into a map and joined to ZLIVEUSAGE here, in Go:
	// SQLite never joins (a crafted netusage.sqlite without indexes, or
	// with lying statistics, makes joins and NOT EXISTS quadratic).
	procs, err := sqlitex.Index(ctx, db, "SELECT "+procCols(s)+" FROM ZPROCESS p", func(r sqlitex.Row) (int64, [5]any, bool) {
		var v [5]any
		for i, k := range procNames {
			v[i] = r.Get(k)
		}
		return sqlitex.Int(v[0]), v, v[0] != nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading ZPROCESS: %w", name, err)
	}
	bare := &bareProcesses{byName: map[string]*model.Record{}}
	used, err := readLive(ctx, env, db, s, procs, bare)
	if err != nil {
		return err
	}
	if err := readIdleProcesses(ctx, env, db, s, used, bare); err != nil {
		return err
	}
	if err := readGaps(ctx, env, db, s); err != nil {
		return err
	}
	if env.Evidence.Kind == source.IOSFS {
		missingBinaries(env, db.Name, bare)
	}
	return nil
}

// bareProcesses are the processes without a bundle id, by executable name,
// with the first record that names each: a file-system dump must hold a
// binary for every one of them (MVT's fs-mode check).
type bareProcesses struct {
	names  []string
	byName map[string]*model.Record
}

func (b *bareProcesses) add(u *Usage, r *model.Record) {
	exe, _ := splitProcName(u.ProcessName)
	if u.BundleID != "" || exe == "" || u.Status != "" {
		return
	}
	exe = path.Base(exe)
	if _, ok := b.byName[exe]; ok || len(b.names) >= maxOrphanAlerts {
		return
	}
	b.byName[exe] = r
	b.names = append(b.names, exe)
}

// missingBinaries reports bare processes with no file of their name in the
// dump. A dump without the system folders (only /private/var, say) cannot
// hold the binaries of iOS's own daemons, so the check is skipped there.
// Names of 15 or 16 bytes may be cut short by iOS: any file they start
// counts.
func missingBinaries(env *module.Env, db string, bare *bareProcesses) {
	if len(bare.names) == 0 {
		return
	}
	if u := env.Evidence.Unreadable("**"); len(u) > 0 {
		env.Warn("%s: %s could not be read: processes without a bundle id were not checked for a missing binary", db, u[0].Path)
		return
	}
	// One streaming pass over the dump's files (a million on a full
	// file system): only the few names looked for are kept.
	want := make(map[string]bool, len(bare.names))
	for _, n := range bare.names {
		want[n] = false
	}
	system := false
	_ = env.Evidence.EachFile(func(f string) error {
		if !system && (strings.HasPrefix(f, "usr/libexec/") || strings.HasPrefix(f, "System/Library/")) {
			system = true
		}
		base := path.Base(f)
		if _, ok := want[base]; ok {
			want[base] = true
		}
		// Names of 15 or 16 bytes may be cut short by iOS: any file they
		// start counts.
		for _, k := range []int{15, 16} {
			if len(base) > k {
				if _, ok := want[base[:k]]; ok {
					want[base[:k]] = true
				}
			}
		}
		return nil
	})
	if !system {
		env.Warn("%s: the dump holds no system folders (/usr/libexec, /System/Library): processes without a bundle id were not checked for a missing binary", db)
		return
	}
	for _, n := range bare.names {
		if want[n] {
			continue
		}
		truncated := len(n) == 15 || len(n) == 16
		env.Report(ios.MissingBinary(db, n, truncated), bare.byName[n])
	}
}

func procCols(s schema) string {
	return strings.Join([]string{"p.Z_PK AS pk", sqlitex.Pick(s.proc, "p", "ZPROCNAME") + " AS name", sqlitex.Pick(s.proc, "p", "ZBUNDLENAME") + " AS bundle",
		sqlitex.Pick(s.proc, "p", "ZFIRSTTIMESTAMP") + " AS first", sqlitex.Pick(s.proc, "p", "ZTIMESTAMP") + " AS ts"}, ", ")
}

// procNames are the aliases procCols gives its columns.
var procNames = [5]string{"pk", "name", "bundle", "first", "ts"}

// readLive emits every live-usage row with its process, and returns the
// process ids that have usage.
func readLive(ctx context.Context, env *module.Env, db *sqlitex.DB, s schema, procs map[int64][5]any, bare *bareProcesses) (map[int64]bool, error) {
	q := "SELECT l.Z_PK AS id, l.ZHASPROCESS AS proc, l.ZTIMESTAMP AS ts, " +
		strings.Join([]string{sqlitex.Pick(s.live, "l", "ZWIFIIN") + " AS wi", sqlitex.Pick(s.live, "l", "ZWIFIOUT") + " AS wo",
			sqlitex.Pick(s.live, "l", "ZWWANIN") + " AS ci", sqlitex.Pick(s.live, "l", "ZWWANOUT") + " AS co"}, ", ") +
		" FROM ZLIVEUSAGE l ORDER BY l.Z_PK"
	alerted := map[int64]bool{}
	used := map[int64]bool{}
	err := sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		pv := row.Get("proc")
		u := Usage{DB: db.Name, LiveID: row.Int("id"), LiveProcessID: sqlitex.Int(pv),
			WifiIn: row.Float("wi"), WifiOut: row.Float("wo"), WWANIn: row.Float("ci"), WWANOut: row.Float("co")}
		u.LiveTime, u.liveErr = sqlitex.AppleTimeChecked(row.Get("ts"))
		var p [5]any
		procFound := false
		if pv != nil {
			if len(used) < sqlitex.MaxJoinRows {
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
		bare.add(&u, r)
		if u.Status == StatusProcessDeleted && !alerted[u.LiveProcessID] && len(alerted) < maxOrphanAlerts {
			alerted[u.LiveProcessID] = true
			f := ios.OrphanedUsage(db.Name, u.LiveProcessID, u.LiveTime)
			env.Report(&f, r)
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
func readIdleProcesses(ctx context.Context, env *module.Env, db *sqlitex.DB, s schema, used map[int64]bool, bare *bareProcesses) error {
	err := sqlitex.Each(ctx, db, "SELECT "+procCols(s)+" FROM ZPROCESS p ORDER BY p.Z_PK", func(row sqlitex.Row) error {
		var v [5]any
		for i, k := range procNames {
			v[i] = row.Get(k)
		}
		if v[0] != nil && used[sqlitex.Int(v[0])] {
			return nil
		}
		u := Usage{DB: db.Name}
		fillProcess(&u, v[:])
		r := record(&u)
		env.Emit(r)
		bare.add(&u, r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading ZPROCESS: %w", db.Name, err)
	}
	return nil
}

// readGaps walks the process ids in order, keeping only the previous row, so
// a table of any size costs constant memory. A gap becomes a placeholder
// record on the timeline, not a finding: on real phones the ids of deleted
// rows are ordinary database churn (one clean netusage.sqlite has 17), and
// what matters, usage rows left pointing at a deleted process, is the
// orphan_usage finding of readLive.
func readGaps(ctx context.Context, env *module.Env, db *sqlitex.DB, s schema) error {
	q := "SELECT p.Z_PK AS pk, " + sqlitex.Pick(s.proc, "p", "ZPROCNAME") + " AS name, " + sqlitex.Pick(s.proc, "p", "ZFIRSTTIMESTAMP") + " AS first FROM ZPROCESS p ORDER BY p.Z_PK"
	var gaps ios.KeyGaps
	var prevName string
	var prevFirst time.Time
	var prevErr error // the previous process's first date is no plausible date
	err := sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		if gap, ok := gaps.Next(row.Int("pk")); ok {
			u := Usage{DB: db.Name, Status: StatusMissing, MissingIDs: gap.String(), FirstSeen: prevFirst, firstErr: prevErr}
			r := &model.Record{Source: db.Name, Data: &u,
				Summary: fmt.Sprintf("MISSING process record %s (deleted), after %q", gap.String(), prevName)}
			r.StampChecked(prevFirst, prevErr, "process_record_deleted_after")
			env.Emit(r)
		}
		prevName = row.Text("name")
		prevFirst, prevErr = sqlitex.AppleTimeChecked(row.Get("first"))
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading ZPROCESS ids: %w", db.Name, err)
	}
	return nil
}

// fillProcess sets the process fields from p.Z_PK, ZPROCNAME, ZBUNDLENAME,
// ZFIRSTTIMESTAMP, ZTIMESTAMP.
func fillProcess(u *Usage, v []any) {
	u.ProcessID = sqlitex.Int(v[0])
	u.ProcessName = sqlitex.Text(v[1])
	u.BundleID = sqlitex.Text(v[2])
	u.FirstSeen, u.firstErr = sqlitex.AppleTimeChecked(v[3])
	u.LastSeen, u.lastErr = sqlitex.AppleTimeChecked(v[4])
}

// splitProcName separates ZPROCNAME's two halves. iOS writes
// "<executable>/<attribution bundle id>" for daemons and "<app UUID>/<bundle
// id>" for apps; a bare name has no slash. The executable is at most 16
// bytes (the kernel's MAXCOMLEN), so it may be cut short. Some rows hold
// the executable's absolute path instead (/private/var/tmp/x): the whole
// path is the executable, matched on its last component.
func splitProcName(n string) (exe, bundle string) {
	if strings.HasPrefix(n, "/") {
		return n, ""
	}
	exe, bundle, _ = strings.Cut(n, "/")
	if ios.IsUUID(exe) {
		exe = ""
	}
	return exe, bundle
}

func record(u *Usage) *model.Record {
	r := &model.Record{Source: u.DB, Data: u}
	exe, attrib := splitProcName(u.ProcessName)
	r.Add(model.KindProcess, exe, "process_name")
	if strings.HasPrefix(exe, "/") {
		r.Add(model.KindFilePath, exe, "process_name")
	}
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
			name, cmp.Or(u.BundleID, "-"), u.ProcessID, u.WWANIn, u.WWANOut, u.WifiIn, u.WifiOut)
		r.StampChecked(u.LiveTime, u.liveErr, "live_usage")
	} else {
		r.Summary = fmt.Sprintf("%s (bundle %s, process %d), no live usage", name, cmp.Or(u.BundleID, "-"), u.ProcessID)
	}
	r.StampChecked(u.FirstSeen, u.firstErr, "first_usage")
	r.StampChecked(u.LastSeen, u.lastErr, "last_usage")
	return r
}
