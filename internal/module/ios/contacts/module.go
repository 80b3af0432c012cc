// Package contacts reads the iOS address book (AddressBook.sqlitedb). Besides
// its own records it answers "is this handle a known contact?" for the
// message modules, since lures come from unknown senders.
package contacts

import (
	"github.com/huella-project/huella/internal/module"
)

// Paths are the address book's backup and file-system locations.
var Paths = module.InHome("Library/AddressBook/AddressBook.sqlitedb")

// Def is the ios.contacts module.
func Def() module.Def {
	return module.IOS("ios.contacts", "Contacts from the address book (names, phone numbers, e-mail addresses).").
		Reads(Paths, run)
}
