package export

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
)

var (
	now  = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	seen = time.Date(2016, 8, 10, 9, 30, 0, 0, time.UTC)
	info = results.Info{Started: now, Evidence: results.EvidenceInfo{Kind: source.IOSBackup, Path: "/cases/42", Device: source.Device{ID: "UDID", Model: "iPhone9,1"}}}
	ref  = model.IndicatorRef{Type: "domain-name:value", Value: "lure.example", Campaign: "Pegasus", File: "pegasus.stix2", ID: "indicator--00000000-0000-4000-8000-000000000001"}
	dets = []model.Detection{
		{Module: "ios.sms", Kind: model.ByIndicator, Severity: model.High, Time: &seen, Indicator: &ref,
			Observable: &model.Observable{Kind: model.KindURL, Value: "https://lure.example/3589003s/"},
			Record:     &model.Record{Summary: "private message text must not be exported"}},
		{Module: "ios.safari_history", Kind: model.ByIndicator, Severity: model.High, Time: &seen, Indicator: &ref,
			Observable: &model.Observable{Kind: model.KindDomain, Value: "lure.example"}},
		{Module: "ios.sms", Kind: model.ByHeuristic, Severity: model.Medium, Reason: "shortener"},
	}
	stixID = regexp.MustCompile(`^[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	stixTS = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)
)

// required lists the STIX 2.1 properties each object type must carry (spec §3-§6).
var required = map[string][]string{
	"bundle":        {"type", "id", "objects"},
	"identity":      {"type", "spec_version", "id", "created", "modified", "name"},
	"indicator":     {"type", "spec_version", "id", "created", "modified", "pattern", "pattern_type", "valid_from"},
	"observed-data": {"type", "spec_version", "id", "created", "modified", "first_observed", "last_observed", "number_observed", "object_refs"},
	"sighting":      {"type", "spec_version", "id", "created", "modified", "sighting_of_ref"},
	"url":           {"type", "id", "value"},
	"domain-name":   {"type", "id", "value"},
}

func TestSTIXSightings(t *testing.T) {
	b, err := STIX(info, dets, now)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "private message") {
		t.Fatal("record content leaked into the export")
	}
	var bundle map[string]any
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	check := func(o map[string]any) {
		typ, _ := o["type"].(string)
		for _, k := range required[typ] {
			if _, ok := o[k]; !ok {
				t.Errorf("%s lacks required %q", typ, k)
			}
		}
		if id, ok := o["id"].(string); !ok || !stixID.MatchString(id) || !strings.HasPrefix(id, typ+"--") {
			t.Errorf("%s: bad id %v", typ, o["id"])
		}
		for _, k := range []string{"created", "modified", "first_seen", "last_seen", "first_observed", "last_observed", "valid_from"} {
			if v, ok := o[k]; ok && !stixTS.MatchString(v.(string)) {
				t.Errorf("%s.%s: bad timestamp %v", typ, k, v)
			}
		}
	}
	check(bundle)
	ids := map[string]bool{}
	types := map[string]int{}
	objs := bundle["objects"].([]any)
	for _, x := range objs {
		o := x.(map[string]any)
		check(o)
		ids[o["id"].(string)] = true
		types[o["type"].(string)]++
	}
	if types["sighting"] != 1 || types["indicator"] != 1 || types["observed-data"] != 1 || types["url"] != 1 || types["domain-name"] != 1 {
		t.Errorf("objects: %v", types)
	}
	for _, x := range objs {
		o := x.(map[string]any)
		if o["type"] != "sighting" {
			continue
		}
		if o["sighting_of_ref"] != ref.ID || o["count"].(float64) != 2 {
			t.Errorf("sighting: %v", o)
		}
		for _, r := range append(o["observed_data_refs"].([]any), o["where_sighted_refs"].([]any)...) {
			if !ids[r.(string)] {
				t.Errorf("dangling ref %v", r)
			}
		}
	}
	again, _ := STIX(info, dets, now)
	if string(again) != string(b) {
		t.Error("export must be deterministic for the same input")
	}
}

func TestMISPEvent(t *testing.T) {
	b, err := MISP(info, dets, now)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Event map[string]any
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"info", "date", "threat_level_id", "analysis", "distribution", "uuid", "Attribute"} {
		if _, ok := doc.Event[k]; !ok {
			t.Errorf("event lacks %q", k)
		}
	}
	attrs := doc.Event["Attribute"].([]any)
	if len(attrs) != 2 {
		t.Fatalf("attributes: %v", attrs)
	}
	for _, x := range attrs {
		a := x.(map[string]any)
		for _, k := range []string{"type", "category", "value", "uuid"} {
			if a[k] == nil || a[k] == "" {
				t.Errorf("attribute lacks %q: %v", k, a)
			}
		}
	}
	if strings.Contains(string(b), "private message") {
		t.Fatal("record content leaked into the export")
	}
	// Each attribute says when it was seen: one sighting per time.
	for _, x := range attrs {
		a := x.(map[string]any)
		sg, _ := a["Sighting"].([]any)
		if len(sg) != 1 {
			t.Fatalf("attribute %v: sightings %v", a["value"], a["Sighting"])
		}
		s := sg[0].(map[string]any)
		if s["type"] != "0" || s["date_sighting"] != fmt.Sprint(seen.Unix()) || s["attribute_uuid"] != a["uuid"] || s["uuid"] == "" {
			t.Errorf("sighting %v", s)
		}
	}
}

func TestIndicatorObservable(t *testing.T) {
	for typ, want := range map[string]model.Kind{
		"domain-name:value": model.KindDomain, "url:value": model.KindURL, "ipv6-addr:value": model.KindIP,
		"file:hashes.sha256": model.KindSHA256, "file:name": model.KindFilePath, "app:cert.sha1": model.KindCertSHA1,
		"process:name": model.KindProcess, "android-property:name": model.KindAndroidProperty,
	} {
		if o := IndicatorObservable(model.IndicatorRef{Type: typ, Value: "v"}); o.Kind != want || o.Value != "v" {
			t.Errorf("%s: %+v", typ, o)
		}
	}
}

// One finding whose value several feeds publish is a sighting of each
// indicator: a sharing partner who loaded only one of the feeds still
// recognises it.
func TestSTIXSightingPerFeed(t *testing.T) {
	other := model.IndicatorRef{Type: "domain-name:value", Value: "lure.example", Campaign: "Predator", File: "predator.stix2", ID: "indicator--00000000-0000-4000-8000-000000000002"}
	d := model.Detection{Module: "ios.sms", Kind: model.ByIndicator, Severity: model.High, Time: &seen, Indicator: &ref,
		Indicators: []model.IndicatorRef{ref, other}, Observable: &model.Observable{Kind: model.KindURL, Value: "https://lure.example/x"}}
	b, err := STIX(info, []model.Detection{d}, now)
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, o := range bundle.Objects {
		if o["type"] == "sighting" {
			got[o["sighting_of_ref"].(string)] = true
		}
	}
	if len(got) != 2 || !got[ref.ID] || !got[other.ID] {
		t.Errorf("sightings of %v, want one per indicator", got)
	}
	m, err := MISP(info, []model.Detection{d}, now)
	if err != nil || !strings.Contains(string(m), `huella:campaign=\"Predator\"`) || !strings.Contains(string(m), `huella:campaign=\"Pegasus\"`) {
		t.Errorf("MISP event lacks a campaign tag: %v\n%s", err, m)
	}
}

