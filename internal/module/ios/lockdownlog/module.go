// Package lockdownlog is the ios.lockdown_log module: lockdownd.log
// (logs/MobileLockdown in a sysdiagnose), the log of the daemon that
// decides which computers the phone trusts. Its handlers log each pairing
// ("Trust this computer"), each session a trusted computer opens, and each
// service a computer starts on the phone (backups, file transfer, app
// installs, diagnostics): what a forensic extraction tool or an installer
// with the phone in hand leaves behind. Lines are keyed on the handler's
// name (handle_pair, handle_start_session...), which lockdownd prints
// before every message; their wording varies between iOS versions.
package lockdownlog

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

var Patterns = []string{
	"logs/MobileLockdown/lockdownd.log*",
	"**/MobileLockdown/lockdownd.log*",
	// Where a file-system dump holds it (a real iOS 15 image's file list).
	"private/var/logs/lockdownd.log*",
	"private/var/root/Library/Logs/lockdownd.log*",
}

var limit = evfile.Limit{Kind: "lockdownd log", Max: 512 << 20}

// Def is the ios.lockdown_log module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.lockdown_log",
		Description: "Computers the phone trusted (lockdownd.log): pairings, sessions of trusted computers and the services they started.",
		Kinds:       []source.Kind{source.IOSSysdiagnose, source.IOSFS},
		Paths:       Patterns,
		Run:         run,
	}
}

// Event is one pairing, session or service start.
type Event struct {
	File    string         `json:"file"`
	Kind    string         `json:"kind"` // pair, unpair, validate, session, service
	Host    string         `json:"host,omitempty"`
	Service string         `json:"service,omitempty"`
	Client  string         `json:"client,omitempty"`
	Entry   applelog.Entry `json:"entry"`
}

var (
	uuidRE    = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)
	serviceRE = regexp.MustCompile(`^(\S+) attempting to spawn (\S+) service`)
)

// Classify names what one lockdownd entry records, from its handler; ""
// for the many entries that are none of these (value reads, errors).
func Classify(e applelog.Entry) string {
	f := strings.ToLower(e.Func)
	switch {
	case strings.Contains(f, "unpair"):
		return heuristics.PairingUnpair
	case strings.Contains(f, "validate_pair"):
		return heuristics.PairingValidate
	case f == "handle_pair" || f == "_handle_pair" || strings.Contains(f, "store_pair_record") || strings.Contains(f, "save_pair_record"):
		return heuristics.PairingNew
	case strings.Contains(f, "start_session"):
		return heuristics.PairingSession
	case f == "handle_start_service" && serviceRE.MatchString(e.Message):
		return "service"
	}
	return ""
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Find(Patterns...)
	if len(found) == 0 {
		return module.Absent("lockdownd.log")
	}
	loc, known := sysdiag.ZoneOrUTC(env.Evidence)
	if !known {
		env.Warn("the phone's time zone is unknown: lockdownd.log's local times are read as UTC")
	}
	for _, name := range found {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := env.Open(name, limit)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		err = applelog.Parse(f, loc, func(e applelog.Entry) {
			kind := Classify(e)
			if kind == "" {
				return
			}
			ev := Event{File: name, Kind: kind, Entry: e, Host: uuidRE.FindString(e.Message)}
			if m := serviceRE.FindStringSubmatch(e.Message); kind == "service" && m != nil {
				ev.Client, ev.Service = m[1], m[2]
			}
			r := record(ev)
			env.Emit(r)
			env.Report(heuristics.PairedComputer(kind, ev.Host, fmtTime(e.Time), name), r)
		})
		f.Close()
		if err != nil && ctx.Err() == nil {
			sysdiag.StoppedEarly(env, name, fmt.Errorf("%s: %w", name, err))
		}
	}
	return nil
}

func record(ev Event) *model.Record {
	r := &model.Record{Source: fmt.Sprintf("%s:%d", ev.File, ev.Entry.Line), Data: &ev}
	host := ev.Host
	if host == "" {
		host = "(not logged)"
	}
	desc := "host_session"
	switch ev.Kind {
	case heuristics.PairingNew:
		r.Summary, desc = "Paired with computer "+host, "pairing"
	case heuristics.PairingUnpair:
		r.Summary = "Pairing with computer " + host + " removed"
	case heuristics.PairingValidate:
		r.Summary = "Trusted computer " + host + " connected"
	case heuristics.PairingSession:
		r.Summary = "Trusted computer " + host + " started a session"
	case "service":
		r.Summary, desc = fmt.Sprintf("%s started service %s", ev.Client, ev.Service), "lockdown_service"
		r.Add(model.KindProcess, ev.Client, "client")
	}
	r.Stamp(ev.Entry.Time, desc)
	return r
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
