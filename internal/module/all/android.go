package all

import (
	"slices"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/android/aqf"
	"github.com/huella-project/huella/internal/module/android/bugreport"
	"github.com/huella-project/huella/internal/module/android/dumpsys"
	"github.com/huella-project/huella/internal/module/android/intrusionlogs"
	"github.com/huella-project/huella/internal/module/android/smsbackup"
	"github.com/huella-project/huella/internal/module/android/tombstones"
)

func android() []module.Def {
	return slices.Concat(
		dumpsys.Defs(),
		bugreport.Defs(),
		[]module.Def{tombstones.Def()},
		aqf.Defs(),
		[]module.Def{smsbackup.Def(), intrusionlogs.Def()},
	)
}
