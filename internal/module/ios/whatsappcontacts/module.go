// Package whatsappcontacts reads WhatsApp's own address book
// (ContactsV2.sqlite): who each WhatsApp account is (name, phone number,
// anonymous "@lid" id), their disappearing-messages setting and "about"
// text. Other modules use it to put names on bare WhatsApp ids.
package whatsappcontacts

import (
	"github.com/huella-project/huella/internal/module"
)

const backupDomain = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"

// Paths are ContactsV2.sqlite's backup path and file-system pattern.
var Paths = []string{
	backupDomain + "/ContactsV2.sqlite",
	"private/var/mobile/Containers/Shared/AppGroup/*/ContactsV2.sqlite",
}

// Def is the ios.whatsapp_contacts module.
func Def() module.Def {
	return module.IOS("ios.whatsapp_contacts", "WhatsApp contacts (ContactsV2.sqlite): names, phone numbers and LIDs, disappearing-messages settings and about texts, with their dates.").
		FirstDB("WhatsApp ContactsV2.sqlite", Paths, module.Records(Each, (*Contact).record))
}
