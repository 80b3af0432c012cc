// Package smsattachments reads the attachments of sms.db (file names, types,
// senders), where zero-click iMessage deliveries left their traces.
package smsattachments

import (
	"context"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/contacts"
	"github.com/huella-project/huella/internal/module/ios/sms"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Def is the ios.sms_attachments module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.sms_attachments",
		Description: "iMessage and MMS attachments, flagging files stored the way zero-click exploits left them.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       sms.Paths,
		Run:         module.FirstDB("sms.db", sms.Paths, read),
	}
}

func read(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	known, _ := contacts.Senders(ctx, env)
	return eachAttachment(ctx, db, func(a *Attachment) error {
		r := a.record(db.Name)
		env.Emit(r)
		env.Report(ios.ZeroClickAttachment(a.Filename, a.Outgoing), r)
		env.Report(ios.PassKitFromUnknown(a.MimeType, a.UTI, a.TransferName, a.Outgoing, a.Handle != "" && known(a.Handle)), r)
		return nil
	})
}
