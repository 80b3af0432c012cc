package sms

import (
	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/urlx"
)

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

// lureFindings scores a message. ScoreMessage already recognises Apple's
// threat notification by its text; ThreatNotification is asked again with
// the sender so a notification recognised only by its address is not lost,
// and a rule is reported once.
func lureFindings(text string, links []string, handle string, senderKnown, fromMe bool) []heuristics.Finding {
	out := heuristics.ScoreMessage(heuristics.Message{Text: text, Links: links, SenderKnown: senderKnown, FromMe: fromMe})
	if fromMe {
		return out
	}
	for _, f := range out {
		if f.Rule == heuristics.RuleAppleWarning {
			return out
		}
	}
	if f := heuristics.ThreatNotification(text, handle); f != nil {
		out = append(out, *f)
	}
	return out
}
