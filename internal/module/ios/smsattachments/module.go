// Package smsattachments reads the attachments of sms.db (file names, types,
// senders), where zero-click iMessage deliveries left their traces.
package smsattachments

import (
	"context"
	"errors"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/contacts"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/module/ios/sms"
	"github.com/huella-project/huella/internal/source"
)

// Def is the ios.sms_attachments module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.sms_attachments",
		Description: "iMessage and MMS attachments, flagging files stored the way zero-click exploits left them.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       sms.Paths,
		Run:         run,
	}
}

func run(ctx context.Context, env *module.Env) error {
	db, err := iosdb.Open(env, "sms.db", sms.Paths...)
	if err != nil {
		return err
	}
	defer db.Close()
	known, kerr := contacts.Known(ctx, env)
	if kerr != nil && !errors.Is(kerr, module.ErrAbsent) {
		env.Warn("address book unreadable, every sender is treated as unknown: %v", kerr)
	}
	return eachAttachment(ctx, db, func(a *Attachment) error {
		r := a.record(db.Name)
		env.Emit(r)
		env.Report(heuristics.ZeroClickAttachment(a.Filename, a.Outgoing), r)
		env.Report(heuristics.PassKitFromUnknown(a.MimeType, a.UTI, a.TransferName, a.Outgoing, a.Handle != "" && known(a.Handle)), r)
		return nil
	})
}
