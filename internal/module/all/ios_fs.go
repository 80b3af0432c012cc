package all

import (
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
	"github.com/huella-project/huella/internal/source"
)

// iosFS lists the modules that need a file-system dump (the backup modules
// that also read dumps are in ios.go). ios.shutdown_log, ios.crash_reports
// and ios.version_history also read sysdiagnose archives.
func iosFS() []module.Module {
	return []module.Module{
		cachefiles.New(),
		filetree.New(),
		netusage.Module("ios.netusage", []string{"private/var/networkd/netusage.sqlite", "private/var/networkd/db/netusage.sqlite"}, []source.Kind{source.IOSFS}),
		keychainanalytics.New(),
		safarifavicon.New(),
		shutdownlog.New(),
		iosversions.New(),
		crashreports.New(),
		webkitorigins.NewIndexedDB(),
		webkitorigins.NewLocalStorage(),
		webkitorigins.NewSafariViewService(),
	}
}
