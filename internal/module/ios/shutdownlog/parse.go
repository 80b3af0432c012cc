package shutdownlog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/distinct"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/timestamp"
)

var stripUUID = ios.StripUUIDSuffix

// maxFileSize bounds what is read of one log; real ones are far smaller.
const maxFileSize = 256 << 20

// ClientRecord is one process still running at a reboot.
type ClientRecord struct {
	Log      string `json:"log"`
	Reboot   int    `json:"reboot"` // index in the log, from 0
	Client   Client `json:"client"`
	Stranded bool   `json:"unterminated,omitempty"`
}

// RebootRecord summarises one reboot.
type RebootRecord struct {
	Log string `json:"log"`
	Reboot
}

// MonthRecord counts reboots in one calendar month (UTC): frequent reboots
// clear non-persistent implants, and give more snapshots to look at.
type MonthRecord struct {
	Month   string `json:"month"` // YYYY-MM
	Reboots int    `json:"reboots"`
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Find(Paths...)
	if len(found) == 0 {
		return module.Absent("shutdown.log")
	}
	var errs []error
	months := map[string]int{}
	total := 0
	for _, name := range found {
		if err := ctx.Err(); err != nil {
			return err
		}
		reboots, err := readLog(env.Evidence, name)
		if err != nil {
			errs = append(errs, err)
		}
		total += emitLog(env, name, reboots, months)
	}
	emitMonths(env, months)
	env.Report(ios.ShortShutdownLog(total, strings.Join(found, ", ")), nil)
	return errors.Join(errs...)
}

func readLog(ev *source.Evidence, name string) ([]Reboot, error) {
	f, err := ev.Open(name, evfile.Limit{Kind: "shutdown log", Max: maxFileSize})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, name)
}

func emitLog(env *module.Env, name string, reboots []Reboot, months map[string]int) int {
	flagged := map[string]bool{}
	n := 0
	for i, rb := range reboots {
		if rb.Dropped > 0 {
			env.Warn("%s: reboot at line %d lists more than %d clients; %d were not read", name, rb.Line, maxClientsReboot, rb.Dropped)
		}
		var names distinct.List[string]
		for _, c := range rb.Clients {
			r := clientRecord(name, i, rb, c)
			env.Emit(r)
			names.Add(c.Path)
			if f := ios.StagingClient(c.Binary, name); f != nil && !flagged[c.Binary] {
				flagged[c.Binary] = true
				d := f.Detection(r)
				d.Observable = &model.Observable{Kind: model.KindFilePath, Value: c.Binary, Field: "client"}
				env.Detect(d)
			}
		}
		if rb.Unterminated {
			continue
		}
		n++
		rr := &model.Record{Source: name, Data: &RebootRecord{Log: name, Reboot: rb},
			Summary: fmt.Sprintf("Reboot with %d client(s) still running after %d wait(s)", len(rb.Clients), rb.Delays)}
		rr.StampChecked(rb.Time, rb.timeErr, "reboot")
		env.Emit(rr)
		if !rb.Time.IsZero() {
			months[rb.Time.Format("2006-01")]++
		}
		env.Report(ios.SlowShutdown(rb.Delays, names.Values(), name), rr)
	}
	return n
}

func clientRecord(name string, i int, rb Reboot, c Client) *model.Record {
	r := &model.Record{Source: name, Data: &ClientRecord{Log: name, Reboot: i, Client: c, Stranded: rb.Unterminated}}
	if rb.Unterminated {
		r.Summary = fmt.Sprintf("Client %s with PID %d was waiting for a shutdown the log does not record (log cut short)", c.Path, c.PID)
	} else {
		r.Summary = fmt.Sprintf("Client %s with PID %d was running when the device was shut down", c.Path, c.PID)
	}
	r.Add(model.KindFilePath, c.Binary, "client")
	if c.Path != c.Binary {
		r.Add(model.KindFilePath, c.Path, "client_raw")
	}
	// Process indicators match one component of the path, as implants
	// hide under folders named like daemons.
	seen := map[string]bool{}
	for _, part := range strings.Split(c.Binary, "/") {
		if part != "" && !seen[part] {
			seen[part] = true
			r.Add(model.KindProcess, part, "client")
		}
	}
	r.StampChecked(rb.Time, rb.timeErr, "shutdown")
	return r
}

func emitMonths(env *module.Env, months map[string]int) {
	keys := slices.Sorted(maps.Keys(months))
	for _, k := range keys {
		env.Emit(&model.Record{Source: "shutdown.log", Data: &MonthRecord{Month: k, Reboots: months[k]},
			Summary: fmt.Sprintf("%d reboot(s) in %s", months[k], k)})
	}
}

// Limits keep a hostile log from costing unbounded memory: a real
// shutdown.log is a few hundred kilobytes with a few dozen clients a reboot.
const (
	maxLine           = 64 << 10
	maxClientsReboot  = 10_000
	maxReboots        = 100_000
	maxClientsOverall = 1_000_000
)

