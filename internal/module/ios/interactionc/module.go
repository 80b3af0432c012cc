// Package interactionc reads CoreDuet's interaction log (interactionC.db):
// who messaged or called whom, through which app, and when — including
// parties of deleted conversations. WhatsApp ids are given the phone number
// and name WhatsApp's own address book (ContactsV2.sqlite) holds for them.
package interactionc

import (
	"context"
	"errors"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/whatsappcontacts"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Paths are interactionC.db's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/CoreDuet/People/interactionC.db",
	"private/var/mobile/Library/CoreDuet/People/interactionC.db",
}

// Defs are ios.interactionc and ios.interactionc_contacts.
func Defs() []module.Def {
	return []module.Def{
		{
			Name:        "ios.interactionc",
			Description: "CoreDuet interactions: senders and recipients of messages and calls per app, with dates.",
			Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
			Paths:       Paths,
			Run:         module.FirstDB("interactionC.db", Paths, read),
		},
		// The per-party side of the same database: CoreDuet's counters and
		// first/last interaction dates per sender and recipient.
		{
			Name:        "ios.interactionc_contacts",
			Description: "CoreDuet per-party interaction counters with first and last incoming and outgoing dates (interactionC.db), kept after conversations are deleted.",
			Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
			Paths:       Paths,
			Run:         module.FirstDB("interactionC.db", Paths, readContacts),
		},
	}
}

func read(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	return eachInteraction(ctx, db, whatsappIDs(ctx, env), func(i *Interaction) error {
		env.Emit(i.record(db.Name))
		return nil
	})
}

func readContacts(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	return eachContact(ctx, db, whatsappIDs(ctx, env), func(c *Contact) error {
		env.Emit(c.record(db.Name))
		return nil
	})
}

// whatsappIDs loads WhatsApp's address book, without which WhatsApp ids
// simply stay unresolved (nil).
func whatsappIDs(ctx context.Context, env *module.Env) resolver {
	dir, err := whatsappcontacts.Load(ctx, env)
	switch {
	case err == nil:
		return dir.Resolve
	case !errors.Is(err, module.ErrAbsent):
		env.Warn("WhatsApp contacts unreadable, WhatsApp ids stay unresolved: %v", err)
	}
	return nil
}
