package aqf

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidqf"
	"github.com/huella-project/huella/internal/testutil"
)

func openFixture(t *testing.T, rel string) *source.Evidence {
	t.Helper()
	ev, err := androidqf.Open(context.Background(), testutil.Shared(t, rel), androidqf.Options{TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ev.Close() })
	return ev
}

func TestConformanceMVTAndroidQF(t *testing.T) {
	ev := openFixture(t, "fixtures/mvt/androidqf")
	ms := Defs()
	run := func(name string) *moduletest.Sink { return moduletest.MustRun(t, moduletest.Find(t, ms, name), ev) }

	pk := run("android.aqf_packages")
	if len(pk.Records) != 7 || pk.Events() != 0 {
		t.Errorf("packages: %d records, %d events; want 7, 0", len(pk.Records), pk.Events())
	}
	wantDet := map[string]string{
		"com.whatsapp":                 heuristicsRule("unknown"),
		"app.revanced.manager.flutter": heuristicsRule("browser"),
		"org.nuclearfog.apollo":        heuristicsRule("store"),
		"org.fdroid.fdroid":            heuristicsRule("browser"),
	}
	// MVT also reports YouTube as "installed via a browser": it is a system
	// app (preinstalled) whose update came through the package installer,
	// so it is not sideloaded.
	if len(pk.Detections) != 4 {
		t.Errorf("packages: %d detections, want 4: %v", len(pk.Detections), reasons(pk))
	}
	for _, d := range pk.Detections {
		pkg := d.Record.Data.(*Package).Name
		if wantDet[pkg] != d.Rule {
			t.Errorf("package %s: rule %s, want %s", pkg, d.Rule, wantDet[pkg])
		}
	}
	if !contains(pk.Observables(model.KindSHA256), "31037a27af59d4914906c01ad14a318eee2f3e31d48da8954dca62a99174e3fa") ||
		!contains(pk.Observables(model.KindCertSHA256), "c7e56178748be1441370416d4c10e34817ea0c961eb636c8e9d98e0fd79bf730") ||
		!contains(pk.Observables(model.KindAppID), "com.malware.blah") {
		t.Error("packages: expected hash, certificate or app id observable missing")
	}

	if ps := run("android.aqf_processes"); len(ps.Records) != 15 || ps.Events() != 0 || len(ps.Detections) != 0 {
		t.Errorf("processes: %d records", len(ps.Records))
	} else if ps.Records[0].Data.(*Process).Name != "init" || ps.Records[1].Data.(*Process).Name != "kthreadd" {
		t.Errorf("processes: first names %v", ps.Observables(model.KindProcess)[:2])
	}

	gp := run("android.aqf_getprop")
	if len(gp.Records) != 10 || gp.Events() != 0 || len(gp.Detections) != 0 ||
		gp.Observables(model.KindAndroidProperty)[0] != "dalvik.vm.appimageformat" {
		t.Errorf("getprop: %d records, %d detections", len(gp.Records), len(gp.Detections))
	}

	st := run("android.aqf_settings")
	if len(st.Detections) != 1 || !strings.Contains(st.Detections[0].Reason, "samsung_errorlog_agree") ||
		st.Records[0].Data.(*Setting).Namespace != "random" {
		t.Errorf("settings: %v", reasons(st))
	}

	fl := run("android.aqf_files")
	if len(fl.Records) != 3 || fl.Events() != 6 || len(fl.Detections) != 0 {
		t.Errorf("files: %d records, %d events, %d detections; want 3, 6, 0", len(fl.Records), fl.Events(), len(fl.Detections))
	}

	rb := run("android.root_binaries")
	if len(rb.Records) != 4 || len(rb.Detections) != 4 {
		t.Errorf("root binaries: %d records, %d detections", len(rb.Records), len(rb.Detections))
	}
	var descs []string
	for _, r := range rb.Records {
		descs = append(descs, r.Data.(RootBinaryRecord).Description)
	}
	if strings.Join(descs, "|") != "the SuperUser program|the BusyBox utilities|the Magisk root framework|Magisk's tool that hides root" {
		t.Errorf("root binary descriptions = %q", descs)
	}

	if mt, err := moduletest.Run(t, moduletest.Find(t, ms, "android.mounts"), ev); !errors.Is(err, module.ErrAbsent) || len(mt.Records) != 0 {
		t.Errorf("mounts: want absent, got %v", err)
	}
}

func TestConformanceZipGetprop(t *testing.T) {
	ev := openFixture(t, "fixtures/mvt/androidqf.zip")
	gp := moduletest.MustRun(t, moduletest.Find(t, Defs(), "android.aqf_getprop"), ev)
	if len(gp.Records) != 10 || gp.Records[0].Data.(*androidqf.Prop).Value != "lz4" {
		t.Fatalf("getprop from zip: %d records", len(gp.Records))
	}
}

func contains(xs []string, v string) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

func reasons(r *moduletest.Sink) []string {
	var out []string
	for _, d := range r.Detections {
		out = append(out, d.Reason)
	}
	return out
}

func heuristicsRule(kind string) string {
	switch kind {
	case "unknown":
		return "android.package.unknown_installer"
	case "browser":
		return "android.package.sideloaded"
	}
	return "android.package.third_party_store"
}
