package all

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysps"
)

// sysdiagnose lists the modules only a sysdiagnose archive feeds. The
// shutdown log, crash reports and analytics journals are read by the
// modules in ios_fs.go, which declare both kinds.
func sysdiagnose() []module.Def {
	return []module.Def{
		sysps.Def(),
	}
}
