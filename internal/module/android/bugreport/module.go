// Package bugreport holds the modules that read a bugreport as a whole
// rather than one dumpsys section: its system properties and the dates of
// the device files it copied.
package bugreport

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/android/dumpsys"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidqf"
)

// Defs are the bugreport-wide modules. Their kinds include androidqf: an
// acquisition's bug report zip is mounted in its tree (dumpsys.BugreportRoot).
func Defs() []module.Def {
	return []module.Def{
		module.Android("android.bugreport_getprop", "System properties recorded in the bugreport (SYSTEM PROPERTIES block); an old security patch is flagged.", source.Bugreport).
			Reads(dumpsys.Paths, runGetprop),
		// The device files under FS/ with their modification times, which
		// place crashes, logs and key changes in the timeline.
		module.Android("android.bugreport_files", "Device files copied into the bugreport (FS/) with their modification times.", source.Bugreport).
			Reads([]string{"FS/**", androidqf.BugreportMount + "/FS/**"}, runFiles),
	}
}
