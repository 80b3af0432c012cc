// Package smsattachments reads the attachments of sms.db (file names, types,
// senders), where zero-click iMessage deliveries left their traces.
package smsattachments

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sms"
)

// Paths are sms.db's, which holds the attachments table.
var Paths = sms.Paths

// Def is the ios.sms_attachments module.
func Def() module.Def {
	return module.IOS("ios.sms_attachments", "iMessage and MMS attachments, flagging files stored the way zero-click exploits left them.").
		FirstDB("sms.db", Paths, read)
}
