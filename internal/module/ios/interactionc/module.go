// Package interactionc reads CoreDuet's interaction log (interactionC.db):
// who messaged or called whom, through which app, and when — including
// parties of deleted conversations. WhatsApp ids are given the phone number
// and name WhatsApp's own address book (ContactsV2.sqlite) holds for them.
package interactionc

import (
	"github.com/huella-project/huella/internal/module"
)

// Paths are interactionC.db's backup and file-system locations.
var Paths = module.InHome("Library/CoreDuet/People/interactionC.db")

// Defs are ios.interactionc and ios.interactionc_contacts.
func Defs() []module.Def {
	return []module.Def{
		module.IOS("ios.interactionc", "CoreDuet interactions: senders and recipients of messages and calls per app, with dates.").
			FirstDB("interactionC.db", Paths, read),
		// The per-party side of the same database: CoreDuet's counters and
		// first/last interaction dates per sender and recipient.
		module.IOS("ios.interactionc_contacts", "CoreDuet per-party interaction counters with first and last incoming and outgoing dates (interactionC.db), kept after conversations are deleted.").
			FirstDB("interactionC.db", Paths, readContacts),
	}
}
