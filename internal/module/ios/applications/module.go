// Package applications lists installed apps: from the backup's Info.plist
// (its "Applications" metadata and "Installed Applications" list) or, on a
// file-system dump, from each app bundle's iTunesMetadata.plist. Apps that
// did not come from the App Store or device management are flagged.
package applications

import (
	"github.com/huella-project/huella/internal/module"
)

// InfoPlist is where the backup reader exposes the backup's own Info.plist.
const InfoPlist = "_backup/Info.plist"

// MetadataGlob finds app metadata on a file-system dump.
const MetadataGlob = "private/var/containers/Bundle/Application/*/iTunesMetadata.plist"

// Paths are where the app lists are: the backup's Info.plist, else every
// app bundle's metadata on a file-system dump.
var Paths = []string{InfoPlist, MetadataGlob}

// Def is the ios.applications module.
func Def() module.Def {
	return module.IOS("ios.applications", "Installed apps with their store metadata, flagging apps not installed from the App Store or MDM.").
		Reads(Paths, run)
}
