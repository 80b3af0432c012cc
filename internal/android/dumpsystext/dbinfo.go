package dumpsystext

import (
	"regexp"
	"strconv"
	"strings"
)

// DBOperation is one recent query in the dbinfo section. The paths name the
// app that owns each database.
type DBOperation struct {
	Time   string `json:"isodate"` // as printed: "YYYY-MM-DD hh:mm:ss.mmm" or "MM-DD hh:mm:ss.mmm"
	Action string `json:"action"`
	SQL    string `json:"sql"`
	Path   string `json:"path"`
	PID    *int   `json:"pid,omitempty"`
}

var dbOpRe = regexp.MustCompile(`^\d+: \[((?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\] (?:\[Pid:\((\d+)\)\])?\s*(\w+)(.*)$`)

// ParseDBInfo reads the "Most recently executed operations" of every
// connection pool.
func ParseDBInfo(s string) []DBOperation {
	var out []DBOperation
	pool := ""
	inOps := false
	for _, ln := range lines(s) {
		t := strings.TrimSpace(ln)
		if strings.HasPrefix(t, "Connection pool for ") && strings.HasSuffix(t, ":") {
			pool = strings.TrimSuffix(strings.TrimPrefix(t, "Connection pool for "), ":")
			inOps = false
			continue
		}
		if t == "Most recently executed operations:" {
			inOps = true
			continue
		}
		if !inOps {
			continue
		}
		m := dbOpRe.FindStringSubmatch(t)
		if m == nil {
			if t != "" && !strings.HasPrefix(ln, "        ") {
				inOps = false
			}
			continue
		}
		op := DBOperation{Time: m[1], Action: m[3], Path: pool}
		if m[2] != "" {
			if n, err := strconv.Atoi(m[2]); err == nil {
				op.PID = &n
			}
		}
		rest := m[4]
		if _, after, ok := strings.Cut(rest, `sql="`); ok {
			if i := strings.LastIndex(after, `"`); i >= 0 {
				op.SQL = after[:i]
				after = after[i+1:]
			} else {
				op.SQL = after
				after = ""
			}
			if _, p, ok := strings.Cut(after, "path="); ok {
				p, _, _ = strings.Cut(p, ",")
				op.Path = strings.TrimSpace(p)
			}
		}
		out = append(out, op)
	}
	return out
}
