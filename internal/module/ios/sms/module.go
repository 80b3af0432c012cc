// Package sms reads iMessage and SMS messages from sms.db, the main carrier of
// one-click spyware links.
package sms

import (
	"context"
	"errors"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/contacts"
	"github.com/huella-project/huella/internal/source"
)

// Paths are sms.db's backup and file-system locations.
var Paths = []string{
	"HomeDomain/Library/SMS/sms.db",
	"private/var/mobile/Library/SMS/sms.db",
}

// Def is the ios.sms module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.sms",
		Description: "SMS and iMessage messages with their links, Apple threat notifications and lure-shaped messages.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         run,
	}
}

func run(ctx context.Context, env *module.Env) error {
	db, err := openDB(env)
	if err != nil {
		return err
	}
	defer db.Close()
	known, kerr := contacts.Known(ctx, env)
	contactsKnown := kerr == nil
	if kerr != nil && !errors.Is(kerr, module.ErrAbsent) {
		env.Warn("address book unreadable, every sender is treated as unknown: %v", kerr)
	}
	return eachMessage(ctx, db, func(m *Message) error {
		if contactsKnown && m.Handle != "" {
			k := known(m.Handle)
			m.SenderKnown = &k
		}
		r := m.record(db.Name)
		env.Emit(r)
		for _, f := range m.findings() {
			env.Detect(detection(f, r))
		}
		return nil
	})
}
