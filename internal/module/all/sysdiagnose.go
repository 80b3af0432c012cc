package all

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/logdatastats"
	"github.com/huella-project/huella/internal/module/ios/spindump"
	"github.com/huella-project/huella/internal/module/ios/sysps"
	"github.com/huella-project/huella/internal/module/ios/taskinfo"
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
	}
}
