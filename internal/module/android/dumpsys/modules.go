package dumpsys

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/android/dumpsystext"
	"github.com/huella-project/huella/internal/heuristics/android"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/rules"
)

// runAccessibility lists accessibility services and flags those of
// non-system apps; with the package, activity and device-policy data of the
// same dump it also looks for the stalkerware combination.
func runAccessibility(ctx context.Context, env *module.Env) error {
	d, body, name, err := loadSection(ctx, env, "accessibility", "package", "device_policy")
	if err != nil {
		return err
	}
	sys, known := systemSet(d)
	svcs := dumpsystext.ParseAccessibility(body)
	withA11y := map[string]bool{}
	for i := range svcs {
		s := svcs[i]
		withA11y[s.Package] = true
		state := "installed"
		if s.Enabled {
			state = "enabled"
		}
		r := &model.Record{Source: name, Summary: fmt.Sprintf("Accessibility service %s (%s)", s.Component, state), Data: s}
		r.Add(model.KindAppID, s.Package, "package_name")
		env.Emit(r)
		env.Report(android.AccessibilityHolder(s.Package, s.Component, sys[s.Package], known && hasKey(sys, s.Package)), r)
	}
	if known {
		stalkerware(env, d, withA11y)
	}
	return nil
}

func hasKey(m map[string]bool, k string) bool { _, ok := m[k]; return ok }

// stalkerware joins what the dump says about each app with an
// accessibility service.
func stalkerware(env *module.Env, d *dumpsystext.Dump, withA11y map[string]bool) {
	pkgBody, _ := d.Service("package")
	pkgs := dumpsystext.ParsePackages(pkgBody).Packages
	launchers := map[string]bool{}
	knownLauncher := false
	for _, h := range dumpsystext.ParseActivities(pkgBody) {
		if h.Intent == "android.intent.action.MAIN" {
			knownLauncher = true
			launchers[h.Package] = true
		}
	}
	admins := map[string]bool{}
	dp, knownAdmin := d.Service("device_policy")
	for _, c := range dumpsystext.ParseDeviceAdmins(dp) {
		p, _, _ := strings.Cut(c, "/")
		admins[p] = true
	}
	for _, p := range pkgs {
		if !withA11y[p.Name] {
			continue
		}
		perms := append([]string{}, p.RequestedPermissions...)
		for _, q := range p.Permissions {
			if q.Granted {
				perms = append(perms, q.Name)
			}
		}
		det := android.Stalkerware(android.StalkerwareSignals{
			Package: p.Name, System: p.System, Accessibility: true,
			DeviceAdmin: admins[p.Name], KnownDeviceAdmin: knownAdmin,
			NoLauncher: !launchers[p.Name], KnownLauncher: knownLauncher,
			Permissions: perms,
		})
		if det != nil {
			r := &model.Record{Summary: "Package " + p.Name, Data: p}
			r.Add(model.KindAppID, p.Name, "package_name")
			env.Report(det, r)
		}
	}
}

// runReceivers lists broadcast receivers and flags non-system apps listening
// for SMS and call events.
func runReceivers(ctx context.Context, env *module.Env) error {
	d, body, name, err := loadSection(ctx, env, "package")
	if err != nil {
		return err
	}
	sys, known := systemSet(d)
	for _, h := range dumpsystext.ParseReceivers(body) {
		r := &model.Record{Source: name, Summary: fmt.Sprintf("Receiver %s listens for %s", h.Component, h.Intent), Data: h}
		r.Add(model.KindAppID, h.Package, "package_name")
		env.Emit(r)
		env.Report(android.SMSCallReceiver(h.Intent, h.Package, h.Component, sys[h.Package], known && hasKey(sys, h.Package)), r)
	}
	return nil
}

// runAppops lists per-package app operations with their access times.
func runAppops(ctx context.Context, env *module.Env) error {
	body, name, err := section(ctx, env, "appops")
	if err != nil {
		return err
	}
	loc := env.Evidence.Device.Location()
	for _, p := range dumpsystext.ParseAppops(body) {
		r := &model.Record{Source: name, Summary: fmt.Sprintf("App operations of %s (uid %s, %d ops)", p.Package, p.UID, len(p.Permissions)), Data: p}
		r.Add(model.KindAppID, p.Package, "package_name")
		for _, perm := range p.Permissions {
			for _, e := range perm.Entries {
				stampWall(r, e.Raw, loc, fmt.Sprintf("%s %s %s", perm.Name, strings.ToLower(e.Access), e.Type))
			}
		}
		env.Emit(r)
		for _, perm := range p.Permissions {
			if len(perm.Entries) == 0 {
				report(env, r, android.RiskyAppop(p.Package, perm.Name, perm.Access, zeroTime))
			}
			for _, e := range perm.Entries {
				at, _ := dumpsystext.WallTime(e.Raw, loc) // an impossible one is kept on the record above
				report(env, r, android.RiskyAppop(p.Package, perm.Name, perm.Access, at))
			}
		}
	}
	return nil
}

func report(env *module.Env, r *model.Record, f *rules.Finding) { env.Report(f, r) }

