package aqf

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidqf"
)

var acqFiles = map[string]string{
	"acquisition.json": `{"started":"2026-02-01T12:00:00Z"}`,
	"getprop.txt":      "[ro.build.version.security_patch]: [2025-03-01]\n[sys.foobar]: [1]\n[persist.sys.timezone]: [Europe/Madrid]\n",
	"packages.json": `[{"name":"com.topjohnwu.magisk","installer":"null","system":false},
		{"name":"com.google.android.gms","installer":"","system":true,"disabled":true},
		{"name":"com.evil.dropper","installer":"com.android.vending","requested_permissions":["android.permission.REQUEST_INSTALL_PACKAGES"],
		 "files":[{"path":"/data/app/x/base.apk","sha256":"AA11","certificate":{"Sha1":"bb22","Sha256":"cc33","Md5":"dd44"}}]},
		{"name":"com.android.vending","installer":"null","system":true}]`,
	"ps.txt":              "LABEL USER PID PPID VSZ RSS WCHAN ADDR S NAME\nu:r:init:s0 root 1 0 100 10 0 0 S init\nu:r:untrusted_app:s0 u0_a1 200 1 100 10  0 S com.whatsapp:push\nu:r:gk:s0 system 300 1 1 1 0 0 S gatekeeperd\n",
	"settings_global.txt": "adb_enabled=1\npackage_verifier_enable=0\nfoo=bar\n",
	"settings_secure.txt": "install_non_market_apps=0\n",
	"files.json": `{"path":"/data/local/tmp/wd/payload","mode":"-rwxr-xr-x","modified_time":1700000000,"access_time":1700000000,"changed_time":1700000100,"sha256":"ABCD"}
{"path":"/data/local/tmp/collector","mode":"-rwxr-xr-x","modified_time":1700000000}
{"path":"/data/local/tmp/notes.txt","mode":"-rw-r--r--","sha1":"ef01"}
`,
	"root_binaries.json": `["/system/xbin/su", "/sbin/strange"]`,
	"mounts.json":        `["/dev/block/dm-0 on /system type ext4 (rw,seclabel)", "/dev/block/dm-1 on /vendor type ext4 (ro,remount)", "/dev/block/sda on /data type f2fs (rw)", "garbage"]`,
	"logs/logcat.txt":    "log",
}

func writeFolder(t *testing.T, root string, files map[string]string, mtime time.Time) {
	for n, b := range files {
		p := filepath.Join(root, filepath.FromSlash(n))
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, mtime, mtime)
	}
}

func writeZipFile(t *testing.T, p string, files map[string]string, mtime time.Time) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "acq_2026/" + n, Method: zip.Deflate, Modified: mtime})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(b))
	}
	zw.Close()
	os.WriteFile(p, buf.Bytes(), 0o600)
}

type runOut struct {
	Records    []*model.Record
	Detections []string
}

func runAll(t *testing.T, ev *source.Evidence) map[string]runOut {
	out := map[string]runOut{}
	for _, m := range Defs() {
		res, err := moduletest.Run(t, m, ev)
		if err != nil && !errors.Is(err, module.ErrAbsent) {
			t.Fatalf("%s: %v", m.Name, err)
		}
		var ds []string
		for _, d := range res.Detections {
			ds = append(ds, d.Severity.String()+" "+d.Rule+" "+d.Reason)
		}
		out[m.Name] = runOut{res.Records, ds}
	}
	return out
}

