package detect

import (
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
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
					l.visits = append(l.visits, pendingVisit{msg: pm, visit: compact(e)})
					if !l.opened[pm] && !l.reported[pm] {
						l.opened[pm] = true
						at := e.Time
						l.findings = append(l.findings, model.Detection{Module: "correlation", Kind: model.ByCorrelation,
							Rule: "correlation.message_link_opened", Severity: model.Informational, Time: &at,
							Reason: fmt.Sprintf("A link received in a message was opened in the browser %s later (%s).",
								e.Time.Sub(pm.ev.Time).Round(time.Second), h),
							Related: []model.Event{pm.ev, compact(e)}})
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
			l.findings = append(l.findings, model.Detection{Module: "correlation", Kind: model.ByCorrelation,
				Rule: "correlation.message_link_chain", Severity: model.High, Time: &at,
				Reason: fmt.Sprintf("A message with a link, the link opened in the browser %s later, then %s %s after that. "+
					"This is the sequence of a one-click infection (Pegasus in Mexico, 2016: a lure SMS, its link, then the implant). "+
					"Check the link and the process named here.",
					pv.visit.Time.Sub(pv.msg.ev.Time).Round(time.Second), afterWords(e), e.Time.Sub(pv.visit.Time).Round(time.Second)),
				Related: []model.Event{pv.msg.ev, pv.visit, compact(e)}})
		}
	}
}

func afterWords(e *model.Event) string {
	if len(e.Processes) > 0 {
		return fmt.Sprintf("a process %q used the network for the first time", e.Processes[0])
	}
	return "a crash was recorded (" + e.Summary + ")"
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
