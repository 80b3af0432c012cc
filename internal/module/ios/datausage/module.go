// Package datausage is the ios.datausage module: DataUsage.sqlite, read by the
// shared net-usage parser.
package datausage

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/netusage"
	"github.com/huella-project/huella/internal/source"
)

// Paths are where DataUsage.sqlite lives in a backup and in a file-system dump.
var Paths = []string{
	"WirelessDomain/Library/Databases/DataUsage.sqlite",
	"private/var/wireless/Library/Databases/DataUsage.sqlite",
}

// Def is the ios.datausage module.
func Def() module.Def {
	return netusage.ForPaths("ios.datausage", Paths, []source.Kind{source.IOSBackup, source.IOSFS})
}