// Client is one "remaining client pid: N (path)" line.
type Client struct {
	PID  int    `json:"pid"`
	Path string `json:"path"`
	// Binary is Path without the per-binary UUID suffix iOS 26 adds.
	Binary string `json:"binary"`
	// Wait is how many "clients are still here" waits had passed when the
	// client was listed (0: listed before the first wait).
	Wait int `json:"wait"`
}

// Reboot is one block of the log, closed by a SIGTERM line.
type Reboot struct {
	Time time.Time `json:"time,omitzero"`
	// Delays counts the "After Ns, these clients are still here" lines.
	Delays int `json:"delays"`
	// Waited is the last "After Ns" value: how long the shutdown was held up.
	Waited  float64  `json:"waited_seconds,omitempty"`
	Clients []Client `json:"clients,omitempty"`
	// Unterminated marks clients after the last SIGTERM: a log cut short.
	Unterminated bool `json:"unterminated,omitempty"`
	Dropped      int  `json:"dropped_clients,omitempty"`
	Line         int  `json:"line"`

	timeErr error // the SIGTERM time is no plausible date: the records keep it as stored
}

// Parse reads one shutdown.log. name is used in errors. A truncated or
// partly garbled log still yields the reboots read before the problem, with
// the error.
func Parse(r io.Reader, name string) ([]Reboot, error) {
	lines := applelog.NewLines(r, maxLine)
	var out []Reboot
	cur := Reboot{}
	total := 0
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		switch {
		case strings.HasPrefix(line, "remaining client pid:"):
			c, ok := parseClient(line)
			if !ok {
				continue
			}
			c.Wait = cur.Delays
			if len(cur.Clients) >= maxClientsReboot || total >= maxClientsOverall {
				cur.Dropped++
				continue
			}
			if cur.Line == 0 {
				cur.Line = lines.N
			}
			total++
			cur.Clients = append(cur.Clients, c)
		case strings.HasPrefix(line, "After ") && strings.Contains(line, "still here"):
			cur.Delays++
			if s, ok := afterSeconds(line); ok {
				cur.Waited = s
			}
			if cur.Line == 0 {
				cur.Line = lines.N
			}
		case strings.HasPrefix(line, "SIGTERM:"):
			cur.Time, cur.timeErr = sigtermTime(line)
			if cur.Line == 0 {
				cur.Line = lines.N
			}
			if len(out) >= maxReboots {
				return out, fmt.Errorf("%s: more than %d reboots; the rest was not read", name, maxReboots)
			}
			out = append(out, cur)
			cur = Reboot{}
		}
	}
	if len(cur.Clients) > 0 || cur.Delays > 0 {
		cur.Unterminated = true
		out = append(out, cur)
	}
	if err := lines.Err(); err != nil {
		if _, long := err.(*applelog.TooLongError); long {
			return out, fmt.Errorf("%s: %w: not a shutdown.log, or corrupt", name, err)
		}
		return out, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// parseClient reads "remaining client pid: 123 (/usr/libexec/x)". The path
// runs to the last ")" since app bundle paths may hold parentheses.
func parseClient(line string) (Client, bool) {
	rest := strings.TrimSpace(strings.TrimPrefix(line, "remaining client pid:"))
	i := strings.IndexByte(rest, ' ')
	if i < 0 {
		i = len(rest)
	}
	pid, err := strconv.Atoi(rest[:i])
	if err != nil || pid < 0 {
		return Client{}, false
	}
	var p string
	if o := strings.IndexByte(rest, '('); o >= 0 {
		p = rest[o+1:]
		if c := strings.LastIndexByte(p, ')'); c >= 0 {
			p = p[:c]
		}
	}
	p = strings.TrimSpace(p)
	return Client{PID: pid, Path: p, Binary: stripUUID(p)}, true
}

func afterSeconds(line string) (float64, bool) {
	f := strings.Fields(strings.TrimPrefix(line, "After "))
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSuffix(f[0], ","), "s"), 64)
	if err != nil || v < 0 || v > 1e9 {
		return 0, false
	}
	return v, true
}

// sigtermTime takes the Unix time in brackets ("SIGTERM: [1700000000]"),
// else the ten digits after " @"; zero when neither is there. A number
// beyond 2100 is the zero time and an error keeping it.
func sigtermTime(line string) (time.Time, error) {
	var digits string
	if o := strings.IndexByte(line, '['); o >= 0 {
		if c := strings.IndexByte(line[o:], ']'); c > 0 {
			digits = line[o+1 : o+c]
		}
	}
	if digits == "" {
		if i := strings.Index(line, " @"); i >= 0 {
			digits = line[i+2:]
			if len(digits) > 10 {
				digits = digits[:10]
			}
		}
	}
	digits = strings.TrimSpace(digits)
	digits, _, _ = strings.Cut(digits, ".")
	v, err := strconv.ParseInt(digits, 10, 64)
	// Reject values a phone cannot have logged (before 2007): the digits
	// after " @" may be something else; timestamp bounds the rest.
	if err != nil || v < 1_170_000_000 {
		return time.Time{}, nil
	}
	return timestamp.UnixSeconds(v)
}
