package safariexport

import (
	"fmt"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/phoneexport"
)

const t0 = int64(1708398840000000) // 2024-02-20T03:14:00Z, microseconds

func historyJSON(items ...string) string {
	return `{"metadata":{"browser_name":"Safari","browser_version":"18.3","data_type":"history","export_time_usec":1708509600000000,"schema_version":1},` +
		`"history":[` + strings.Join(items, ",") + `]}`
}

func item(url string, usec int64, extra string) string {
	s := fmt.Sprintf(`{"url":%q,"time_usec":%d,"visit_count":1`, url, usec)
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func runExport(t *testing.T, files map[string]string) *moduletest.Sink {
	t.Helper()
	ev := moduletest.MapEvidence(t, source.IOSSafariExport, files)
	ev.FS = phoneexport.SafariFS(ev.FS)
	s, err := moduletest.Run(t, Def(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Redirects are linked by url and time, from either side (the page that
// names its destination, or the one that names its source), and only a
// plain-HTTP page sent on to another site in under a second is flagged.
func TestRedirects(t *testing.T) {
	cases := []struct {
		name  string
		items []string
		want  string // severity of the fast_redirect finding, "" for none
	}{
		{"named by the source, to an address and port", []string{
			item("http://news.example/a", t0, `"destination_url":"https://203.0.113.9:30897/x","destination_time_usec":`+fmt.Sprint(t0+180000)),
			item("https://203.0.113.9:30897/x", t0+180000, ""),
		}, "high"},
		{"named by the destination only", []string{
			item("https://other.example/b", t0+200000, `"source_url":"http://news.example/a","source_time_usec":`+fmt.Sprint(t0)),
			item("http://news.example/a", t0, ""),
		}, "medium"},
		{"https source", []string{
			item("https://news.example/a", t0, `"destination_url":"https://other.example/b","destination_time_usec":`+fmt.Sprint(t0+1000)),
			item("https://other.example/b", t0+1000, ""),
		}, ""},
		{"same site", []string{
			item("http://news.example/", t0, `"destination_url":"https://www.news.example/","destination_time_usec":`+fmt.Sprint(t0+50)),
			item("https://www.news.example/", t0+50, ""),
		}, ""},
		{"slow", []string{
			item("http://news.example/", t0, `"destination_url":"https://other.example/","destination_time_usec":`+fmt.Sprint(t0+4000000)),
			item("https://other.example/", t0+4000000, ""),
		}, ""},
		{"destination at another time is another visit", []string{
			item("http://news.example/", t0, `"destination_url":"https://other.example/","destination_time_usec":`+fmt.Sprint(t0+100)),
			item("https://other.example/", t0+9000000, ""),
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := runExport(t, map[string]string{"History.json": historyJSON(c.items...)})
			if len(s.Records) != len(c.items) {
				t.Errorf("%d records", len(s.Records))
			}
			got := ""
			for _, d := range s.Detections {
				if d.Rule == "ios.safari.fast_redirect" {
					got = d.Severity.String()
					if d.Record == nil || !strings.HasPrefix(d.Record.Summary, "Safari visit http://news.example/") {
						t.Errorf("finding on %+v", d.Record)
					}
				}
			}
			if got != c.want {
				t.Errorf("fast redirect %q, want %q", got, c.want)
			}
		})
	}
}

func TestHistoryAndExtensions(t *testing.T) {
	hist := historyJSON(
		item("https://a.example/", t0, `"title":"A","visits_count":3,"latest_visit_was_load_failure":false,"latest_visit_was_http_get":true`),
		`{"title":"no url"}`, `42`,
		item("https://b.example/", 99999999999999999, ""),
	)
	exts := `{"metadata":{"data_type":"extensions"},"extensions":[{"composed_identifier":"com.example.blocker.ext (AB12CD34EF)","developer_name":"Example","display_name":"Blocker","marketplace_lookup":{"store_identifier":"1","ios_app_bundle_identifier":"com.example.blocker"}}]}`
	s := runExport(t, map[string]string{"History - Work.json": hist, "Extensions - Work.json": exts,
		"Passwords.csv": "must never be read", "PaymentCards.json": `{"payment_cards":[]}`})
	if len(s.Records) != 3 {
		t.Fatalf("%d records: %v", len(s.Records), s.Warnings)
	}
	var visit, far, ext *model.Record
	for _, r := range s.Records {
		switch {
		case strings.Contains(r.Summary, "a.example"):
			visit = r
		case strings.Contains(r.Summary, "b.example"):
			far = r
		case strings.HasPrefix(r.Summary, "Safari extension"):
			ext = r
		}
	}
	if v, _ := visit.Data.(*Visit); v == nil || v.VisitCount != 3 || v.HTTPGet == nil || !*v.HTTPGet || len(visit.Times) != 1 || visit.Times[0].Desc != "safari_visit" {
		t.Errorf("visit %+v", visit)
	}
	if len(far.Times) != 0 || len(far.RawTimes) != 1 {
		t.Errorf("a time past 2100 must be kept raw: %+v", far)
	}
	if !moduletest.Has(ext, model.KindAppID, "com.example.blocker.ext") || !moduletest.Has(ext, model.KindAppID, "com.example.blocker") {
		t.Errorf("extension ids %+v", ext.Observables)
	}
	if !strings.Contains(strings.Join(s.Warnings, "\n"), "2 items are not visits") {
		t.Errorf("warnings %v", s.Warnings)
	}
	for _, a := range s.Artifacts {
		if !phoneexport.SafariAllowed(a) {
			t.Errorf("read %s", a)
		}
	}
}

// A file named History.json whose metadata says it holds payment cards is
// not read past its metadata.
func TestOtherDataUnderAHistoryName(t *testing.T) {
	for _, body := range []string{
		`{"metadata":{"data_type":"payment_cards"},"payment_cards":[{"card_number":"0000000000000000"}]}`,
		`{"payment_cards":[{"card_number":"0000000000000000"}],"metadata":{"data_type":"payment_cards"}}`,
	} {
		n := 0
		_, err := ReadHistory("History.json", strings.NewReader(body), func(*Visit) error { n++; return nil })
		if err == nil || n != 0 || !strings.Contains(err.Error(), "not read further") {
			t.Errorf("%s: err %v, %d visits", body[:40], err, n)
		}
	}
}
