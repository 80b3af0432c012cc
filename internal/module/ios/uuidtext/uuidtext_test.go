package uuidtext

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func TestFooter(t *testing.T) {
	p, err := Footer(Build("/usr/libexec/locationd", "%s started", "hello %d"))
	if err != nil || p != "/usr/libexec/locationd" {
		t.Fatalf("%q %v", p, err)
	}
	huge := Build("/x", "a")
	binary.LittleEndian.PutUint32(huge[12:], 1<<30)
	lying := Build("/x", "a")
	binary.LittleEndian.PutUint32(lying[20:], 1<<31)
	for name, b := range map[string][]byte{
		"short": {1, 2}, "magic": bytes.Repeat([]byte{0}, 32), "count": huge, "sizes": lying,
		"no path": Build("", "a"), "relative": Build("usr/x", "a"),
	} {
		if _, err := Footer(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestModule(t *testing.T) {
	files := map[string]string{
		"system_logs.logarchive/0A/1B2C3D4E5F60718293A4B5C6D7E8F9": string(Build("/usr/libexec/locationd", "x")),
		"system_logs.logarchive/FF/00000000000000000000000000000A": string(Build("/private/var/db/com.apple.xpc.roleaccountd.staging/bh", "y")),
		"system_logs.logarchive/Persist/0000000000000001.tracev3":  "not read",
	}
	s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSSysdiagnose, files))
	if len(s.Records) != 2 || len(s.Detections) != 1 || len(s.Artifacts) != 2 {
		t.Fatalf("%d records, %v, artifacts %v", len(s.Records), s.Rules(), s.Artifacts)
	}
	b := s.Records[0].Data.(*Binary)
	if b.UUID != "0A1B2C3D4E5F60718293A4B5C6D7E8F9" || b.Path != "/usr/libexec/locationd" {
		t.Errorf("%+v", b)
	}
	if got := s.Observables("process"); strings.Join(got, ",") != "locationd,bh" {
		t.Errorf("%v", got)
	}
}

func FuzzFooter(f *testing.F) {
	f.Add(Build("/usr/libexec/locationd", "a", "b"))
	f.Add([]byte{0x99, 0x88, 0x77, 0x66, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Footer(b)
		if err != nil {
			return
		}
		if !strings.HasPrefix(p, "/") || len(p) > maxPath || !bytes.Contains(b, []byte(p)) {
			t.Fatalf("bad path %q", p)
		}
	})
}
