package all

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/lockdownlog"
	"github.com/huella-project/huella/internal/module/ios/logdatastats"
	"github.com/huella-project/huella/internal/module/ios/mobileactivation"
	"github.com/huella-project/huella/internal/module/ios/mobileinstall"
	"github.com/huella-project/huella/internal/module/ios/netext"
	"github.com/huella-project/huella/internal/module/ios/pairrecords"
	"github.com/huella-project/huella/internal/module/ios/spindump"
	"github.com/huella-project/huella/internal/module/ios/sysps"
	"github.com/huella-project/huella/internal/module/ios/taskinfo"
	"github.com/huella-project/huella/internal/module/ios/transparency"
	"github.com/huella-project/huella/internal/module/ios/unifiedlog"
	"github.com/huella-project/huella/internal/module/ios/uuid2path"
	"github.com/huella-project/huella/internal/module/ios/uuidtext"
)

// sysdiagnose lists the modules only a sysdiagnose archive feeds. The
// shutdown log, crash reports and analytics journals are read by the
// modules in ios_fs.go, which declare both kinds.
func sysdiagnose() []module.Def {
	return []module.Def{
		sysps.Def(),
		// Processes seen anywhere in the archive (the report's "Processes
		// seen" table joins them with ps.txt, shutdown.log and crashes).
		spindump.Def(), taskinfo.Def(), logdatastats.Def(), uuidtext.Def(), uuid2path.Def(),
		// The daemons' logs and settings (also read from file-system
		// dumps where they lie there): computers trusted, apps installed,
		// activation, VPNs and filters, devices on the account.
		lockdownlog.Def(), pairrecords.Def(), mobileinstall.Def(), mobileactivation.Def(), netext.Def(), transparency.Def(),
		// A unified-log export, alone or beside the sysdiagnose.
		unifiedlog.Def(),
	}
}
