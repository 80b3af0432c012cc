// Package manifest emits every Files row of an iOS backup's Manifest.db:
// the full list of what the phone backed up, with its timestamps, even for
// files the backup does not hold.
package manifest

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths is where the backup reader exposes the backup's Manifest.db.
var Paths = []string{"_backup/Manifest.db"}

// Def is the ios.manifest module.
func Def() module.Def {
	return module.New("ios.manifest", "Every file and folder listed in the backup's Manifest.db, with creation, modification and change times.", source.IOSBackup).
		Reads(Paths, run)
}
