// Package backupinfo reports the device and backup facts of an iOS
// backup's Info.plist as one record.
package backupinfo

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

const artifact = "_backup/Info.plist"

// Paths is where the backup reader exposes the backup's Info.plist.
var Paths = []string{artifact}

// Def is the ios.backup_info module.
func Def() module.Def {
	return module.New("ios.backup_info", "Device name, model, iOS version and identifiers from the backup's Info.plist.", source.IOSBackup).
		Reads(Paths, run)
}
