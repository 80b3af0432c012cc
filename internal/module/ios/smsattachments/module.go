// Package smsattachments reads the attachments of sms.db (file names, types,
// senders), where zero-click iMessage deliveries left their traces.
package smsattachments

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sms"
	"github.com/huella-project/huella/internal/source"
)

// Paths are sms.db's, which holds the attachments table.
var Paths = sms.Paths

// Def is the ios.sms_attachments module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.sms_attachments",
		Description: "iMessage and MMS attachments, flagging files stored the way zero-click exploits left them.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         module.FirstDB("sms.db", Paths, read),
	}
}
