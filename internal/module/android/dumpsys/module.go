// Package dumpsys holds the modules that read dumpsys sections from a
// bugreport's main dumpstate file or androidqf's dumpsys.txt.
package dumpsys

import (
	"context"
	"slices"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidqf"
)

// Kinds are the evidence types that carry a dumpsys text.
var Kinds = []source.Kind{source.Bugreport, source.AndroidQF}

// mainNames are the main dumpsys text's names, tried in this order under
// the bug report's root once main_entry.txt (which names it) fails.
var mainNames = []string{"bugreport-*.txt", "dumpstate*.txt", "dumpState_*.log", "dumpsys.txt", "*/dumpsys.txt", "*/bugreport-*.txt"}

// Paths are every name Locate tries: in a bug report's own tree, and in the
// bug report zip mounted in an androidqf acquisition (whose dumpsys.txt is a
// fallback, matched by the same names). main_entry.txt, which points at the
// main file under any name, is read first.
var Paths = slices.Concat(mainNames, prefixed(androidqf.BugreportMount+"/", mainNames))

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// Defs are the dumpsys modules, in MVT's order. Each reads one or more
// service sections of the evidence's main dumpsys text (see Locate).
func Defs() []module.Def {
	return []module.Def{
		def("android.accessibility",
			"Accessibility services (dumpsys accessibility): apps that can read the screen and act for the user.",
			runAccessibility),
		def("android.activities",
			"Activities registered for intent actions (dumpsys package, Activity Resolver Table).",
			runActivities),
		def("android.appops",
			"App operations (dumpsys appops): which app used which permission, when; app installs and adb-shell use are flagged.",
			runAppops),
		def("android.battery_daily",
			"Package updates, downgrades and uninstalls by day (dumpsys batterystats, daily stats).",
			runBatteryDaily),
		def("android.battery_history",
			"Apps' jobs, alarms and foreground use in the battery history (dumpsys batterystats).",
			runBatteryHistory),
		def("android.dbinfo",
			"Recent database operations (dumpsys dbinfo): database paths and the apps owning them.",
			runDBInfo),
		def("android.dumpsys_packages",
			"Installed packages (dumpsys package): versions, installer, install times, permissions.",
			runPackages),
		def("android.platform_compat",
			"Packages with compatibility overrides (dumpsys platform_compat), including uninstalled ones.",
			runPlatformCompat),
		def("android.receivers",
			"Broadcast receivers (dumpsys package, Receiver Resolver Table); SMS and call listeners of non-system apps are flagged.",
			runReceivers),
		def("android.adb_keys",
			"Computers trusted for USB debugging (dumpsys adb, adb_keys), with key fingerprints.",
			runADBKeys, adbKeyFiles...),
	}
}

// def is a module over the dumpsys text that may read other files too.
func def(name, desc string, run func(context.Context, *module.Env) error, also ...string) module.Def {
	return module.New(name, desc, Kinds...).Reads(slices.Concat(Paths, also), run)
}
