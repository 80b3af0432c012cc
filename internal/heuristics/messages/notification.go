package messages

import (
	"slices"
	"strings"

	"github.com/huella-project/huella/internal/rules"
)

// RuleAppleWarning is the id of the threat-notification rule, for callers
// that ask whether a message already got one.
var RuleAppleWarning = rules.MessageAppleThreatNotification.ID

// Apple's threat notifications (support.apple.com/HT212960) arrive as an
// iMessage, an e-mail from threat-notifications@apple.com and a banner on
// the Apple Account site. Two opening lines are known from MVT's SMS check;
// the rest are the body's key sentences and their Spanish, Portuguese and
// French renderings, matched on normalised words.
var appleWarningPhrases = []string{
	"alert state sponsored attackers may be targeting your iphone",
	"alert apple detected a targeted mercenary spyware attack against your iphone",
	"apple believes you are being targeted by state sponsored attackers",
	"apple detected a targeted mercenary spyware attack",
	"targeted mercenary spyware attack against your iphone",
	"you are being targeted by a mercenary spyware attack",
}

// A sentence about mercenary or state-sponsored attackers counts only when
// it speaks to the reader about their device, so a friend forwarding a news
// story about such notifications is not mistaken for one.
var (
	attackerPhrases = []string{
		"state sponsored attackers", "mercenary spyware",
		"atacantes patrocinados por el estado", "atacantes patrocinados por un estado",
		"spyware mercenario", "software espia mercenario", "programa espia mercenario",
		"atacantes patrocinados pelo estado", "logiciel espion mercenaire",
		"attaquants soutenus par un etat", "attaquants parraines par un etat",
	}
	readerPhrases = []string{
		"your iphone", "your apple id", "your apple account", "your device",
		"tu iphone", "su iphone", "tu id de apple", "tu cuenta de apple", "su cuenta de apple", "tu dispositivo",
		"seu iphone", "sua conta apple", "votre iphone", "votre compte apple",
	}
)

func init() {
	for _, list := range [][]string{appleWarningPhrases, attackerPhrases, readerPhrases} {
		for i, p := range list {
			list[i] = normalizeText(p)
		}
	}
}

// ThreatNotification recognises an Apple threat notification by its text or
// its sender address. It returns nil for anything else.
func ThreatNotification(text, sender string) *rules.Finding {
	if isAppleThreatSender(sender) {
		return appleWarning(strings.ToLower(strings.TrimSpace(sender)))
	}
	norm := normalizeText(text)
	for _, p := range appleWarningPhrases {
		if strings.Contains(norm, p) {
			return appleWarning("")
		}
	}
	if !strings.Contains(norm, " apple ") && !strings.Contains(norm, " iphone ") {
		return nil
	}
	if containsAny(norm, attackerPhrases) && containsAny(norm, readerPhrases) {
		return appleWarning("")
	}
	return nil
}

// containsAny says whether s contains any of the phrases.
func containsAny(s string, phrases []string) bool {
	return slices.ContainsFunc(phrases, func(p string) bool { return strings.Contains(s, p) })
}

func isAppleThreatSender(sender string) bool {
	s := strings.ToLower(strings.TrimSpace(sender))
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		s = s[i+1:] // "Apple <threat-notifications@apple.com>"
	}
	s = strings.TrimPrefix(strings.TrimSuffix(s, ">"), "mailto:")
	local, domain, ok := strings.Cut(s, "@")
	if !ok || !strings.HasPrefix(local, "threat-notification") {
		return false
	}
	return domain == "apple.com" || strings.HasSuffix(domain, ".apple.com")
}

func appleWarning(sender string) *rules.Finding {
	var f rules.Finding
	if sender != "" {
		f = rules.MessageAppleThreatNotification.New(rules.Params{"sender": rules.Clip(sender, 120)}, "sender")
	} else {
		f = rules.MessageAppleThreatNotification.New(nil)
	}
	return &f
}
