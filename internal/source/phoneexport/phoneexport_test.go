package phoneexport

import (
	"bytes"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/source"
)

func TestNames(t *testing.T) {
	for name, want := range map[string][2]bool{ // secret, allowed
		"Passwords.csv":            {true, false},
		"passwords - Work.csv":     {true, false},
		"Contraseñas.csv":          {true, false},
		"anything.csv":             {true, false},
		"PaymentCards.json":        {true, false},
		"PaymentCards - Work.json": {true, false},
		"Tarjetas de pago.json":    {true, false},
		"CreditCards.json":         {true, false},
		"History.json":             {false, true},
		"History - Work.json":      {false, true},
		"history.JSON":             {false, true},
		"Extensions.json":          {false, true},
		"Extensions - Work.json":   {false, true},
		"Bookmarks.html":           {false, false},
		"History passwords.json":   {true, false},
		"Historial.json":           {false, false},
		"CardKit-2024.ips":         {false, false}, // crash reports are never "secret"
		"dir/History.json":         {false, true},
	} {
		if got := Secret(name); got != want[0] {
			t.Errorf("Secret(%q) = %v", name, got)
		}
		if got := SafariAllowed(name); got != want[1] {
			t.Errorf("SafariAllowed(%q) = %v", name, got)
		}
	}
}

func TestClassify(t *testing.T) {
	apr := `{"domain":"a.example","type":"networkActivity","bundleID":"x"}` + "\n"
	ips := `{"bug_type":"309","name":"x"}` + "\n{}"
	for _, c := range []struct {
		name  string
		files fstest.MapFS
		want  source.Kind
	}{
		{"app privacy report", fstest.MapFS{"App_Privacy_Report_v4_2024-01-01T10_00_00.ndjson": {Data: []byte(apr)}}, source.IOSAppPrivacyReport},
		{"renamed report", fstest.MapFS{"app privacy report.txt": {Data: []byte(apr)}}, source.IOSAppPrivacyReport},
		{"other ndjson", fstest.MapFS{"x.ndjson": {Data: []byte(`{"dns_event":{}}`)}}, ""},
		{"safari in English", fstest.MapFS{"History.json": {}, "Passwords.csv": {}}, source.IOSSafariExport},
		{"bookmarks alone", fstest.MapFS{"Bookmarks.html": {}}, source.IOSSafariExport},
		{"localised with a secret", fstest.MapFS{"Historial.json": {}, "Tarjetas de pago.json": {}}, source.IOSSafariExport},
		{"a csv among logs", fstest.MapFS{"notes.csv": {}, "2024-01-01.txt": {}}, ""},
		{"crash reports", fstest.MapFS{"x-2024.ips": {Data: []byte(ips)}, "readme.md": {}}, source.IOSCrashReports},
		{"text crash log", fstest.MapFS{"x.crash": {Data: []byte("Incident Identifier: 1\nProcess: x [1]\n")}}, source.IOSCrashReports},
		{"crash reports deeper down", fstest.MapFS{"crashes_and_spins/x.ips": {Data: []byte(ips)}}, ""},
		{"nothing", fstest.MapFS{"a.txt": {Data: []byte("hello")}}, ""},
	} {
		if got := Classify(c.files); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// FuzzSniff: recognising a single file from arbitrary bytes never panics,
// never names a secret file, and says "App Privacy Report" only when the
// first line is a report's record.
func FuzzSniff(f *testing.F) {
	f.Add("App_Privacy_Report.ndjson", []byte(`{"domain":"a.example","type":"networkActivity"}`))
	f.Add("x.ips", []byte(`{"bug_type":"309"}`+"\n{}"))
	f.Add("History.json", []byte(`{"metadata":{"data_type":"history"}}`))
	f.Add("PaymentCards.json", []byte(`{"metadata":{}}`))
	f.Add("a.crash", []byte("Incident Identifier: 1\n"))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		k := Sniff(name, head)
		if k != "" && Secret(name) {
			t.Fatalf("%q recognised as %s", name, k)
		}
		if k == source.IOSAppPrivacyReport && !IsPrivacyReportLine(firstLine(bytes.NewReader(head))) {
			t.Fatal("a report without a report's first line")
		}
		if fs.ValidPath(name) && name != "." {
			Classify(fstest.MapFS{name: {Data: head}})
		}
		// The metadata of an allowed file: read only from a JSON object.
		if _, err := ReadMetadata(fstest.MapFS{"History.json": {Data: head}}, "History.json"); err == nil && !bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("{")) {
			t.Fatalf("metadata read from %q", head)
		}
	})
}