// runBatteryDaily lists package updates, downgrades and uninstalls from the
// daily battery statistics.
func runBatteryDaily(ctx context.Context, env *module.Env) error {
	body, name, err := section(ctx, env, "batterystats")
	if err != nil {
		return err
	}
	loc := env.Evidence.Device.Location()
	for _, c := range dumpsystext.ParseBatteryDaily(body) {
		r := &model.Record{Source: name, Summary: fmt.Sprintf("Package %s %s to version %d", c.Package, c.Action, c.Vers), Data: c}
		if c.Action == "uninstall" {
			r.Summary = fmt.Sprintf("Package %s uninstalled", c.Package)
		}
		r.Add(model.KindAppID, c.Package, "package_name")
		stampWall(r, c.From+" 00:00:00", loc, "battery_daily_"+c.Action)
		env.Emit(r)
		report(env, r, android.PackageChange(c.Action, c.Package, c.Vers, c.PreviousVers, c.From))
	}
	return nil
}

// runPackages lists installed packages from `dumpsys package`.
func runPackages(ctx context.Context, env *module.Env) error {
	body, name, err := section(ctx, env, "package")
	if err != nil {
		return err
	}
	res := dumpsystext.ParsePackages(body)
	if len(res.Packages) != res.Blocks {
		env.Warn("%s: parsed %d of %d package blocks", name, len(res.Packages), res.Blocks)
	}
	loc := env.Evidence.Device.Location()
	for _, p := range res.Packages {
		installer := p.Installer
		switch {
		case installer == "" && p.System:
			// Part of the system image: its first install is the phone's
			// first boot (or a placeholder date), not an app someone sent.
			installer = "preinstalled"
		case installer == "":
			installer = "unknown installer"
		}
		r := &model.Record{Source: name, Summary: fmt.Sprintf("Package %s %s (%s)", p.Name, p.VersionName, installer), Data: p}
		r.Add(model.KindAppID, p.Name, "package_name")
		r.Add(model.KindFilePath, p.CodePath, "code_path")
		// timeStamp= is the APK file's time: an install or update MVT
		// also puts in the timeline.
		stampWall(r, p.Timestamp, loc, "package_install")
		stampWall(r, p.FirstInstallTime, loc, "package_first_install")
		stampWall(r, p.LastUpdateTime, loc, "package_last_update")
		env.Emit(r)
		report(env, r, android.RootPackage(p.Name))
	}
	return nil
}

var zeroTime time.Time

// stampWall stamps a dumpsys wall-clock time; one that is no plausible date
// (year 2999, no date form) is kept on the record as printed.
func stampWall(r *model.Record, s string, loc *time.Location, desc string) {
	t, err := dumpsystext.WallTime(s, loc)
	r.StampChecked(t, err, desc)
}

// eachEntry is the Run of a module whose records are the entries the parser
// of one section finds, one record each (the dumpsys text is their source).
func eachEntry[T any](svc string, parse func(string) []T, record func(T) *model.Record) func(context.Context, *module.Env) error {
	return func(ctx context.Context, env *module.Env) error {
		body, name, err := section(ctx, env, svc)
		if err != nil {
			return err
		}
		for _, v := range parse(body) {
			r := record(v)
			r.Source = name
			env.Emit(r)
		}
		return nil
	}
}

// runActivities lists the activities registered for intent actions.
var runActivities = eachEntry("package", dumpsystext.ParseActivities, func(h dumpsystext.IntentHandler) *model.Record {
	r := &model.Record{Summary: fmt.Sprintf("Activity %s handles %s", h.Component, h.Intent), Data: h}
	r.Add(model.KindAppID, h.Package, "package_name")
	return r
})

// runBatteryHistory lists jobs, alarms and foreground switches of apps.
var runBatteryHistory = eachEntry("batterystats", dumpsystext.ParseBatteryHistory, func(e dumpsystext.HistoryEvent) *model.Record {
	r := &model.Record{Summary: fmt.Sprintf("%s %s (uid %s) at %s", e.Event, e.Package, e.UID, e.TimeElapsed), Data: e}
	r.Add(model.KindAppID, e.Package, "package_name")
	return r
})

// runDBInfo lists recent database operations, whose paths name the owning
// apps.
var runDBInfo = eachEntry("dbinfo", dumpsystext.ParseDBInfo, func(op dumpsystext.DBOperation) *model.Record {
	r := &model.Record{Summary: fmt.Sprintf("%s on %s: %s", op.Action, op.Path, op.SQL), Data: op}
	r.Add(model.KindFilePath, op.Path, "path")
	r.Add(model.KindAppID, appFromPath(op.Path), "path")
	return r
})

// runPlatformCompat lists packages with display overrides, which can outlive
// the app and so name uninstalled ones.
var runPlatformCompat = eachEntry("platform_compat", dumpsystext.ParsePlatformCompat, func(p string) *model.Record {
	r := &model.Record{Summary: "Compatibility override for " + p, Data: map[string]string{"package_name": p}}
	r.Add(model.KindAppID, p, "package_name")
	return r
})
