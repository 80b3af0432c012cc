// Package aqf holds the modules that read androidqf acquisitions: packages,
// processes, properties, settings, file listing, log timestamps, root
// binaries and mounts. The acquisition's files sit at the root of the
// evidence tree (source/androidqf removes any wrapping folder).
package aqf

import (
	"context"

	"github.com/huella-project/huella/internal/module"
)

// Defs are the androidqf modules in their reporting order.
func Defs() []module.Def {
	return []module.Def{
		def("android.aqf_packages", "Installed packages (packages.json): app ids, APK and certificate hashes, how each app was installed.", runPackages, "packages.json"),
		def("android.aqf_processes", "Running processes at acquisition time (ps.txt, processes.txt or processes.json).", runProcesses, "processes.json", "processes.txt", "ps.txt"),
		def("android.aqf_getprop", "System properties (getprop.txt), with the security patch age.", runGetprop, "getprop.txt"),
		def("android.aqf_settings", "System, secure and global settings (settings_*.txt) that weaken the phone's protections.", runSettings, "settings_*.txt"),
		def("android.aqf_files", "File listing (files.json): paths, hashes and times; files staged in /data/local/tmp.", runFiles, "files.json"),
		def("android.aqf_log_timestamps", "Modification times of the log files androidqf collected (logs/).", runLogTimestamps, "logs/**"),
		def("android.root_binaries", "Root binaries androidqf found on the phone (root_binaries.json).", runRootBinaries, "root_binaries.json"),
		def("android.mounts", "Mounted partitions (mounts.json): system partitions mounted read-write.", runMounts, "mounts.json"),
	}
}

// def is an androidqf module reading paths (the acquisition's own files).
func def(name, desc string, run func(context.Context, *module.Env) error, paths ...string) module.Def {
	return module.Android(name, desc).Reads(paths, run)
}
