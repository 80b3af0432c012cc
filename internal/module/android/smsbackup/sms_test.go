package smsbackup

import (
	"archive/tar"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/huella-project/huella/internal/source/androidab"
	"github.com/huella-project/huella/internal/source/androidqf"
)

const d_f = "apps/com.android.providers.telephony/d_f/"

func zjson(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.String()
}

func telephony(t testing.TB) map[string]string {
	return map[string]string{
		d_f + "000000_sms_backup": zjson(t, []map[string]any{
			{"address": "+5215550001", "body": "Tu paquete: https://evil.example/track?id=1 ok", "date": "1700000000123", "date_sent": "1700000000000", "type": "1", "read": "1", "status": "-1"},
			{"address": "+5215550002", "body": "sin enlace", "date": "1700000100000", "type": "2"},
		}),
		d_f + "000001_mms_backup": zjson(t, []map[string]any{
			{"date": "1579531789", "msg_box": "1", "mms_body": "mira bit.ly/abc", "mms_addresses": []map[string]any{{"type": 137, "address": "+1234"}}, "m_type": 132},
		}),
	}
}

func TestMessagesFromFolder(t *testing.T) {
	ev := moduletest.MapEvidence(t, source.AndroidBackup, telephony(t))
	res := moduletest.MustRun(t, Def(), ev)
	if len(res.Records) != 3 {
		t.Fatalf("%d records, want 3", len(res.Records))
	}
	tests := []struct {
		dir   string
		date  time.Time
		links []string
		who   string
	}{
		{"received", time.UnixMilli(1700000000123).UTC(), []string{"https://evil.example/track?id=1"}, "+5215550001"},
		{"sent", time.UnixMilli(1700000100000).UTC(), nil, "+5215550002"},
		{"received", time.Unix(1579531789, 0).UTC(), []string{"bit.ly/abc"}, "+1234"},
	}
	for i, tt := range tests {
		m := res.Records[i].Data.(*Message)
		if m.Direction != tt.dir || !m.Date.Equal(tt.date) || !reflect.DeepEqual(m.Links, tt.links) {
			t.Errorf("message %d = %+v", i, m)
		}
		if !strings.Contains(res.Records[i].Summary, tt.who) {
			t.Errorf("summary %q lacks %s", res.Records[i].Summary, tt.who)
		}
	}
	if got := res.Observables(model.KindURL); !reflect.DeepEqual(got, []string{"https://evil.example/track?id=1", "bit.ly/abc"}) {
		t.Errorf("url observables = %v", got)
	}
	if res.Records[0].Times[0].Desc != "sms_received" || res.Records[2].Data.(*Message).Fields["m_type"] != "132" {
		t.Errorf("record 0 times %v, mms fields %v", res.Records[0].Times, res.Records[2].Data.(*Message).Fields)
	}
}

func tarOf(t testing.TB, files map[string]string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for n, b := range files {
		tw.WriteHeader(&tar.Header{Name: n, Size: int64(len(b)), Mode: 0o600, Typeflag: tar.TypeReg})
		tw.Write([]byte(b))
	}
	tw.Close()
	return buf.Bytes()
}

func TestMessagesFromEncryptedABAndAndroidQF(t *testing.T) {
	dir := t.TempDir()
	var ab bytes.Buffer
	if err := androidab.Encrypt(&ab, tarOf(t, telephony(t)), "pw", 5, false, 10, bytes.NewReader(bytes.Repeat([]byte{7}, 1024))); err != nil {
		t.Fatal(err)
	}
	abPath := filepath.Join(dir, "backup.ab")
	os.WriteFile(abPath, ab.Bytes(), 0o600)
	os.WriteFile(filepath.Join(dir, "getprop.txt"), []byte("[a]: [b]\n"), 0o600)

	ev, err := androidab.Open(context.Background(), abPath, androidab.Options{Password: "pw", TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(moduletest.MustRun(t, Def(), ev).Records); n != 3 {
		t.Errorf(".ab: %d records, want 3", n)
	}
	ev.Close()

	qf, err := androidqf.Open(context.Background(), dir, androidqf.Options{BackupPassword: "pw", TempRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer qf.Close()
	res := moduletest.MustRun(t, Def(), qf)
	if len(res.Records) != 3 || !strings.HasPrefix(res.Records[0].Source, androidqf.BackupMount+"/") {
		t.Errorf("androidqf: %d records, source %q", len(res.Records), res.Records[0].Source)
	}
}

func TestDamagedFilesWarn(t *testing.T) {
	bomb := zjson(t, []string{strings.Repeat("a", 10)})
	var many []map[string]any
	for i := 0; i < 200; i++ {
		many = append(many, map[string]any{"body": fmt.Sprint("message ", i, " https://x.example/", i*7919)})
	}
	long := zjson(t, many)
	ev := moduletest.MapEvidence(t, source.AndroidBackup, map[string]string{
		d_f + "000000_sms_backup": "not zlib",
		d_f + "000001_sms_backup": zjson(t, map[string]any{"not": "a list"}),
		d_f + "000002_sms_backup": bomb,
		d_f + "000003_sms_backup": long[:len(long)/2],
	})
	res := moduletest.MustRun(t, Def(), ev)
	if len(res.Warnings) != 4 || !strings.Contains(res.Warnings[3], "000003") || len(res.Records) == 0 {
		t.Fatalf("warnings = %q", res.Warnings)
	}
	if _, err := moduletest.Run(t, Def(), moduletest.MapEvidence(t, source.AndroidBackup, nil)); !errors.Is(err, module.ErrAbsent) {
		t.Fatal("no ErrAbsent without SMS backups")
	}
}

func FuzzRead(f *testing.F) {
	for _, v := range telephony(f) {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Read(bytes.NewReader(b), "sms", func(m *Message) error {
			if m.Direction == "" {
				t.Fatal("message without direction")
			}
			return nil
		})
	})
}

// TestTarOrder: a .ab is read in archive order whichever file comes first,
// a folder SMS first, as MVT does.
func TestTarOrder(t *testing.T) {
	files := telephony(t)
	sms, mms := d_f+"000000_sms_backup", d_f+"000001_mms_backup"
	tests := []struct {
		name  string
		order []string
		first string // kind of the first message
	}{
		{"mms first", []string{mms, sms}, "mms"},
		{"sms first", []string{sms, mms}, "sms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			buf.WriteString("ANDROID BACKUP\n5\n0\nnone\n")
			tw := tar.NewWriter(&buf)
			for _, n := range tt.order {
				tw.WriteHeader(&tar.Header{Name: n, Size: int64(len(files[n])), Mode: 0o600, Typeflag: tar.TypeReg})
				tw.Write([]byte(files[n]))
			}
			tw.Close()
			p := filepath.Join(t.TempDir(), "backup.ab")
			if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			ev, err := androidab.Open(context.Background(), p, androidab.Options{TempRoot: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer ev.Close()
			res := moduletest.MustRun(t, Def(), ev)
			if len(res.Records) != 3 || res.Records[0].Data.(*Message).Kind != tt.first {
				t.Fatalf("%d records, first %+v", len(res.Records), res.Records[0].Data)
			}
		})
	}
	folder := moduletest.MapEvidence(t, source.AndroidBackup, files)
	if got := ArchiveOrder(folder.FS, []string{sms, mms}); !reflect.DeepEqual(got, []string{sms, mms}) {
		t.Errorf("folder order changed: %v", got)
	}
}
