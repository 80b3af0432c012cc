// Package shutdownlog is the ios.shutdown_log module: the processes still
// running when the phone rebooted, read with Kaspersky's iShutdown method.
// The log is in file-system dumps (private/var/db/diagnostics) and in every
// sysdiagnose (system_logs.logarchive/Extra); iOS 26 rotates it into
// shutdown.0.log, shutdown.1.log...
package shutdownlog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

var stripUUID = heuristics.StripUUIDSuffix

// Patterns find the log and its rotations wherever the evidence keeps them.
var Patterns = []string{
	"private/var/db/diagnostics/shutdown.log",
	"private/var/db/diagnostics/shutdown.*.log",
	"**/shutdown.log",
	"**/shutdown.*.log",
}

// maxFileSize bounds what is read of one log; real ones are far smaller.
const maxFileSize = 256 << 20

// Def is the ios.shutdown_log module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.shutdown_log",
		Description: "shutdown.log (iShutdown method): processes still running at each reboot, implants under /private/var/db or /private/var/tmp, slow shutdowns, reboots per month.",
		Kinds:       []source.Kind{source.IOSFS, source.IOSSysdiagnose},
		Paths:       Patterns,
		Run:         run,
	}
}

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
	found := env.Find(Patterns...)
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
	env.Report(heuristics.ShortShutdownLog(total, strings.Join(found, ", ")), nil)
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
		var names []string
		for _, c := range rb.Clients {
			r := clientRecord(name, i, rb, c)
			env.Emit(r)
			names = append(names, c.Path)
			if f := heuristics.StagingClient(c.Binary, name); f != nil && !flagged[c.Binary] {
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
		rr.Stamp(rb.Time, "reboot")
		env.Emit(rr)
		if !rb.Time.IsZero() {
			months[rb.Time.Format("2006-01")]++
		}
		env.Report(heuristics.SlowShutdown(rb.Delays, uniq(names), name), rr)
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
	r.Stamp(rb.Time, "shutdown")
	return r
}

func emitMonths(env *module.Env, months map[string]int) {
	keys := make([]string, 0, len(months))
	for k := range months {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env.Emit(&model.Record{Source: "shutdown.log", Data: &MonthRecord{Month: k, Reboots: months[k]},
			Summary: fmt.Sprintf("%d reboot(s) in %s", months[k], k)})
	}
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
