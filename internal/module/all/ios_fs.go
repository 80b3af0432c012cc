package all

import (
	"slices"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/cachefiles"
	"github.com/huella-project/huella/internal/module/ios/crashreports"
	"github.com/huella-project/huella/internal/module/ios/filetree"
	"github.com/huella-project/huella/internal/module/ios/iosversions"
	"github.com/huella-project/huella/internal/module/ios/keychainanalytics"
	"github.com/huella-project/huella/internal/module/ios/netusage"
	"github.com/huella-project/huella/internal/module/ios/safarifavicon"
	"github.com/huella-project/huella/internal/module/ios/shutdownlog"
	"github.com/huella-project/huella/internal/module/ios/webkitorigins"
)

// iosFS lists the modules that need a file-system dump (the backup modules
// that also read dumps are in ios.go). ios.shutdown_log, ios.crash_reports
// and ios.version_history also read sysdiagnose archives.
func iosFS() []module.Def {
	return slices.Concat(
		[]module.Def{cachefiles.Def(), filetree.Def(), netusage.Def(), keychainanalytics.Def(), safarifavicon.Def(),
			shutdownlog.Def(), iosversions.Def(), crashreports.Def()},
		webkitorigins.Defs(),
	)
}
