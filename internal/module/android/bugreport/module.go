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
	kinds := []source.Kind{source.Bugreport, source.AndroidQF}
	return []module.Def{
		{
			Name:        "android.bugreport_getprop",
			Description: "System properties recorded in the bugreport (SYSTEM PROPERTIES block); an old security patch is flagged.",
			Kinds:       kinds,
			Paths:       dumpsys.Paths,
			Run:         runGetprop,
		},
		// The device files under FS/ with their modification times, which
		// place crashes, logs and key changes in the timeline.
		{
			Name:        "android.bugreport_files",
			Description: "Device files copied into the bugreport (FS/) with their modification times.",
			Kinds:       kinds,
			Paths:       []string{"FS/**", androidqf.BugreportMount + "/FS/**"},
			Run:         runFiles,
		},
	}
}
