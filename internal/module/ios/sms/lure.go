package sms

import (
	"strings"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/urlx"
)

// TEMPORARY SHIM: internal/urlx (ExtractLinks) and the lure scoring of
// internal/heuristics (ScoreMessage, ThreatNotification) are being written in
// parallel. These stand-ins keep the call sites in their final shape; replace
// their bodies with the real calls when those packages land.

// extractLinks lists each link once, schemeless ones included.
func extractLinks(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range urlx.ExtractLinks(text) {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

type lureFinding = heuristics.Finding

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
			return &lureFinding{Rule: heuristics.RuleAppleWarning, Severity: model.High,
				Reason: "Apple threat notification received from " + sender + ": Apple believes this phone was targeted by mercenary spyware"}
		}
	}
	return nil
}
