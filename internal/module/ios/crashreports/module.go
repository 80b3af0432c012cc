// Package crashreports is the ios.crash_reports module: .ips crash and
// diagnostic reports in file-system dumps (Logs/CrashReporter) and
// sysdiagnose archives (crashes_and_spins). Exploits crash the process they
// attack (IMTranscoderAgent, BlastDoor, WebKit, mediaserverd), so crash
// times matter on the timeline next to messages and visits.
package crashreports

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

var Patterns = []string{
	"private/var/mobile/Library/Logs/CrashReporter/**/*.ips",
	"private/var/containers/Shared/SystemGroup/*/Library/Logs/**/*.ips",
	"crashes_and_spins/**/*.ips",
	"**/*.ips",
}

// maxReports bounds records from hostile evidence full of tiny .ips files.
const maxReports = 200_000

// Def is the ios.crash_reports module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.crash_reports",
		Description: "Crash and diagnostic reports (.ips): crashed process, bundle id, executable path, iOS version and time.",
		Kinds:       []source.Kind{source.IOSFS, source.IOSSysdiagnose},
		Paths:       Patterns,
		Run:         run,
	}
}

// Report is one .ips file.
type Report struct {
	File string `json:"file"`
	Header
	Body
}

func run(ctx context.Context, env *module.Env) error {
	var found []string
	for _, f := range env.Evidence.Glob(Patterns...) {
		// Analytics journals are daily summaries, read by ios.version_history.
		if !strings.HasPrefix(path.Base(f), "Analytics-") {
			found = append(found, f)
		}
	}
	if len(found) == 0 {
		return module.Absent(".ips crash reports")
	}
	if len(found) > maxReports {
		env.Warn("%d .ips files; only the first %d were read", len(found), maxReports)
		found = found[:maxReports]
	}
	var errs []error
	for i, name := range found {
		if i%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		env.Find(name)
		rep, err := readReport(env.Evidence, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		env.Emit(record(rep))
	}
	if len(errs) > 20 {
		env.Warn("%d .ips files could not be read; the first 20 errors follow", len(errs))
		errs = errs[:20]
	}
	return errors.Join(errs...)
}

func readReport(ev *source.Evidence, name string) (*Report, error) {
	f, err := ev.Open(name, evfile.Stream)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, b, err := Read(f, name)
	if err != nil {
		return nil, err
	}
	return &Report{File: name, Header: h, Body: b}, nil
}

func record(rep *Report) *model.Record {
	proc := rep.AppName
	if proc == "" {
		proc = rep.Name
	}
	if proc == "" && rep.ProcPath != "" {
		proc = path.Base(rep.ProcPath)
	}
	r := &model.Record{Source: rep.File, Data: rep}
	r.Summary = fmt.Sprintf("Crash or diagnostic report (bug type %s) for %s", rep.BugType, orUnknown(proc))
	if rep.Exception.Type != "" {
		r.Summary += " (" + rep.Exception.Type + ")"
	}
	if rep.OSVersion != "" {
		r.Summary += " on " + rep.OSVersion
	}
	r.Add(model.KindProcess, proc, "app_name")
	if rep.Name != "" && rep.Name != proc {
		r.Add(model.KindProcess, rep.Name, "name")
	}
	r.Add(model.KindAppID, rep.BundleID, "bundleID")
	r.Add(model.KindFilePath, rep.ProcPath, "procPath")
	r.Add(model.KindProcess, rep.ParentProc, "parentProc")
	r.Stamp(rep.Time, stampDesc(rep.BugType))
	return r
}

// crashTypes are the bug types of process crashes and kernel panics; other
// reports (jetsam, stackshots, resource use) are diagnostics, not crashes.
var crashTypes = map[string]bool{"109": true, "309": true, "210": true}

func stampDesc(bugType string) string {
	if crashTypes[bugType] {
		return "crash"
	}
	return "diagnostic_report"
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown process"
	}
	return s
}
