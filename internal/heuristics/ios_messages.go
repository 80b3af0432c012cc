package heuristics

import (
	"fmt"
	"strings"

	"github.com/huella-project/huella/internal/model"
)

// The rules below judge one iOS record each (a message attachment, a
// calendar event, an installed app, a preference). They return a detection
// without its Record; the module attaches the record and reports it.

// Rule ids of the iOS record rules.
const (
	RuleZeroClickAttachment = "attachment.zero_click"
	RuleQuaDreamCalendar    = "calendar.quadream_event"
	RuleAppNotFromStore     = "app.not_from_app_store"
	RuleLockdownMode        = "setting.lockdown_mode"
	RuleIDStatusNul         = "idstatus.nul_handle"
)

// ZeroClickAttachment flags a received attachment stored the way zero-click
// iMessage exploits left theirs: a file under /var/tmp whose name ends in
// "-1" (seen with Pegasus deliveries since 2021). Ordinary attachments live
// under ~/Library/SMS/Attachments.
func ZeroClickAttachment(filename string, outgoing bool) *model.Detection {
	if outgoing {
		return nil
	}
	f := strings.TrimPrefix(filename, "/private")
	if !strings.HasPrefix(f, "/var/tmp/") || !strings.HasSuffix(f, "-1") {
		return nil
	}
	return &model.Detection{Kind: model.ByHeuristic, Rule: RuleZeroClickAttachment, Severity: model.High,
		Reason: fmt.Sprintf("received iMessage attachment stored as %q: a file under /var/tmp ending in \"-1\" is the shape zero-click exploit deliveries left", filename)}
}

// QuaDreamCalendarEvent flags the calendar invitation QuaDream's ENDOFDAYS
// exploit used: an event titled "Meeting" with the note "Notes", often
// dated in the past so the user never sees it.
func QuaDreamCalendarEvent(summary, description, uuid string) *model.Detection {
	if strings.TrimSpace(summary) != "Meeting" || strings.TrimSpace(description) != "Notes" {
		return nil
	}
	return &model.Detection{Kind: model.ByHeuristic, Rule: RuleQuaDreamCalendar, Severity: model.High,
		Reason: fmt.Sprintf("calendar event %s has summary \"Meeting\" and description \"Notes\", the shape of QuaDream's ENDOFDAYS invitation exploit", uuid)}
}

// KnownAppInstallers are the sourceApp values of apps installed through the
// App Store or device management.
var KnownAppInstallers = []string{"com.apple.AppStore", "com.apple.AppStore.ProductPageExtension", "com.apple.dmd", "dmd"}

// AppNotFromStore flags an app whose metadata names an installer other than
// the App Store or MDM. An empty sourceApp is the App Store's default.
func AppNotFromStore(bundleID, sourceApp string) *model.Detection {
	if sourceApp == "" {
		return nil
	}
	for _, k := range KnownAppInstallers {
		if sourceApp == k {
			return nil
		}
	}
	if sourceApp == "com.apple.TestFlight" {
		return &model.Detection{Kind: model.ByHeuristic, Rule: RuleAppNotFromStore, Severity: model.Low,
			Reason: fmt.Sprintf("app %s was installed through TestFlight (beta distribution, reviewed less than the App Store)", bundleID)}
	}
	return &model.Detection{Kind: model.ByHeuristic, Rule: RuleAppNotFromStore, Severity: model.Medium,
		Reason: fmt.Sprintf("app %s was installed by %s, not from the App Store or device management", bundleID, sourceApp)}
}

// LockdownMode reports the Lockdown Mode setting: context for the analyst
// (exploits that Lockdown Mode blocks are unlikely), not a sign of infection.
func LockdownMode(enabled bool) model.Detection {
	if enabled {
		return model.Detection{Kind: model.ByHeuristic, Rule: RuleLockdownMode, Severity: model.Informational,
			Reason: "Lockdown mode enabled"}
	}
	return model.Detection{Kind: model.ByHeuristic, Rule: RuleLockdownMode, Severity: model.Low,
		Reason: "Lockdown mode disabled (it was enabled before: the setting exists)"}
}

// IDStatusNulHandle flags an IDS lookup whose handle carries NUL bytes, a
// malformed account that no person types and that exploit traffic produced.
func IDStatusNulHandle(handle string) *model.Detection {
	if !strings.Contains(handle, "\x00\x00") {
		return nil
	}
	return &model.Detection{Kind: model.ByHeuristic, Rule: RuleIDStatusNul, Severity: model.Medium,
		Reason: fmt.Sprintf("identity-services lookup of a handle containing NUL bytes (%q)", handle)}
}

// RulePassKitFromUnknown names the BLASTPASS-shaped attachment rule.
const RulePassKitFromUnknown = "attachment.passkit_unknown_sender"

// PassKitFromUnknown flags a Wallet pass received over iMessage from someone
// not in the address book: BLASTPASS (2023) delivered its exploit images
// inside PassKit attachments. Passes from shops and airlines are common, so
// this is a lead to read with the timeline, not a verdict.
func PassKitFromUnknown(mime, uti, name string, outgoing, senderKnown bool) *model.Detection {
	if outgoing || senderKnown {
		return nil
	}
	if mime != "application/vnd.apple.pkpass" && uti != "com.apple.pkpass" && !strings.HasSuffix(strings.ToLower(name), ".pkpass") {
		return nil
	}
	return &model.Detection{Kind: model.ByHeuristic, Rule: RulePassKitFromUnknown, Severity: model.Low,
		Reason: fmt.Sprintf("Wallet pass %q received from a sender not in the contacts: BLASTPASS delivered its exploit as PassKit attachments", name)}
}
