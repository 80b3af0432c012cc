package sms

import (
	"slices"

	"github.com/huella-project/huella/internal/heuristics/messages"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/urlx"
)

// extractLinks lists each link once, schemeless ones included. Messages
// carry a handful of links, so a linear look-back beats a map per message.
func extractLinks(text string) []string {
	links := urlx.ExtractLinks(text)
	if len(links) > 16 {
		return uniqueByMap(links)
	}
	var out []string
	for _, l := range links {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

func uniqueByMap(links []string) []string {
	var out []string
	seen := make(map[string]bool, len(links))
	for _, l := range links {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// lureFindings scores a message. ScoreMessage already recognises Apple's
// threat notification by its text; ThreatNotification is asked again with
// the sender alone (the text gave nothing) so a notification recognised only
// by its address is not lost, and a rule is reported once.
func lureFindings(text string, links []string, handle string, sender messages.Sender) []rules.Finding {
	out := messages.ScoreMessage(messages.Message{Text: text, Links: links, Sender: sender})
	if sender == messages.SenderMe {
		return out
	}
	for _, f := range out {
		if f.Rule == messages.RuleAppleWarning {
			return out
		}
	}
	if f := messages.ThreatNotification("", handle); f != nil {
		out = append(out, *f)
	}
	return out
}
