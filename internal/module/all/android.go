package all

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/android/aqf"
	"github.com/huella-project/huella/internal/module/android/bugreport"
	"github.com/huella-project/huella/internal/module/android/dumpsys"
	"github.com/huella-project/huella/internal/module/android/intrusionlogs"
	"github.com/huella-project/huella/internal/module/android/sms"
	"github.com/huella-project/huella/internal/module/android/tombstones"
)

func android() []module.Module {
	var out []module.Module
	out = append(out, dumpsys.Modules()...)
	out = append(out, bugreport.Modules()...)
	out = append(out, tombstones.New())
	out = append(out, aqf.Modules()...)
	out = append(out, sms.New(), intrusionlogs.New())
	return out
}
