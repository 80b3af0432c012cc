// Package interactionc reads CoreDuet's interaction log (interactionC.db):
// who messaged or called whom, through which app, and when — including
// parties of deleted conversations. WhatsApp ids are given the phone number
// and name WhatsApp's own address book (ContactsV2.sqlite) holds for them.
package interactionc

import (
	"context"
	"errors"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/module/ios/whatsappcontacts"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Paths are interactionC.db's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/CoreDuet/People/interactionC.db",
	"private/var/mobile/Library/CoreDuet/People/interactionC.db",
}

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.interactionc" }
func (Module) Description() string {
	return "CoreDuet interactions: senders and recipients of messages and calls per app, with dates."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Module) Run(ctx context.Context, env *module.Env) error {
	db, resolve, err := open(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	return eachInteraction(ctx, db, resolve, func(i *Interaction) error {
		env.Emit(i.record(db.Name))
		return nil
	})
}

// Contacts is the per-party side of the same database: CoreDuet's counters
// and first/last interaction dates per sender and recipient.
type Contacts struct{}

func NewContacts() module.Module { return Contacts{} }

func (Contacts) Name() string { return "ios.interactionc_contacts" }
func (Contacts) Description() string {
	return "CoreDuet per-party interaction counters with first and last incoming and outgoing dates (interactionC.db), kept after conversations are deleted."
}
func (Contacts) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Contacts) Run(ctx context.Context, env *module.Env) error {
	db, resolve, err := open(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	return eachContact(ctx, db, resolve, func(c *Contact) error {
		env.Emit(c.record(db.Name))
		return nil
	})
}

// open finds interactionC.db and loads WhatsApp's address book, without
// which WhatsApp ids simply stay unresolved.
func open(ctx context.Context, env *module.Env) (*sqlitex.DB, resolver, error) {
	db, err := iosdb.Open(env, "interactionC.db", Paths...)
	if err != nil {
		return nil, nil, err
	}
	dir, err := whatsappcontacts.Load(ctx, env)
	switch {
	case err == nil:
		return db, dir.Resolve, nil
	case !errors.Is(err, module.ErrAbsent):
		env.Warn("WhatsApp contacts unreadable, WhatsApp ids stay unresolved: %v", err)
	}
	return db, nil, nil
}
