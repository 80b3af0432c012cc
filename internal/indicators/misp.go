package indicators

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// MISP events and feeds, read offline.
//
// A MISP event is one JSON object {"Event": {...}} whose "Attribute" list
// (and the attributes of each entry of "Object") holds typed values: type
// "domain", value "evil.example", to_ids true. An export of several events
// is {"response": [{"Event": ...}, ...]} or a bare list of those. A MISP feed
// is a folder: manifest.json maps each event's UUID to its metadata, and
// each event is in <uuid>.json beside it (hashes.csv, also there, lists
// digests of values for correlation and is not needed here).
//
// Each attribute becomes one indicator with id "indicator--<attribute uuid>"
// (what MISP's own STIX export uses), attributed to the event's "info", and
// is compiled like the equivalent STIX pattern. Attributes not meant for
// detection (to_ids false), revoked ones (deleted) and types huella has no
// observable for are counted as unsupported, with the reason in Problems.

type mispEnvelope struct {
	Event    json.RawMessage   `json:"Event"`
	Response []json.RawMessage `json:"response"`
	Type     string            `json:"type"`
}

type mispEvent struct {
	UUID      string          `json:"uuid"`
	Info      string          `json:"info"`
	Attribute []mispAttribute `json:"Attribute"`
	Object    []struct {
		Name      string          `json:"name"`
		Deleted   mispBool        `json:"deleted"`
		Attribute []mispAttribute `json:"Attribute"`
	} `json:"Object"`
}

type mispAttribute struct {
	UUID    string   `json:"uuid"`
	Type    string   `json:"type"`
	Value   string   `json:"value"`
	ToIDS   mispBool `json:"to_ids"`
	Deleted mispBool `json:"deleted"`
}

// mispBool accepts true/false and the "1"/"0" strings older exports use.
type mispBool struct {
	Set, Val bool
}

func (b *mispBool) UnmarshalJSON(d []byte) error {
	switch strings.Trim(string(d), `"`) {
	case "true", "1", "True":
		*b = mispBool{true, true}
	case "false", "0", "False", "":
		*b = mispBool{true, false}
	case "null":
	default:
		return fmt.Errorf("not a boolean: %.20s", d)
	}
	return nil
}

// looksMISP tells a MISP event export from a STIX bundle by its top level.
func looksMISP(data []byte) ([]json.RawMessage, bool) {
	d := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	if len(d) == 0 {
		return nil, false
	}
	if d[0] == '[' {
		var list []mispEnvelope
		if json.Unmarshal(d, &list) != nil || len(list) == 0 {
			return nil, false
		}
		var evs []json.RawMessage
		for _, e := range list {
			if len(e.Event) == 0 {
				return nil, false
			}
			evs = append(evs, e.Event)
		}
		return evs, true
	}
	var env mispEnvelope
	if json.Unmarshal(d, &env) != nil || env.Type == "bundle" {
		return nil, false
	}
	if len(env.Event) > 0 {
		return []json.RawMessage{env.Event}, true
	}
	if env.Response != nil {
		var evs []json.RawMessage
		for _, r := range env.Response {
			var e mispEnvelope
			if json.Unmarshal(r, &e) != nil || len(e.Event) == 0 {
				return nil, false
			}
			evs = append(evs, e.Event)
		}
		return evs, true
	}
	return nil, false
}

