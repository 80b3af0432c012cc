package lockdownlog

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
)

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
		return ios.PairingUnpair
	case strings.Contains(f, "validate_pair"):
		return ios.PairingValidate
	case f == "handle_pair" || f == "_handle_pair" || strings.Contains(f, "store_pair_record") || strings.Contains(f, "save_pair_record"):
		return ios.PairingNew
	case strings.Contains(f, "start_session"):
		return ios.PairingSession
	case f == "handle_start_service" && serviceRE.MatchString(e.Message):
		return "service"
	}
	return ""
}

// entries reports each pairing, session and service start of one copy.
func entries(env *module.Env, name string) func(applelog.Entry) {
	return func(e applelog.Entry) {
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
		env.Report(ios.PairedComputer(kind, ev.Host, sysdiag.When(e.Time), name), r)
	}
}

func record(ev Event) *model.Record {
	r := &model.Record{Source: fmt.Sprintf("%s:%d", ev.File, ev.Entry.Line), Data: &ev}
	host := ev.Host
	if host == "" {
		host = "(not logged)"
	}
	desc := "host_session"
	switch ev.Kind {
	case ios.PairingNew:
		r.Summary, desc = "Paired with computer "+host, "pairing"
	case ios.PairingUnpair:
		r.Summary = "Pairing with computer " + host + " removed"
	case ios.PairingValidate:
		r.Summary = "Trusted computer " + host + " connected"
	case ios.PairingSession:
		r.Summary = "Trusted computer " + host + " started a session"
	case "service":
		r.Summary, desc = fmt.Sprintf("%s started service %s", ev.Client, ev.Service), "lockdown_service"
		r.Add(model.KindProcess, ev.Client, "client")
	}
	r.StampChecked(ev.Entry.Time, ev.Entry.TimeErr, desc)
	return r
}
