package detect

import (
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
)

// linkChain follows the shape of a one-click infection: a message carrying a
// link, then within the window a browser visit to that link's host (or a
// redirect away from it), then a process never seen before or a crash. The
// whole chain is a high finding; a message whose link is opened with nothing
// after it is only informational (people open links).

type pendingMsg struct {
	ev    model.Event
	hosts map[string]bool
}

type pendingVisit struct {
	msg   *pendingMsg
	visit model.Event
	host  string // the visited host the message linked to
}

type linkChain struct {
	window   time.Duration
	msgs     []*pendingMsg
	visits   []pendingVisit
	opened   map[*pendingMsg]bool
	findings []model.Detection
	reported map[*pendingMsg]bool
}

func newLinkChain(window time.Duration) *linkChain {
	return &linkChain{window: window, opened: map[*pendingMsg]bool{}, reported: map[*pendingMsg]bool{}}
}

func isMessage(e *model.Event) bool {
	m := e.Module
	return (strings.Contains(m, "sms") || strings.Contains(m, "whatsapp") || strings.Contains(m, "message")) &&
		!strings.Contains(m, "attachment") && len(e.Hosts) > 0
}

func isVisit(e *model.Event) bool {
	m := e.Module
	return len(e.Hosts) > 0 && (strings.Contains(m, "safari") || strings.Contains(m, "chrome") ||
		strings.Contains(m, "firefox") || strings.Contains(m, "webkit") || strings.Contains(m, "browser"))
}

// isAfterEffect: a process first seen, or a crash.
func isAfterEffect(e *model.Event) bool {
	m, d := e.Module, strings.ToLower(e.Desc)
	if strings.Contains(m, "crash") || strings.Contains(m, "tombstone") || strings.Contains(d, "crash") {
		return true
	}
	return len(e.Processes) > 0 && (strings.Contains(m, "usage") || strings.Contains(m, "analytics")) &&
		(strings.Contains(d, "first") || strings.Contains(d, "start"))
}

func (l *linkChain) Observe(e *model.Event) {
	now := e.Time
	for len(l.msgs) > 0 && now.Sub(l.msgs[0].ev.Time) > l.window {
		old := l.msgs[0]
		l.msgs = l.msgs[1:]
		delete(l.opened, old)
	}
	for len(l.visits) > 0 && now.Sub(l.visits[0].visit.Time) > l.window {
		l.visits = l.visits[1:]
	}
	switch {
	case isMessage(e):
		pm := &pendingMsg{ev: compact(e), hosts: map[string]bool{}}
		for _, h := range e.Hosts {
			pm.hosts[h] = true
		}
		l.msgs = append(l.msgs, pm)
	case isVisit(e):
		for _, pm := range l.msgs {
			for _, h := range e.Hosts {
				if pm.hosts[h] || sameSite(pm.hosts, h) {
					l.visits = append(l.visits, pendingVisit{msg: pm, visit: compact(e), host: h})
					if !l.opened[pm] && !l.reported[pm] {
						l.opened[pm] = true
						at := e.Time
						d := rules.CorrelationLinkOpened.New(rules.Params{"opened_after": e.Time.Sub(pm.ev.Time).Round(time.Second).String(), "host": h}).Detection(nil)
						d.Module, d.Time, d.Related = "correlation", &at, []model.Event{pm.ev, compact(e)}
						l.findings = append(l.findings, d)
					}
					break
				}
			}
		}
	case isAfterEffect(e):
		for _, pv := range l.visits {
			if l.reported[pv.msg] {
				continue
			}
			l.reported[pv.msg] = true
			at := pv.msg.ev.Time
			p := rules.Params{"host": pv.host,
				"opened_after": pv.visit.Time.Sub(pv.msg.ev.Time).Round(time.Second).String(),
				"effect_after": e.Time.Sub(pv.visit.Time).Round(time.Second).String()}
			ctx := "crash"
			if len(e.Processes) > 0 {
				ctx, p["process"] = "new_process", e.Processes[0]
			} else {
				p["crash"] = e.Summary
			}
			d := rules.CorrelationLinkChain.New(p, ctx).Detection(nil)
			d.Module, d.Time, d.Related = "correlation", &at, []model.Event{pv.msg.ev, pv.visit, compact(e)}
			l.findings = append(l.findings, d)
		}
	}
}

// sameSite treats www. and other sub-domains of the message's host as the
// same site, since links redirect to them.
func sameSite(hosts map[string]bool, h string) bool {
	for m := range hosts {
		if strings.HasSuffix(h, "."+m) || strings.HasSuffix(m, "."+h) {
			return true
		}
	}
	return false
}

func (l *linkChain) Findings() []model.Detection { return l.findings }
