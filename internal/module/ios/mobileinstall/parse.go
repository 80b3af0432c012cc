package mobileinstall

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
)

// Event is one install, removal or reboot.
type Event struct {
	File        string    `json:"file"`
	Line        int       `json:"line"`
	Kind        string    `json:"kind"` // install, uninstall, reboot
	App         string    `json:"app,omitempty"`
	Type        string    `json:"install_type,omitempty"` // Customer, Developer, Placeholder, System
	Client      string    `json:"requested_by,omitempty"`
	Distributor string    `json:"distributor,omitempty"`
	Package     string    `json:"package,omitempty"` // the app file installed
	Time        time.Time `json:"time,omitzero"`

	timeErr error // the line's date is no plausible date: the record keeps it as written
}

var (
	requestRE   = regexp.MustCompile(`^Install of "([^"]*)" type (\S+) .*requested by (\S+)`)
	installing  = regexp.MustCompile(`^Installing <MIInstallableBundle ID=([^;>]+)`)
	successRE   = regexp.MustCompile(`^Install Successful for \(([^:)]+):([^)]+)\)(?:.*\[Distributor: ([^\]]+)\])?`)
	uninstallRE = regexp.MustCompile(`^Uninstall requested by (\S+).*for identity \[([^/\]]+)`)
	uninstallID = regexp.MustCompile(`^Uninstalling identifier (\S+)`)
)

// Reader follows installd's entries: a request names the app file, its
// type and the client; "Install Successful" closes it with the bundle id.
type Reader struct {
	File    string
	pending map[int]Event // by installd's pid
	emit    func(Event)
}

// NewReader returns a reader calling emit for every install, removal and
// reboot of file.
func NewReader(file string, emit func(Event)) *Reader {
	return &Reader{File: file, pending: map[int]Event{}, emit: emit}
}

// Entry takes one log entry.
func (r *Reader) Entry(e applelog.Entry) {
	msg := e.Message
	switch {
	case strings.Contains(msg, "Reboot detected"):
		r.emit(Event{File: r.File, Line: e.Line, Kind: "reboot", Time: e.Time, timeErr: e.TimeErr})
	case requestRE.MatchString(msg):
		m := requestRE.FindStringSubmatch(msg)
		if len(r.pending) < 1024 {
			r.pending[e.PID] = Event{Package: m[1], Type: m[2], Client: m[3]}
		}
	case installing.MatchString(msg):
		p := r.pending[e.PID]
		p.App = strings.TrimSpace(installing.FindStringSubmatch(msg)[1])
		if len(r.pending) < 1024 || r.pending[e.PID] != (Event{}) {
			r.pending[e.PID] = p
		}
	case successRE.MatchString(msg):
		m := successRE.FindStringSubmatch(msg)
		ev := r.pending[e.PID]
		delete(r.pending, e.PID)
		if ev.Type == "" {
			ev.Type = m[1]
		}
		ev.App, ev.Distributor = strings.TrimSpace(m[2]), strings.TrimSpace(m[3])
		ev.File, ev.Line, ev.Kind, ev.Time, ev.timeErr = r.File, e.Line, "install", e.Time, e.TimeErr
		r.emit(ev)
	case uninstallRE.MatchString(msg):
		m := uninstallRE.FindStringSubmatch(msg)
		r.emit(Event{File: r.File, Line: e.Line, Kind: "uninstall", App: m[2], Client: m[1], Time: e.Time, timeErr: e.TimeErr})
	case uninstallID.MatchString(msg):
		r.emit(Event{File: r.File, Line: e.Line, Kind: "uninstall", App: uninstallID.FindStringSubmatch(msg)[1], Time: e.Time, timeErr: e.TimeErr})
	}
}

// entries follows one copy's installs, removals and reboots.
func entries(env *module.Env, name string) func(applelog.Entry) {
	return NewReader(name, func(ev Event) {
		r := record(ev)
		env.Emit(r)
		if ev.Kind == "install" {
			env.Report(ios.InstallOutsideStore(ev.App, ev.Type, ev.Client, ev.Distributor, sysdiag.When(ev.Time)), r)
		}
	}).Entry
}

// FromComputer says whether an install was sent over the cable by a
// computer's installation service.
func FromComputer(ev Event) bool {
	f := ios.InstallOutsideStore(ev.App, ev.Type, ev.Client, "", "")
	return f != nil && f.Has("from_computer")
}

func record(ev Event) *model.Record {
	r := &model.Record{Source: fmt.Sprintf("%s:%d", ev.File, ev.Line), Data: &ev}
	switch ev.Kind {
	case "reboot":
		r.Summary = "installd saw a reboot"
		r.StampChecked(ev.Time, ev.timeErr, "reboot")
	case "uninstall":
		r.Summary = "App " + ev.App + " was removed"
		r.Add(model.KindAppID, ev.App, "app")
		r.StampChecked(ev.Time, ev.timeErr, "app_uninstalled")
	default:
		client := ev.Client
		if client == "" {
			client = "unknown"
		}
		r.Summary = fmt.Sprintf("App %s was installed (type %s, requested by %s)", ev.App, ev.Type, client)
		r.Add(model.KindAppID, ev.App, "app")
		r.Add(model.KindAppID, ev.Distributor, "distributor")
		desc := "app_installed"
		if FromComputer(ev) {
			desc = "app_installed_from_computer"
		}
		r.StampChecked(ev.Time, ev.timeErr, desc)
	}
	return r
}
