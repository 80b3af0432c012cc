// Package sms reads iMessage and SMS messages from sms.db, the main carrier of
// one-click spyware links.
package sms

import (
	"github.com/huella-project/huella/internal/module"
)

// Paths are sms.db's backup and file-system locations.
var Paths = module.InHome("Library/SMS/sms.db")

// Def is the ios.sms module.
func Def() module.Def {
	return module.IOS("ios.sms", "SMS and iMessage messages with their links, Apple threat notifications and lure-shaped messages.").
		FirstDB("sms.db", Paths, read)
}
