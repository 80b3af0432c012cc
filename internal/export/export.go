// Package export turns a run's indicator findings back into threat-intel
// formats, so an analyst can share what was sighted: a STIX 2.1 bundle of
// sightings, or a MISP event. Only indicator matches are exported; the
// evidence's own content (message texts, contacts) never leaves in an export,
// only the matched observable and its time.
package export

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/results"
)

// namespace makes ids deterministic (UUIDv5-style), so exporting the same
// results twice gives the same objects and platforms de-duplicate them.
var namespace = []byte("huella-export-v1")

func uuid5(parts ...string) string {
	h := sha1.New()
	h.Write(namespace)
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	b := h.Sum(nil)[:16]
	b[6] = (b[6] & 0x0f) | 0x50
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// sighting groups the matches of one indicator.
type sighting struct {
	ref         model.IndicatorRef
	obs         map[string]model.Observable
	times       map[string]map[time.Time]bool // per observable, when it was seen
	first, last time.Time
	count       int
	modules     map[string]bool
}

func group(dets []model.Detection, fallback time.Time) []*sighting {
	by := map[string]*sighting{}
	var order []string
	for _, d := range dets {
		if d.Kind != model.ByIndicator || d.Observable == nil {
			continue
		}
		// One finding lists every indicator its value matched (the same
		// domain in several feeds): each is a sighting of its own.
		for _, ref := range d.AllIndicators() {
			k := ref.ID + "\x00" + ref.Type + "\x00" + ref.Value
			s := by[k]
			if s == nil {
				s = &sighting{ref: ref, obs: map[string]model.Observable{}, times: map[string]map[time.Time]bool{}, modules: map[string]bool{}}
				by[k] = s
				order = append(order, k)
			}
			s.count++
			ok := string(d.Observable.Kind) + "\x00" + d.Observable.Value
			s.obs[ok] = *d.Observable
			s.modules[d.Module] = true
			t := fallback
			if d.Time != nil {
				t = *d.Time
			}
			if s.times[ok] == nil {
				s.times[ok] = map[time.Time]bool{}
			}
			s.times[ok][t.UTC()] = true
			if s.first.IsZero() || t.Before(s.first) {
				s.first = t
			}
			if t.After(s.last) {
				s.last = t
			}
		}
	}
	out := make([]*sighting, 0, len(order))
	for _, k := range order {
		out = append(out, by[k])
	}
	return out
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// scoShape is the STIX Cyber-observable Object an observable kind becomes:
// its type, and either the property that holds the value or, for hashes,
// the hash algorithm's STIX name.
type scoShape struct{ typ, prop, hash string }

var scoShapes = map[model.Kind]scoShape{
	model.KindURL:           {typ: "url", prop: "value"},
	model.KindDomain:        {typ: "domain-name", prop: "value"},
	model.KindEmail:         {typ: "email-addr", prop: "value"},
	model.KindProcess:       {typ: "process", prop: "command_line"},
	model.KindSHA256:        {typ: "file", hash: "SHA-256"},
	model.KindSHA1:          {typ: "file", hash: "SHA-1"},
	model.KindMD5:           {typ: "file", hash: "MD5"},
	model.KindTLSCertSHA256: {typ: "x509-certificate", hash: "SHA-256"},
	model.KindTLSCertSHA1:   {typ: "x509-certificate", hash: "SHA-1"},
}

// scoFor maps an observable to a STIX Cyber-observable Object.
func scoFor(o model.Observable) map[string]any {
	switch o.Kind {
	case model.KindIP:
		if strings.Contains(o.Value, ":") {
			return map[string]any{"type": "ipv6-addr", "value": o.Value}
		}
		return map[string]any{"type": "ipv4-addr", "value": o.Value}
	case model.KindFilePath:
		i := strings.LastIndex(o.Value, "/")
		return map[string]any{"type": "file", "name": o.Value[i+1:]}
	}
	sh, ok := scoShapes[o.Kind]
	switch {
	case !ok:
		return map[string]any{"type": "x-huella-observable", "kind": string(o.Kind), "value": o.Value}
	case sh.hash != "":
		return map[string]any{"type": sh.typ, "hashes": map[string]string{sh.hash: o.Value}}
	}
	return map[string]any{"type": sh.typ, sh.prop: o.Value}
}

// STIX writes a STIX 2.1 bundle: an identity for the checked device (no
// personal data: the evidence kind and a hash of the device id), and for
// each matched indicator the indicator, the observed data and a sighting.
func STIX(info results.Info, dets []model.Detection, now time.Time) ([]byte, error) {
	created := ts(now)
	devKey := info.Evidence.Device.ID + info.Evidence.Path
	identity := map[string]any{
		"type": "identity", "spec_version": "2.1", "id": "identity--" + uuid5("device", devKey),
		"created": created, "modified": created,
		"name":           fmt.Sprintf("device checked by huella (%s, %s)", info.Evidence.Kind, info.Evidence.Device.Model),
		"identity_class": "system",
	}
	objs := []any{identity}
	for _, s := range group(dets, info.Started) {
		indID := s.ref.ID
		if !strings.HasPrefix(indID, "indicator--") {
			indID = "indicator--" + uuid5("indicator", s.ref.Type, s.ref.Value)
		}
		objs = append(objs, map[string]any{
			"type": "indicator", "spec_version": "2.1", "id": indID, "created": created, "modified": created,
			"pattern":      fmt.Sprintf("[%s = '%s']", s.ref.Type, strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s.ref.Value)),
			"pattern_type": "stix", "valid_from": created,
			"name": s.ref.Campaign, "description": "Indicator from " + s.ref.File,
		})
		keys := slices.Sorted(maps.Keys(s.obs))
		var refs []string
		for _, k := range keys {
			sco := scoFor(s.obs[k])
			sco["spec_version"] = "2.1"
			sco["id"] = fmt.Sprintf("%s--%s", sco["type"], uuid5("sco", k))
			objs = append(objs, sco)
			refs = append(refs, sco["id"].(string))
		}
		odID := "observed-data--" + uuid5("od", devKey, indID)
		objs = append(objs, map[string]any{
			"type": "observed-data", "spec_version": "2.1", "id": odID, "created": created, "modified": created,
			"first_observed": ts(s.first), "last_observed": ts(s.last), "number_observed": s.count,
			"object_refs": refs, "created_by_ref": identity["id"],
		})
		mods := slices.Sorted(maps.Keys(s.modules))
		objs = append(objs, map[string]any{
			"type": "sighting", "spec_version": "2.1", "id": "sighting--" + uuid5("sighting", devKey, indID),
			"created": created, "modified": created, "first_seen": ts(s.first), "last_seen": ts(s.last),
			"count": s.count, "sighting_of_ref": indID, "observed_data_refs": []string{odID},
			"where_sighted_refs": []string{identity["id"].(string)},
			"description":        "Seen by huella in: " + strings.Join(mods, ", "),
		})
	}
	return json.MarshalIndent(map[string]any{"type": "bundle", "id": "bundle--" + uuid5("bundle", devKey, created), "objects": objs}, "", "  ")
}

// mispTypes maps an observable kind to a MISP attribute type and category;
// a kind not listed becomes a "text" attribute of category "Other".
var mispTypes = map[model.Kind]struct{ typ, cat string }{
	model.KindURL:           {"url", "Network activity"},
	model.KindDomain:        {"domain", "Network activity"},
	model.KindIP:            {"ip-dst", "Network activity"},
	model.KindEmail:         {"email-src", "Payload delivery"},
	model.KindProcess:       {"text", "Artifacts dropped"},
	model.KindFilePath:      {"filename", "Artifacts dropped"},
	model.KindSHA256:        {"sha256", "Payload delivery"},
	model.KindCertSHA256:    {"sha256", "Payload delivery"},
	model.KindSHA1:          {"sha1", "Payload delivery"},
	model.KindCertSHA1:      {"sha1", "Payload delivery"},
	model.KindMD5:           {"md5", "Payload delivery"},
	model.KindCertMD5:       {"md5", "Payload delivery"},
	model.KindAppID:         {"text", "Payload installation"},
	model.KindTLSCertSHA256: {"x509-fingerprint-sha256", "Network activity"},
	model.KindTLSCertSHA1:   {"x509-fingerprint-sha1", "Network activity"},
	model.KindJA3:           {"ja3-fingerprint-md5", "Network activity"},
}

func mispType(k model.Kind) (string, string) {
	if t, ok := mispTypes[k]; ok {
		return t.typ, t.cat
	}
	return "text", "Other"
}

// maxSightings bounds the sightings listed per attribute (a link visited
// every day for years); the attribute's first_seen and last_seen still span
// them all.
const maxSightings = 100

// mispSightings lists when the attribute was seen on the phone, one MISP
// sighting (type "0": seen) per distinct time, earliest first. Sightings
// carry no organisation: whoever imports the event decides whose they are.
func mispSightings(attrUUID string, times map[time.Time]bool) []map[string]any {
	ts := make([]time.Time, 0, len(times))
	for t := range times {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, time.Time.Compare)
	if len(ts) > maxSightings {
		ts = ts[:maxSightings]
	}
	out := make([]map[string]any, 0, len(ts))
	for _, t := range ts {
		out = append(out, map[string]any{
			"uuid": uuid5("misp-sighting", attrUUID, t.Format(time.RFC3339Nano)), "attribute_uuid": attrUUID,
			"date_sighting": fmt.Sprint(t.Unix()), "type": "0", "source": "huella",
		})
	}
	return out
}

// indicatorKinds maps an indicator type's prefix to the observable kind it
// describes, the first prefix that fits winning (file hashes before other
// file properties); a type that fits none is taken for a domain.
var indicatorKinds = []struct {
	prefix string
	kind   model.Kind
}{
	{"url:", model.KindURL},
	{"ipv4-addr:", model.KindIP},
	{"ipv6-addr:", model.KindIP},
	{"email-addr:", model.KindEmail},
	{"process:", model.KindProcess},
	{"file:hashes.sha256", model.KindSHA256},
	{"file:hashes.sha1", model.KindSHA1},
	{"file:hashes.md5", model.KindMD5},
	{"file:", model.KindFilePath},
	{"app:id", model.KindAppID},
	{"app:cert.sha256", model.KindCertSHA256},
	{"app:cert.sha1", model.KindCertSHA1},
	{"app:cert.md5", model.KindCertMD5},
	{"configuration-profile:", model.KindProfileID},
	{"android-property:", model.KindAndroidProperty},
}

// IndicatorObservable stands for an observed value the export must not
// show (a case stored as HMACs): the indicator's own value, as the kind of
// observable it describes.
func IndicatorObservable(ref model.IndicatorRef) model.Observable {
	k := model.KindDomain
	for _, ik := range indicatorKinds {
		if strings.HasPrefix(ref.Type, ik.prefix) {
			k = ik.kind
			break
		}
	}
	return model.Observable{Kind: k, Value: ref.Value}
}

// MISP writes a MISP event (the JSON accepted by MISP's events/add and
// import), each matched value an attribute with its sightings.
func MISP(info results.Info, dets []model.Detection, now time.Time) ([]byte, error) {
	devKey := info.Evidence.Device.ID + info.Evidence.Path
	var attrs []map[string]any
	camps := map[string]bool{}
	for _, s := range group(dets, info.Started) {
		camps[s.ref.Campaign] = true
		keys := slices.Sorted(maps.Keys(s.obs))
		for _, k := range keys {
			o := s.obs[k]
			typ, cat := mispType(o.Kind)
			au := uuid5("misp-attr", devKey, k, s.ref.ID)
			attrs = append(attrs, map[string]any{
				"uuid": au, "type": typ, "category": cat, "value": o.Value,
				"to_ids": false, "timestamp": fmt.Sprint(s.last.Unix()),
				"first_seen": s.first.UTC().Format(time.RFC3339), "last_seen": s.last.UTC().Format(time.RFC3339),
				"comment":  fmt.Sprintf("matched %s %q of %s (%s, %s)", s.ref.Type, s.ref.Value, s.ref.Campaign, s.ref.File, s.ref.ID),
				"Sighting": mispSightings(au, s.times[k]),
			})
		}
	}
	var tags []map[string]string
	names := slices.Sorted(maps.Keys(camps))
	for _, c := range names {
		tags = append(tags, map[string]string{"name": "huella:campaign=\"" + c + "\""})
	}
	tags = append(tags, map[string]string{"name": "tlp:red"})
	if attrs == nil {
		attrs = []map[string]any{}
	}
	ev := map[string]any{"Event": map[string]any{
		"uuid": uuid5("misp-event", devKey, info.Started.String()), "info": fmt.Sprintf("huella: indicator sightings on a %s (%s)", info.Evidence.Kind, strings.Join(names, ", ")),
		"date": info.Started.UTC().Format("2006-01-02"), "timestamp": fmt.Sprint(now.Unix()),
		"threat_level_id": "1", "analysis": "2", "distribution": "0", "published": false,
		"Attribute": attrs, "Tag": tags,
	}}
	return json.MarshalIndent(ev, "", "  ")
}
