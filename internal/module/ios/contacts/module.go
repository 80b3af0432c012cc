// Package contacts reads the iOS address book (AddressBook.sqlitedb). Besides
// its own records it answers "is this handle a known contact?" for the
// message modules, since lures come from unknown senders.
package contacts

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths are the address book's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/AddressBook/AddressBook.sqlitedb",
	"private/var/mobile/Library/AddressBook/AddressBook.sqlitedb",
}

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.contacts" }
func (Module) Description() string {
	return "Contacts from the address book (names, phone numbers, e-mail addresses)."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Module) Run(ctx context.Context, env *module.Env) error {
	return eachPerson(ctx, env, func(p *Person) error {
		env.Emit(p.record())
		return nil
	})
}