func TestFolderAndZipGiveSameRecords(t *testing.T) {
	dir := t.TempDir()
	mtime := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	writeFolder(t, filepath.Join(dir, "acq"), acqFiles, mtime)
	writeZipFile(t, filepath.Join(dir, "acq.zip"), acqFiles, mtime)
	var results []string
	for _, p := range []string{filepath.Join(dir, "acq"), filepath.Join(dir, "acq.zip")} {
		ev, err := androidqf.Open(context.Background(), p, androidqf.Options{TempRoot: dir})
		if err != nil {
			t.Fatal(err)
		}
		got := runAll(t, ev)
		ev.Close()
		for _, m := range Defs() {
			if len(got[m.Name].Records) == 0 {
				t.Errorf("%s: module %s emitted nothing", p, m.Name)
			}
		}
		b, _ := json.Marshal(got)
		results = append(results, string(b))
	}
	if results[0] != results[1] {
		t.Fatalf("folder and zip differ:\n%s\n%s", results[0], results[1])
	}
}

func TestHeuristicsOnGeneratedAcquisition(t *testing.T) {
	ev := moduletest.MapEvidence(t, source.AndroidQF, acqFiles)
	acq := time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
	ev.Device.Acquired = &acq
	got := runAll(t, ev)
	want := map[string][]string{
		"android.aqf_packages": {
			"medium android.root.package",
			"medium android.package.updater_disabled",
			"low android.package.can_install_apps",
		},
		"android.aqf_processes": nil,
		"android.aqf_getprop":   {"medium android.patch.outdated"},
		"android.aqf_settings": {
			"low android.setting.weakened",
			"medium android.setting.weakened",
		},
		"android.aqf_files":          {"high android.file.tmp_staged", "medium android.file.tmp_staged"},
		"android.aqf_log_timestamps": nil,
		// A rooted phone is a risk factor, never "compromise": medium at most.
		"android.root_binaries": {"medium android.root.binary", "medium android.root.binary"},
		"android.mounts":        {"medium android.root.system_rw", "low android.root.system_remount"},
	}
	for name, rules := range want {
		var gotRules []string
		for _, d := range got[name].Detections {
			f := strings.Fields(d)
			gotRules = append(gotRules, f[0]+" "+f[1])
		}
		if !reflect.DeepEqual(gotRules, rules) {
			t.Errorf("%s: detections %q, want %q", name, got[name].Detections, rules)
		}
	}
	if n := len(got["android.aqf_processes"].Records); n != 2 {
		t.Errorf("processes: %d records, want 2 (gatekeeperd skipped)", n)
	}
	if p := got["android.aqf_processes"].Records[1]; p.Data.(*Process).Label != "u:r:untrusted_app:s0" || p.Observables[1].Value != "com.whatsapp" {
		t.Errorf("process record = %+v", p)
	}
	f0 := got["android.aqf_files"].Records[0]
	if len(f0.Times) != 2 || f0.Times[0].Desc != "file_modified+accessed" || f0.Observables[1].Value != "abcd" {
		t.Errorf("files record = %+v", f0)
	}
	pk := got["android.aqf_packages"].Records[2]
	var kinds []string
	for _, o := range pk.Observables {
		kinds = append(kinds, string(o.Kind)+"="+o.Value)
	}
	if strings.Join(kinds, " ") != "app_id=com.evil.dropper app_id=com.android.vending file_path=/data/app/x/base.apk sha256=aa11 cert_sha256=cc33 cert_sha1=bb22 cert_md5=dd44" {
		t.Errorf("package observables = %v", kinds)
	}
	// The same patch level is fine when the acquisition was recent to it.
	acq = time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	if gp := moduletest.MustRun(t, moduletest.Find(t, Defs(), "android.aqf_getprop"), ev); len(gp.Detections) != 0 {
		t.Errorf("patch flagged relative to now instead of the acquisition: %v", gp.Detections)
	}
}