// Each observable kind's STIX object and MISP attribute, pinned one by one:
// both come from tables, and a wrong row would export a sighting an
// importing platform files under the wrong type.
func TestObservableShapes(t *testing.T) {
	tests := []struct {
		o        model.Observable
		sco      string // the STIX object as JSON
		typ, cat string // the MISP attribute
	}{
		{model.Observable{Kind: model.KindURL, Value: "https://x.com/a"}, `{"type":"url","value":"https://x.com/a"}`, "url", "Network activity"},
		{model.Observable{Kind: model.KindDomain, Value: "x.com"}, `{"type":"domain-name","value":"x.com"}`, "domain", "Network activity"},
		{model.Observable{Kind: model.KindIP, Value: "1.2.3.4"}, `{"type":"ipv4-addr","value":"1.2.3.4"}`, "ip-dst", "Network activity"},
		{model.Observable{Kind: model.KindIP, Value: "2001:db8::1"}, `{"type":"ipv6-addr","value":"2001:db8::1"}`, "ip-dst", "Network activity"},
		{model.Observable{Kind: model.KindEmail, Value: "a@b.c"}, `{"type":"email-addr","value":"a@b.c"}`, "email-src", "Payload delivery"},
		{model.Observable{Kind: model.KindProcess, Value: "bh"}, `{"command_line":"bh","type":"process"}`, "text", "Artifacts dropped"},
		{model.Observable{Kind: model.KindFilePath, Value: "/a/b/c.plist"}, `{"name":"c.plist","type":"file"}`, "filename", "Artifacts dropped"},
		{model.Observable{Kind: model.KindSHA256, Value: "ab"}, `{"hashes":{"SHA-256":"ab"},"type":"file"}`, "sha256", "Payload delivery"},
		{model.Observable{Kind: model.KindSHA1, Value: "ab"}, `{"hashes":{"SHA-1":"ab"},"type":"file"}`, "sha1", "Payload delivery"},
		{model.Observable{Kind: model.KindMD5, Value: "ab"}, `{"hashes":{"MD5":"ab"},"type":"file"}`, "md5", "Payload delivery"},
		{model.Observable{Kind: model.KindTLSCertSHA256, Value: "ab"}, `{"hashes":{"SHA-256":"ab"},"type":"x509-certificate"}`, "x509-fingerprint-sha256", "Network activity"},
		{model.Observable{Kind: model.KindTLSCertSHA1, Value: "ab"}, `{"hashes":{"SHA-1":"ab"},"type":"x509-certificate"}`, "x509-fingerprint-sha1", "Network activity"},
		{model.Observable{Kind: model.KindCertSHA256, Value: "ab"}, `{"kind":"cert_sha256","type":"x-huella-observable","value":"ab"}`, "sha256", "Payload delivery"},
		{model.Observable{Kind: model.KindAppID, Value: "com.x"}, `{"kind":"app_id","type":"x-huella-observable","value":"com.x"}`, "text", "Payload installation"},
		{model.Observable{Kind: model.KindJA3, Value: "ab"}, `{"kind":"ja3","type":"x-huella-observable","value":"ab"}`, "ja3-fingerprint-md5", "Network activity"},
		{model.Observable{Kind: model.KindProfileID, Value: "p"}, `{"kind":"profile_id","type":"x-huella-observable","value":"p"}`, "text", "Other"},
	}
	for _, tt := range tests {
		b, err := json.Marshal(scoFor(tt.o))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.sco {
			t.Errorf("scoFor(%+v) = %s, want %s", tt.o, b, tt.sco)
		}
		if typ, cat := mispType(tt.o.Kind); typ != tt.typ || cat != tt.cat {
			t.Errorf("mispType(%s) = %s, %s; want %s, %s", tt.o.Kind, typ, cat, tt.typ, tt.cat)
		}
	}
}
