// Package whatsappcontacts reads WhatsApp's own address book
// (ContactsV2.sqlite): who each WhatsApp account is (name, phone number,
// anonymous "@lid" id), their disappearing-messages setting and "about"
// text. Other modules use it to put names on bare WhatsApp ids.
package whatsappcontacts

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

const backupDomain = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared"

// Paths are ContactsV2.sqlite's backup path and file-system pattern.
var Paths = []string{
	backupDomain + "/ContactsV2.sqlite",
	"private/var/mobile/Containers/Shared/AppGroup/*/ContactsV2.sqlite",
}

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.whatsapp_contacts" }
func (Module) Description() string {
	return "WhatsApp contacts (ContactsV2.sqlite): names, phone numbers and LIDs, disappearing-messages settings and about texts, with their dates."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Module) Run(ctx context.Context, env *module.Env) error {
	db, err := iosdb.Open(env, "WhatsApp ContactsV2.sqlite", Paths...)
	if err != nil {
		return err
	}
	defer db.Close()
	return Each(ctx, db, func(c *Contact) error {
		env.Emit(c.record(db.Name))
		return nil
	})
}
