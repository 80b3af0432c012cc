// Package appprivacy is the ios.app_privacy_report module: the App Privacy
// Report an iPhone owner saves from Settings → Privacy & Security → App
// Privacy Report (iOS 15.2 and later), with no computer. For the last seven
// days it lists the domains each app contacted by itself and those the
// websites shown in apps (Safari included) contacted, and when apps used
// the camera, microphone, location, contacts or photos. No spyware tool
// read it before: a domain of an infection server contacted by an app is a
// trace of that app on the phone.
package appprivacy

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/phoneexport"
)

// Paths: the name the phone gives the report, any NDJSON file, then any
// file (a renamed report is recognised by its first line).
var Paths = []string{"App_Privacy_Report*.ndjson", "**/*.ndjson", "**"}

// maxFiles bounds the files of a folder looked at.
const maxFiles = 10_000

// Def is the ios.app_privacy_report module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.app_privacy_report",
		Description: "App Privacy Report (saved on the iPhone): domains each app and website contacted in the last seven days, and apps' use of camera, microphone, location, contacts and photos.",
		Kinds:       []source.Kind{source.IOSAppPrivacyReport},
		Paths:       Paths,
		Run:         run,
	}
}

func run(ctx context.Context, env *module.Env) error {
	var files []string
	for _, f := range env.Evidence.Glob(Paths...) {
		if !phoneexport.Secret(f) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return module.Absent("App_Privacy_Report_*.ndjson")
	}
	if len(files) > maxFiles {
		env.Warn("%d files; only the first %d were looked at", len(files), maxFiles)
		files = files[:maxFiles]
	}
	rd := NewReader()
	reports, others := 0, 0
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := env.Open(name, evfile.Stream)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		env.Find(name) // looked at, report or not
		isReport, err := rd.Add(name, ctxReader{ctx, f})
		f.Close()
		if isReport {
			reports++
		} else {
			others++
		}
		if err != nil {
			env.Unreadable(name, err)
		}
	}
	if reports == 0 {
		return module.Absent("an App Privacy Report (no file starts with a report's record)")
	}
	if others > 0 {
		env.Log.Info("files that are not App Privacy Reports were left aside", "count", others)
	}
	warn(env, rd)
	emit(env, rd)
	return nil
}

func warn(env *module.Env, rd *Reader) {
	if rd.BadCount > 0 {
		env.Warn("%d lines are not records of the report, first: %s", rd.BadCount, rd.Bad[0])
	}
	if rd.BadHosts > 0 {
		env.Warn("%d network records name no host or IP address (kept, not matched against indicators), first: %s", rd.BadHosts, rd.BadHost)
	}
	if len(rd.Unknown) > 0 {
		var types []string
		for t, n := range rd.Unknown {
			types = append(types, fmt.Sprintf("%s (%d)", t, n))
		}
		slices.Sort(types)
		env.Warn("records of unknown types: %s", strings.Join(types, ", "))
	}
	if rd.Stopped {
		env.Warn("more than %d records: the rest was not read", maxRecords)
	}
	if rd.Dups > 0 {
		env.Log.Info("records present in more than one report kept once", "count", rd.Dups)
	}
}

// appIPs is what the IP-address rule needs per app.
type appIPs struct {
	ips   []string
	named bool
	first *model.Record
}

func emit(env *module.Env, rd *Reader) {
	slices.SortStableFunc(rd.Networks, func(a, b Network) int { return a.First.Compare(b.First) })
	byApp := map[string]*appIPs{}
	var order []string
	for i := range rd.Networks {
		n := &rd.Networks[i]
		r := n.record()
		env.Emit(r)
		if !n.ByApp || !n.ValidHost {
			continue
		}
		a := byApp[n.App]
		if a == nil {
			a = &appIPs{}
			byApp[n.App] = a
			order = append(order, n.App)
		}
		switch {
		case !n.IP():
			a.named = true
		case heuristics.PublicIP(n.Domain) && !slices.Contains(a.ips, n.Domain) && len(a.ips) < 1000:
			a.ips = append(a.ips, n.Domain)
			if a.first == nil {
				a.first = r
			}
		}
	}
	for _, app := range order {
		a := byApp[app]
		env.Report(heuristics.PrivacyReportIPLiteral(app, a.ips, a.named), a.first)
	}
	slices.SortStableFunc(rd.Accesses, func(a, b Access) int {
		return cmp.Compare(firstOf(a.Began, a.Ended).UnixNano(), firstOf(b.Began, b.Ended).UnixNano())
	})
	for i := range rd.Accesses {
		env.Emit(rd.Accesses[i].record())
	}
}

func (n *Network) record() *model.Record {
	r := &model.Record{Source: fmt.Sprintf("%s:%d", n.File, n.Line), Data: n}
	app := orUnknown(n.App)
	if n.Website != "" {
		r.Summary = fmt.Sprintf("Website %s shown in %s connected to %s (%d times)", n.Website, app, n.Domain, n.Hits)
	} else {
		r.Summary = fmt.Sprintf("%s connected to %s (%d times)", app, n.Domain, n.Hits)
	}
	if n.ValidHost {
		kind := model.KindDomain
		if n.IP() {
			kind = model.KindIP
		}
		field := "domain"
		if n.ByApp {
			field = model.FieldContactedByApp
		}
		r.Add(kind, strings.Trim(n.Domain, "[]"), field)
	}
	if n.Website != "" && ValidHost(strings.ToLower(n.Website)) {
		r.Add(model.KindDomain, strings.ToLower(n.Website), "context")
	}
	r.Add(model.KindAppID, n.App, "bundleID")
	r.StampChecked(n.First, n.firstErr, "first_connection")
	if !n.Last.Equal(n.First) || n.lastErr != nil {
		r.StampChecked(n.Last, n.lastErr, "last_connection")
	}
	return r
}

// categoryWords are how a summary names a resource.
var categoryWords = map[string]string{
	"camera": "the camera", "microphone": "the microphone", "location": "the location", "contacts": "the contacts",
	"photos": "the photos", "mediaLibrary": "the media library", "screenRecording": "screen recording",
}

func (a *Access) record() *model.Record {
	r := &model.Record{Source: fmt.Sprintf("%s:%d", a.File, a.Line), Data: a}
	what := categoryWords[a.Category]
	if what == "" {
		what = orUnknown(a.Category)
	}
	r.Summary = fmt.Sprintf("%s used %s", orUnknown(a.App), what)
	r.Add(model.KindAppID, a.App, "accessor")
	r.Add(model.KindAppID, a.Broadcaster, "broadcaster")
	r.StampChecked(a.Began, a.beganErr, "access_began")
	r.StampChecked(a.Ended, a.endedErr, "access_ended")
	return r
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// firstOf is the time an access is sorted by: its start, else its end.
func firstOf(began, ended time.Time) time.Time {
	if began.IsZero() {
		return ended
	}
	return began
}

type ctxReader struct {
	ctx context.Context
	r   interface{ Read([]byte) (int, error) }
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
