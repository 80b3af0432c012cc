package mobileactivation

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/clip"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
)

// Event is one start, upgrade or activation-state change.
type Event struct {
	File  string    `json:"file"`
	Line  int       `json:"line"`
	Kind  string    `json:"kind"` // start, upgrade, state
	From  string    `json:"from_build,omitempty"`
	To    string    `json:"to_build,omitempty"`
	State string    `json:"state,omitempty"`
	Text  string    `json:"message"`
	Time  time.Time `json:"time,omitzero"`

	timeErr error // the line's date is no plausible date: the record keeps it as written
}

var (
	upgradeRE = regexp.MustCompile(`perform_data_migration.*?from\s+(\S+)\s+to\s+(\S+)`)
	stateRE   = regexp.MustCompile(`(?i)activation[ _]?state\W+(Unactivated|Activated|FactoryActivated|SoftActivation|Expired|MismatchedIMEI|MismatchedICCID|MissingSIM|WildcardActivated)\b`)
)

// Classify reads one entry; ok is false for the others.
func Classify(e applelog.Entry, file string) (Event, bool) {
	full := e.Func + ": " + e.Message
	ev := Event{File: file, Line: e.Line, Time: e.Time, timeErr: e.TimeErr, Text: clip.String(full, 300)}
	switch {
	case strings.Contains(full, "Mobile Activation Startup"):
		ev.Kind = "start"
	case upgradeRE.MatchString(full):
		m := upgradeRE.FindStringSubmatch(full)
		ev.Kind, ev.From, ev.To = "upgrade", m[1], m[2]
	case stateRE.MatchString(full):
		ev.Kind, ev.State = "state", stateRE.FindStringSubmatch(full)[1]
	default:
		return Event{}, false
	}
	return ev, true
}

// entries emits each start, upgrade and state change of one copy.
func entries(env *module.Env, name string) func(applelog.Entry) {
	var last string // a state logged again and again is one change
	return func(e applelog.Entry) {
		ev, ok := Classify(e, name)
		if !ok || ev.Kind == "state" && ev.State == last {
			return
		}
		if ev.Kind == "state" {
			last = ev.State
		}
		env.Emit(record(ev))
	}
}

func record(ev Event) *model.Record {
	r := &model.Record{Source: fmt.Sprintf("%s:%d", ev.File, ev.Line), Data: &ev}
	switch ev.Kind {
	case "start":
		r.Summary = "The activation daemon started (the phone had booted)"
		r.StampChecked(ev.Time, ev.timeErr, "activation_daemon_start")
	case "upgrade":
		r.Summary = fmt.Sprintf("iOS was upgraded from %s to %s", ev.From, ev.To)
		r.StampChecked(ev.Time, ev.timeErr, "ios_upgrade")
	default:
		r.Summary = "Activation state: " + ev.State
		r.StampChecked(ev.Time, ev.timeErr, "activation_state")
	}
	return r
}
