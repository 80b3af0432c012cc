package ios

import (
	"fmt"
	"strings"

	"github.com/huella-project/huella/internal/rules"
)

// The rules below judge one iOS record each (a message attachment, a
// calendar event, an installed app, a preference). They return a finding;
// the module attaches its record (Finding.Detection) and reports it.

// ZeroClickAttachment flags a received attachment stored the way zero-click
// iMessage exploits left theirs: a file under /var/tmp whose name ends in
// "-1" (seen with Pegasus deliveries since 2021). Ordinary attachments live
// under ~/Library/SMS/Attachments.
func ZeroClickAttachment(filename string, outgoing bool) *rules.Finding {
	if outgoing {
		return nil
	}
	f := strings.TrimPrefix(filename, "/private")
	if !strings.HasPrefix(f, "/var/tmp/") || !strings.HasSuffix(f, "-1") {
		return nil
	}
	return new(rules.IOSAttachmentZeroClick.New(rules.Params{"file": rules.Clip(filename, 300)}))
}

// QuaDreamCalendarEvent flags the calendar invitation QuaDream's ENDOFDAYS
// exploit used: an event titled "Meeting" with the note "Notes", often
// dated in the past so the user never sees it.
func QuaDreamCalendarEvent(summary, description, uuid string) *rules.Finding {
	if strings.TrimSpace(summary) != "Meeting" || strings.TrimSpace(description) != "Notes" {
		return nil
	}
	return new(rules.IOSCalendarQuadreamInvite.New(rules.Params{"event": rules.Clip(uuid, 100)}))
}

// KnownAppInstallers are the sourceApp values of apps installed through the
// App Store or device management.
var KnownAppInstallers = []string{"com.apple.AppStore", "com.apple.AppStore.ProductPageExtension", "com.apple.dmd", "dmd"}

// AppNotFromStore flags an app whose metadata names an installer other than
// the App Store or MDM. An empty sourceApp is the App Store's default.
func AppNotFromStore(bundleID, sourceApp string) *rules.Finding {
	if sourceApp == "" {
		return nil
	}
	for _, k := range KnownAppInstallers {
		if sourceApp == k {
			return nil
		}
	}
	var ctx []string
	if sourceApp == "com.apple.TestFlight" {
		ctx = append(ctx, "testflight")
	}
	return new(rules.IOSAppNotFromStore.New(rules.Params{"app": rules.Clip(bundleID, 200), "installer": rules.Clip(sourceApp, 200)}, ctx...))
}

// LockdownMode reports the Lockdown Mode setting: a protection that is on,
// or one that was on and has been turned off. Neither is a sign of
// infection.
func LockdownMode(enabled bool) rules.Finding {
	if enabled {
		return rules.IOSLockdownEnabled.New(nil)
	}
	return rules.IOSLockdownDisabled.New(nil)
}

// IDStatusNulHandle flags an IDS lookup whose handle carries NUL bytes, a
// malformed account that no person types and that exploit traffic produced.
func IDStatusNulHandle(handle string) *rules.Finding {
	if !strings.Contains(handle, "\x00\x00") {
		return nil
	}
	return new(rules.IOSIdstatusNulHandle.New(rules.Params{"handle": rules.Clip(fmt.Sprintf("%q", handle), 200)}))
}

// PassKitFromUnknown flags a Wallet pass received over iMessage from someone
// not in the address book: BLASTPASS (2023) delivered its exploit images
// inside PassKit attachments. Passes from shops and airlines are common, so
// this is a lead to read with the timeline, not a verdict.
func PassKitFromUnknown(mime, uti, name string, outgoing, senderKnown bool) *rules.Finding {
	if outgoing || senderKnown {
		return nil
	}
	if mime != "application/vnd.apple.pkpass" && uti != "com.apple.pkpass" && !strings.HasSuffix(strings.ToLower(name), ".pkpass") {
		return nil
	}
	return new(rules.IOSAttachmentPasskitStranger.New(rules.Params{"file": rules.Clip(name, 200)}))
}

func new(f rules.Finding) *rules.Finding { return &f }
