// Package applications lists installed apps: from the backup's Info.plist
// (its "Applications" metadata and "Installed Applications" list) or, on a
// file-system dump, from each app bundle's iTunesMetadata.plist. Apps that
// did not come from the App Store or device management are flagged.
package applications

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// InfoPlist is where the backup reader exposes the backup's own Info.plist.
const InfoPlist = "_backup/Info.plist"

// MetadataGlob finds app metadata on a file-system dump.
const MetadataGlob = "private/var/containers/Bundle/Application/*/iTunesMetadata.plist"

type Module struct{}

func New() module.Module { return Module{} }

func (Module) Name() string { return "ios.applications" }
func (Module) Description() string {
	return "Installed apps with their store metadata, flagging apps not installed from the App Store or MDM."
}
func (Module) Kinds() []source.Kind { return []source.Kind{source.IOSBackup, source.IOSFS} }

func (Module) Run(ctx context.Context, env *module.Env) error { return run(ctx, env) }