// mispTypes maps MISP attribute types to the indicator types they are.
// Composite types ("domain|ip") name one type per part.
var mispTypes = map[string][]string{
	"domain":                  {TypeDomain},
	"hostname":                {TypeDomain},
	"domain|ip":               {TypeDomain, "ip"},
	"hostname|port":           {TypeDomain, ""},
	"url":                     {TypeURL},
	"ip-dst":                  {"ip"},
	"ip-src":                  {"ip"},
	"ip-dst|port":             {"ip", ""},
	"ip-src|port":             {"ip", ""},
	"md5":                     {TypeMD5},
	"sha1":                    {TypeSHA1},
	"sha256":                  {TypeSHA256},
	"filename":                {"file"},
	"filename|md5":            {"file", TypeMD5},
	"filename|sha1":           {"file", TypeSHA1},
	"filename|sha256":         {"file", TypeSHA256},
	"email":                   {TypeEmail},
	"email-src":               {TypeEmail},
	"email-dst":               {TypeEmail},
	"email-reply-to":          {TypeEmail},
	"mobile-application-id":   {TypeAppID},
	"x509-fingerprint-md5":    {TypeCertMD5},
	"x509-fingerprint-sha1":   {TypeCertSHA1},
	"x509-fingerprint-sha256": {TypeCertSHA256},
	"ja3-fingerprint-md5":     {TypeJA3},
	"stix2-pattern":           {"stix"},
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// mispAlternatives turns one attribute into indicator alternatives; why is
// set when there are none.
func mispAlternatives(a mispAttribute) (alts []alternative, why string) {
	types, ok := mispTypes[a.Type]
	if !ok {
		return nil, "MISP type " + a.Type + " has no observable in huella"
	}
	v := strings.TrimSpace(a.Value)
	if v == "" {
		return nil, "empty value"
	}
	parts := []string{v}
	if len(types) > 1 {
		parts = strings.SplitN(v, "|", len(types))
		if len(parts) != len(types) {
			return nil, "value of a composite type lacks its '|'"
		}
	}
	for i, t := range types {
		p := strings.TrimSpace(parts[i])
		if t == "" || p == "" {
			continue // a port: nothing on a phone to compare it with
		}
		switch t {
		case "ip":
			if strings.IndexByte(p, ':') >= 0 {
				t = TypeIPv6
			} else {
				t = TypeIPv4
			}
		case "file":
			// MISP's filename is often a path; a path is matched as one.
			if strings.ContainsAny(p, `/\`) {
				t = TypeFilePath
			} else {
				t = TypeFileName
			}
		case "stix":
			n, err := ParsePattern(p)
			if err != nil {
				return nil, "stix2-pattern does not parse: " + err.Error()
			}
			more, skipped := evaluate(n)
			if len(more) == 0 {
				return nil, "stix2-pattern not evaluated: " + strings.Join(skipped, "; ")
			}
			alts = append(alts, more...)
			continue
		}
		alts = append(alts, alternative{Type: t, Value: p})
	}
	if len(alts) == 0 {
		return nil, "nothing to match in " + a.Type
	}
	return alts, ""
}

// addMISP compiles the events of one file.
func (b *builder) addMISP(fi *FileInfo, events []json.RawMessage) error {
	problem := b.fileProblems(fi)
	total := 0
	for ei, raw := range events {
		var ev mispEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			if len(events) == 1 {
				return err
			}
			problem(Problem{File: fi.Path, ID: fmt.Sprintf("events[%d]", ei), Reason: "event does not decode: " + err.Error()})
			continue
		}
		campaign := strings.TrimSpace(ev.Info)
		if campaign == "" {
			campaign = strings.TrimSuffix(fi.Name, path.Ext(fi.Name))
		}
		attrs := ev.Attribute
		for _, o := range ev.Object {
			if o.Deleted.Val {
				continue
			}
			attrs = append(attrs, o.Attribute...)
		}
		total += len(attrs)
		if total > maxObjects {
			return fmt.Errorf("over %d attributes", maxObjects)
		}
		for i, a := range attrs {
			id := "indicator--" + strings.ToLower(a.UUID)
			if !uuidRE.MatchString(a.UUID) {
				id = fmt.Sprintf("misp-attribute--%s-%d", ev.UUID, i)
			}
			if a.Deleted.Val {
				continue // revoked by its publisher
			}
			fi.Indicators++
			pat := a.Type + " = " + clip(a.Value)
			if a.ToIDS.Set && !a.ToIDS.Val {
				fi.Unsupported++
				problem(Problem{File: fi.Path, ID: id, Pattern: pat, Reason: "to_ids is false: the publisher did not mean it for detection"})
				continue
			}
			alts, why := mispAlternatives(a)
			if len(alts) == 0 {
				fi.Unsupported++
				problem(Problem{File: fi.Path, ID: id, Pattern: pat, Reason: why})
				continue
			}
			for _, alt := range alts {
				fi.Counts[alt.Type]++
				b.add(alt, ref{Campaign: campaign, File: fi.Name, FileSHA256: fi.SHA256, ID: id})
			}
		}
	}
	return nil
}

// mispManifest is a feed's manifest.json: event UUID → event metadata.
func mispManifest(data []byte) ([]string, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil || len(m) == 0 {
		return nil, false
	}
	var ids []string
	for k, v := range m {
		if !uuidRE.MatchString(k) || len(v) == 0 || v[0] != '{' {
			return nil, false
		}
		ids = append(ids, k)
	}
	sort.Strings(ids)
	return ids, true
}

// expandFeeds replaces every MISP feed manifest among files by the event
// files it lists (<uuid>.json in its folder). A listed event that is
// missing is reported; a manifest.json that is not a MISP manifest stays
// and is loaded (and fails) like any other file.
func expandFeeds(src feedSource, files []string) ([]string, []FileInfo) {
	var out []string
	var missing []FileInfo
	listed := map[string]bool{}
	for _, f := range files {
		if !strings.EqualFold(src.base(f), "manifest.json") {
			continue
		}
		data, err := src.read(f)
		if err != nil {
			continue
		}
		ids, ok := mispManifest(data)
		if !ok {
			continue
		}
		listed[f] = true
		for _, id := range ids {
			ev := src.join(src.dir(f), id+".json")
			if !src.isRegular(ev) {
				missing = append(missing, FileInfo{Path: ev, Name: src.base(ev), Error: "listed in " + f + " but missing"})
				continue
			}
			listed[ev] = false
			out = append(out, ev)
		}
	}
	if len(listed) == 0 {
		return files, nil
	}
	seen := map[string]bool{}
	for _, f := range out {
		seen[f] = true
	}
	for _, f := range files {
		if isManifest, ok := listed[f]; (ok && isManifest) || seen[f] {
			continue
		}
		out = append(out, f)
	}
	sort.Strings(out)
	return out, missing
}
