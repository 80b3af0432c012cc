// Package aqf holds the modules that read androidqf acquisitions: packages,
// processes, properties, settings, file listing, log timestamps, root
// binaries and mounts. The acquisition's files sit at the root of the
// evidence tree (source/androidqf removes any wrapping folder).
package aqf

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// maxJSON bounds a JSON artifact read whole; files.json of a full phone is
// tens of MB, so it is streamed instead (see files.go).
var maxJSON = evfile.JSON

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
	return module.Def{Name: name, Description: desc, Kinds: []source.Kind{source.AndroidQF}, Paths: paths, Run: run}
}

// open returns the first file found among names for streaming, or
// ErrAbsent.
func open(env *module.Env, names ...string) (fs.File, string, error) {
	found := env.Find(names...)
	if len(found) == 0 {
		return nil, "", module.Absent(fmt.Sprint(names))
	}
	f, err := env.Open(found[0], evfile.Stream)
	if err != nil {
		return nil, found[0], err
	}
	return f, found[0], nil
}

// readAll reads the first file found among names whole, within maxJSON.
func readAll(env *module.Env, names ...string) ([]byte, string, error) {
	found := env.Find(names...)
	if len(found) == 0 {
		return nil, "", module.Absent(fmt.Sprint(names))
	}
	lim := maxJSON
	if strings.HasSuffix(found[0], ".txt") {
		// Text (getprop, ps, settings) may have been saved through a
		// Windows shell: the text limit decodes UTF-16.
		lim = evfile.Text
	}
	b, err := env.ReadFile(found[0], lim)
	return b, found[0], err
}

func detect(env *module.Env, f *rules.Finding, r *model.Record) { env.Report(f, r) }

// acquired is the reference time for age checks: the acquisition date, else
// now (said in the reason by the caller).
func acquired(env *module.Env) (time.Time, bool) {
	if a := env.Evidence.Device.Acquired; a != nil && !a.IsZero() {
		return *a, true
	}
	return time.Now(), false
}
