// Package whatsapp reads WhatsApp's chat store (ChatStorage.sqlite): messages
// with their links, chat sessions, and the LID-to-phone pairs (LID.sqlite)
// that say who an anonymous "@lid" account is.
package whatsapp

import (
	"context"
	"errors"
	"path"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

const backupDomain = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"

// Paths are ChatStorage.sqlite's backup path and file-system pattern.
var Paths = []string{
	backupDomain + "/ChatStorage.sqlite",
	"private/var/mobile/Containers/Shared/AppGroup/*/ChatStorage.sqlite",
}

// Def is the ios.whatsapp module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.whatsapp",
		Description: "WhatsApp messages and their links, chat sessions and LID-to-phone-number pairs.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS},
		Paths:       Paths,
		Run:         run,
	}
}

func run(ctx context.Context, env *module.Env) error {
	db, err := iosdb.Open(env, "WhatsApp ChatStorage.sqlite", Paths...)
	if err != nil {
		return err
	}
	defer db.Close()
	// LID.sqlite sits beside ChatStorage.sqlite; in backups it may be on disk
	// without a Manifest.db row, which the backup FS resolves by name.
	pairs, err := lidPairs(ctx, env, path.Join(path.Dir(db.Name), "LID.sqlite"), db)
	if err != nil && !errors.Is(err, module.ErrAbsent) {
		env.Warn("LID pairs unreadable, @lid accounts stay unresolved: %v", err)
	}
	lids := map[string]string{}
	for _, p := range pairs {
		lids[p.LID] = p.PhoneNumber
		env.Emit(p.record())
	}
	if err := eachMessage(ctx, db, func(m *Message) error {
		env.Emit(m.record(db.Name))
		return nil
	}); err != nil {
		return err
	}
	return eachSession(ctx, db, lids, func(s *Session) error {
		env.Emit(s.record(db.Name))
		return nil
	})
}
