package appprivacy

import (
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

// Lines in the shapes Apple documents (with whitespace removed), the iOS
// 15 beta's access record, and what a crafted file may hold.
const (
	netApp     = `{"domain":"c2.evil.example","firstTimeStamp":"2024-02-20T03:16:00.000-06:00","context":"","timeStamp":"2024-02-21T10:00:00.000-06:00","domainType":2,"initiatedType":"AppInitiated","hits":57,"type":"networkActivity","domainOwner":"","bundleID":"com.example.flashlight"}`
	netSite    = `{"domain":"c2.evil.example","firstTimeStamp":"2024-02-20T03:14:00Z","context":"news.example","timeStamp":"2024-02-20T03:14:00Z","domainType":2,"initiatedType":"NonAppInitiated","hits":1,"type":"networkActivity","domainOwner":"","bundleID":"com.apple.mobilesafari"}`
	netIP      = `{"domain":"203.0.113.7","firstTimeStamp":"2024-02-20T03:17:00Z","context":"","timeStamp":"2024-02-21T05:00:00Z","domainType":2,"initiatedType":"AppInitiated","hits":"310","type":"networkActivity","domainOwner":"","bundleID":"com.example.helper"}`
	netLAN     = `{"domain":"192.168.1.20","firstTimeStamp":"2024-02-20T03:17:00Z","timeStamp":"2024-02-20T03:17:00Z","initiatedType":"AppInitiated","hits":3,"type":"networkActivity","bundleID":"com.example.printer"}`
	accBegin   = `{"accessor":{"identifier":"com.example.flashlight","identifierType":"bundleID"},"category":"microphone","identifier":"A1","kind":"intervalBegin","timeStamp":"2024-02-20T03:18:00.000-06:00","type":"access"}`
	accEnd     = `{"accessor":{"identifier":"com.example.flashlight","identifierType":"bundleID"},"category":"microphone","identifier":"A1","kind":"intervalEnd","timeStamp":"2024-02-20T04:18:00.000-06:00","type":"access"}`
	betaAccess = `{"stream":"com.apple.privacy.accounting.stream.tcc","accessor":{"identifier":"com.google.ProjectFi","identifierType":"bundleID"},"tccService":"kTCCServiceAddressBook","identifier":"BE76","kind":"event","timestamp":"2021-06-09T14:19:48.270-05:00","version":3}`
)

func runReport(t *testing.T, files map[string]string) *moduletest.Sink {
	t.Helper()
	s, err := moduletest.Run(t, Def(), moduletest.MapEvidence(t, source.IOSAppPrivacyReport, files))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNetworkAndAccess(t *testing.T) {
	report := strings.Join([]string{accBegin, netApp, netSite, netIP, netLAN, accEnd, "", netApp}, "\n")
	s := runReport(t, map[string]string{"App_Privacy_Report_v4_2024-02-21T10_00_00.ndjson": report})
	if len(s.Records) != 5 {
		t.Fatalf("%d records, want 4 network (one line repeated) and 1 access interval", len(s.Records))
	}
	byApp := map[string]*model.Record{}
	for _, r := range s.Records {
		for _, o := range r.Observables {
			if o.Kind == model.KindAppID && (o.Field == "bundleID" || o.Field == "accessor") {
				if _, isAcc := r.Data.(*Access); isAcc {
					byApp["access:"+o.Value] = r
				} else {
					byApp[o.Value] = r
				}
			}
		}
	}
	field := func(r *model.Record, kind model.Kind) string {
		for _, o := range r.Observables {
			if o.Kind == kind {
				return o.Field
			}
		}
		return ""
	}
	// Who contacted the domain decides how an indicator match weighs.
	if f := field(byApp["com.example.flashlight"], model.KindDomain); f != model.FieldContactedByApp {
		t.Errorf("app's own connection: field %q", f)
	}
	if f := field(byApp["com.apple.mobilesafari"], model.KindDomain); f != "domain" {
		t.Errorf("website's connection: field %q", f)
	}
	if !moduletest.Has(byApp["com.apple.mobilesafari"], model.KindDomain, "news.example") {
		t.Error("the website itself is not an observable")
	}
	if !moduletest.Has(byApp["com.example.helper"], model.KindIP, "203.0.113.7") {
		t.Error("an IP literal is not an IP observable")
	}
	r := byApp["com.example.flashlight"]
	if got := moduletest.Descs(r); strings.Join(got, ",") != "first_connection,last_connection" ||
		!r.Times[0].Time.Equal(time.Date(2024, 2, 20, 9, 16, 0, 0, time.UTC)) {
		t.Errorf("network stamps %+v", r.Times)
	}
	acc := byApp["access:com.example.flashlight"]
	if acc == nil || strings.Join(moduletest.Descs(acc), ",") != "access_began,access_ended" || acc.Summary != "com.example.flashlight used the microphone" {
		t.Errorf("access interval %+v", acc)
	}
	// The IP-only app is a medium lead; the LAN printer and the app that
	// also used names are not.
	rules := map[string]model.Severity{}
	for _, d := range s.Detections {
		rules[d.Params["app"]] = d.Severity
	}
	if len(rules) != 1 || rules["com.example.helper"] != model.Medium {
		t.Errorf("IP-literal findings %v", rules)
	}
}

func TestBetaFormatAndOddLines(t *testing.T) {
	report := strings.Join([]string{
		betaAccess,
		`not json`,
		`{"type":"networkActivity","domain":"bad host!","bundleID":"x","firstTimeStamp":"yesterday","timeStamp":"9999-01-01T00:00:00.000+00:00"}`,
		`{"type":"networkActivity","domain":{"nested":1},"bundleID":7}`,
		`{"type":"somethingNew"}`,
		`{"type":"access","kind":"intervalEnd","identifier":"never-began","category":"camera","accessor":{"identifier":"a"},"timeStamp":"2024-01-01T00:00:00Z"}`,
	}, "\n")
	s := runReport(t, map[string]string{"r.ndjson": report})
	if len(s.Records) != 4 {
		t.Fatalf("%d records", len(s.Records))
	}
	warn := strings.Join(s.Warnings, "\n")
	for _, w := range []string{"1 lines are not records", "2 network records name no host", "somethingNew (1)"} {
		if !strings.Contains(warn, w) {
			t.Errorf("no warning %q in %q", w, warn)
		}
	}
	for _, r := range s.Records {
		for _, o := range r.Observables {
			if (o.Kind == model.KindDomain || o.Kind == model.KindIP) && !ValidHost(o.Value) {
				t.Errorf("observable %q is no host", o.Value)
			}
		}
		if strings.Contains(r.Summary, "bad host") {
			// Both kept exactly as written (an out-of-range date is not
			// reformatted).
			if len(r.RawTimes) != 2 {
				t.Errorf("out-of-range and unparsable times kept raw: %+v", r.RawTimes)
			}
			moduletest.KeepsRaw(t, r, map[string]string{"first_connection": "yesterday", "last_connection": "9999-01-01T00:00:00.000+00:00"})
		}
		if strings.Contains(r.Summary, "ProjectFi") && r.Summary != "com.google.ProjectFi used the contacts" {
			t.Errorf("beta record: %q", r.Summary)
		}
	}
}

func TestNotAReport(t *testing.T) {
	_, err := moduletest.Run(t, Def(), moduletest.MapEvidence(t, source.IOSAppPrivacyReport, map[string]string{
		"notes.txt":      "hello",
		"intrusion.txt":  `{"dns_event":{"hostname":"a.example"}}`,
		"Passwords.csv":  "Title,URL,Username,Password",
		"something.json": `{"type":"networkActivity"}`,
	}))
	if err == nil {
		t.Fatal("files that are no report were read as one")
	}
}

func TestValidHost(t *testing.T) {
	for h, want := range map[string]bool{
		"example.com": true, "a-b_c.example": true, "203.0.113.7": true, "2001:db8::1": true, "[2001:db8::1]": true,
		"": false, "bad host": false, "a..b": false, "x/y": false, strings.Repeat("a", 64) + ".example": false,
		"ünicode.example": false,
	} {
		if got := ValidHost(h); got != want {
			t.Errorf("ValidHost(%q) = %v", h, got)
		}
	}
}
