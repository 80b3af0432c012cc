package sms

import (
	"regexp"
	"strings"

	"github.com/huella-project/huella/internal/model"
)

// TEMPORARY SHIM: internal/urlx (ExtractLinks) and the lure scoring of
// internal/heuristics (ScoreMessage, ThreatNotification) are being written in
// parallel. These stand-ins keep the call sites in their final shape; replace
// their bodies with the real calls when those packages land.

var linkRE = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"']+`)

func extractLinks(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range linkRE.FindAllString(text, 1000) {
		l = strings.TrimRight(l, ".,;:!?)]}")
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

type lureFinding struct {
	Rule     string
	Severity model.Severity
	Reason   string
}

func scoreMessage(text string, links []string, senderKnown, fromMe bool) []lureFinding {
	return nil
}

var threatPrefixes = []string{
	"ALERT: State-sponsored attackers may be targeting your iPhone",
	"ALERT: Apple detected a targeted mercenary spyware attack against your iPhone",
}

func threatNotification(text, sender string) *lureFinding {
	for _, p := range threatPrefixes {
		if strings.HasPrefix(strings.TrimSpace(text), p) {
			return &lureFinding{Rule: "apple_threat_notification", Severity: model.High,
				Reason: "Apple threat notification received from " + sender + ": Apple believes this phone was targeted by mercenary spyware"}
		}
	}
	return nil
}