func TestFilesFormatsAndDamage(t *testing.T) {
	list := `[{"path":"/a","modified_time":1},{"path":"/b"}]`
	nd := "{\"path\":\"/a\",\"modified_time\":1}\n{\"path\":\"/b\"}\n"
	for _, in := range []string{list, nd, "\ufeff" + list} {
		var paths []string
		n, err := ReadFiles(strings.NewReader(in), func(f *File) error { paths = append(paths, f.Path); return nil })
		if err != nil || n != 2 || strings.Join(paths, ",") != "/a,/b" {
			t.Errorf("%q: %v %d %v", in, paths, n, err)
		}
	}
	ev := moduletest.MapEvidence(t, source.AndroidQF, map[string]string{"files.json": "{\"path\":\"/a\"}\n{\"path\": oops}\n"})
	res := moduletest.MustRun(t, moduletest.Find(t, Defs(), "android.aqf_files"), ev)
	if len(res.Records) != 1 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "entry 2") {
		t.Errorf("damaged files.json: %d records, warnings %q", len(res.Records), res.Warnings)
	}
}

func TestAbsentArtifacts(t *testing.T) {
	ev := moduletest.MapEvidence(t, source.AndroidQF, map[string]string{"other.txt": "x"})
	for _, m := range Defs() {
		if _, err := moduletest.Run(t, m, ev); !errors.Is(err, module.ErrAbsent) {
			t.Errorf("%s: no ErrAbsent on an empty acquisition (%v)", m.Name, err)
		}
	}
}

func TestBadJSONFailsClearly(t *testing.T) {
	for _, name := range []string{"packages.json", "root_binaries.json", "mounts.json", "processes.json"} {
		ev := moduletest.MapEvidence(t, source.AndroidQF, map[string]string{name: "{not json"})
		for _, m := range Defs() {
			_, err := moduletest.Run(t, m, ev)
			if err != nil && !strings.Contains(err.Error(), "absent") && !strings.Contains(err.Error(), "not present") && !strings.Contains(err.Error(), name) {
				t.Errorf("%s on bad %s: error %q does not name the file", m.Name, name, err)
			}
		}
	}
}

// TestReadFilesEntryLimit: one crafted entry larger than maxEntryBytes
// stops the stream (the JSON decoder would hold it whole); ordinary
// entries around it are not affected.
func TestReadFilesEntryLimit(t *testing.T) {
	ok := strings.Repeat(`{"path":"/data/local/tmp/x"},`, 2000)
	for _, c := range []struct {
		in      string
		want    int
		wantErr string
	}{
		{"[" + ok + `{"path":"/last"}]`, 2001, ""},
		{"[" + ok + `{"path":"/` + strings.Repeat("a", 4000) + `"}]`, 2000, "longer than 1024 bytes"},
	} {
		n, err := readFiles(strings.NewReader(c.in), 1<<10, func(*File) error { return nil })
		if (err == nil) != (c.wantErr == "") || err != nil && !strings.Contains(err.Error(), c.wantErr) {
			t.Fatalf("err = %v, want %q", err, c.wantErr)
		}
		if n != c.want && n != c.want+1 {
			t.Fatalf("read %d entries, want %d", n, c.want)
		}
	}
}

func TestReadList(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
		err           string
	}{
		{"list", `["/system/xbin/su", ""]`, []string{"/system/xbin/su", ""}, ""},
		{"empty list", `[]`, []string{}, ""},
		{"not a list", `{"a":1}`, nil, "mounts.json: not a JSON list of mount lines"},
		{"not JSON", `{not json`, nil, "mounts.json: not a JSON list of mount lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := module.NewEnv(moduletest.MapEvidence(t, source.AndroidQF, map[string]string{"mounts.json": tt.content}), "test", &moduletest.Sink{}, nil)
			got, name, err := readList(env, "mounts.json", "mount lines")
			if name != "mounts.json" || !reflect.DeepEqual(got, tt.want) || (tt.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q, %q, %v; want %q, error %q", got, name, err, tt.want, tt.err)
			}
		})
	}
	env := module.NewEnv(moduletest.MapEvidence(t, source.AndroidQF, nil), "test", &moduletest.Sink{}, nil)
	if _, _, err := readList(env, "mounts.json", "mount lines"); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("absent file: %v", err)
	}
}
