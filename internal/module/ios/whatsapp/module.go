// Package whatsapp reads WhatsApp's chat store (ChatStorage.sqlite): messages
// with their links, chat sessions, and the LID-to-phone pairs (LID.sqlite)
// that say who an anonymous "@lid" account is.
package whatsapp

import (
	"github.com/huella-project/huella/internal/module"
)

const backupDomain = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"

// Paths are ChatStorage.sqlite's backup path and file-system pattern.
var Paths = []string{
	backupDomain + "/ChatStorage.sqlite",
	"private/var/mobile/Containers/Shared/AppGroup/*/ChatStorage.sqlite",
}

// Def is the ios.whatsapp module.
func Def() module.Def {
	return module.IOS("ios.whatsapp", "WhatsApp messages and their links, chat sessions and LID-to-phone-number pairs.").
		FirstDB("WhatsApp ChatStorage.sqlite", Paths, read)
}
