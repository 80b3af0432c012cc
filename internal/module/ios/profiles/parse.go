package profiles

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/plistfile"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/timestamp"
)

// profileFile bounds a profile plist (and the profile event log): real ones
// are kilobytes. A file declaring more is refused unread.
var (
	profileFile = evfile.Limit{Kind: "configuration profile", Max: 32 << 20}
	plistLimits = plistx.Limits{MaxBytes: int(profileFile.Max)}
)

// Profile is the record's data: the profile's own plist plus where it was.
type Profile struct {
	UUID         string         `json:"uuid"`
	Identifier   string         `json:"identifier,omitempty"`
	DisplayName  string         `json:"display_name,omitempty"`
	Description  string         `json:"description,omitempty"`
	PayloadTypes []string       `json:"payload_types,omitempty"`
	InstallDate  *time.Time     `json:"install_date,omitempty"`
	Plist        map[string]any `json:"plist"`
}

// eachPlist reads every file matching patterns as a plist dictionary and
// hands it to use; a file that cannot be read or decoded is a part not
// checked, and the others are still read.
func eachPlist(what string, patterns []string, use func(env *module.Env, file string, m map[string]any)) func(context.Context, *module.Env) error {
	return module.EachFile(what, patterns, func(_ context.Context, env *module.Env, f string) error {
		data, err := env.ReadFile(f, profileFile)
		var m map[string]any
		if err == nil {
			m, err = plistx.DecodeDict(data, plistLimits)
		}
		if err != nil {
			env.Unreadable(f, err)
			return nil
		}
		use(env, f, m)
		return nil
	})
}

var runProfiles = eachPlist("configuration profiles", ProfilePaths, func(env *module.Env, f string, m map[string]any) {
	r := Build(f, m)
	env.Emit(r)
	for _, d := range Assess(r) {
		env.Detect(d)
	}
})

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// Build makes the record of one profile plist.
func Build(src string, m map[string]any) *model.Record {
	p := Profile{UUID: str(m, "PayloadUUID"), Identifier: str(m, "PayloadIdentifier"),
		DisplayName: str(m, "PayloadDisplayName"), Description: str(m, "PayloadDescription"), Plist: m}
	if content, ok := m["PayloadContent"].([]any); ok {
		for _, c := range content {
			if cm, ok := c.(map[string]any); ok {
				if t := str(cm, "PayloadType"); t != "" {
					p.PayloadTypes = append(p.PayloadTypes, t)
				}
			}
		}
	}
	// A plist date outside 1970–2100 reaches here as its Cocoa seconds:
	// the record keeps it as stored (plistfile.Date).
	installed, installErr := plistfile.Date(m["InstallDate"], timestamp.AppleSeconds)
	if !installed.IsZero() {
		p.InstallDate = &installed
	}
	first := "profile"
	if len(p.PayloadTypes) > 0 {
		first = p.PayloadTypes[0]
	}
	r := &model.Record{Source: src, Data: p,
		Summary: fmt.Sprintf("%s installed: %s - %s: %s", first, p.UUID, p.DisplayName, p.Description)}
	if p.InstallDate != nil {
		r.Stamp(*p.InstallDate, "configuration_profile_install")
	}
	r.StampChecked(time.Time{}, installErr, "configuration_profile_install")
	r.Add(model.KindProfileID, p.UUID, "PayloadUUID")
	return r
}

// Payload types that change who can read or steer the phone's traffic, and
// the rule each is a finding of (texts and severities in the registry).
var risky = map[string]*rules.Rule{
	"com.apple.mdm":                  rules.IOSProfileMDM,
	"com.apple.notificationsettings": rules.IOSProfileNotificationSettings,
	"com.apple.security.root":        rules.IOSProfileRootCertificate,
	"com.apple.security.pem":         rules.IOSProfileCertificate,
	"com.apple.security.pkcs1":       rules.IOSProfileCertificate,
	"com.apple.proxy.http.global":    rules.IOSProfileGlobalProxy,
	"com.apple.vpn.managed":          rules.IOSProfileVPN,
	"com.apple.dnsSettings.managed":  rules.IOSProfileDNS,
	"com.apple.webcontent-filter":    rules.IOSProfileContentFilter,
}

// Assess returns the heuristic findings about a profile record.
func Assess(r *model.Record) []model.Detection {
	p, ok := r.Data.(Profile)
	if !ok {
		return nil
	}
	var out []model.Detection
	seen := map[string]bool{}
	for _, t := range p.PayloadTypes {
		rule, ok := risky[t]
		if !ok || seen[rule.ID] {
			continue
		}
		seen[rule.ID] = true
		name := p.DisplayName
		if name == "" {
			name = p.UUID
		}
		out = append(out, rule.New(rules.Params{"profile": name, "payload": t}).Detection(r))
	}
	return out
}

// Event is one profile operation.
type Event struct {
	ProfileID string         `json:"profile_id"`
	Timestamp *time.Time     `json:"timestamp,omitempty"`
	Operation string         `json:"operation"`
	Process   string         `json:"process"`
	Extra     map[string]any `json:"extra,omitempty"`
}

var runEvents = eachPlist("MCProfileEvents.plist", EventPaths, func(env *module.Env, f string, m map[string]any) {
	for _, r := range BuildEvents(f, m) {
		env.Emit(r)
		env.Report(OperationFinding(r.Data.(Event)), r)
	}
})

// OperationFinding reports one profile operation: who installed, removed or
// changed which profile, and when. nil for an entry that names no profile.
func OperationFinding(e Event) *rules.Finding {
	if e.ProfileID == "" {
		return nil
	}
	ts := "?"
	if e.Timestamp != nil {
		ts = e.Timestamp.Format("2006-01-02 15:04:05 UTC")
	}
	f := rules.IOSProfileOperation.New(rules.Params{"time": ts, "process": e.Process, "operation": e.Operation, "profile": e.ProfileID})
	return &f
}

// BuildEvents turns MCProfileEvents.plist ({"ProfileEvents": [{id: {...}}]})
// into one record per operation.
func BuildEvents(src string, m map[string]any) []*model.Record {
	list, _ := m["ProfileEvents"].([]any)
	var out []*model.Record
	for _, item := range list {
		im, ok := item.(map[string]any)
		if !ok {
			continue
		}
		for id, v := range im {
			em, ok := v.(map[string]any)
			if !ok {
				continue
			}
			e := Event{ProfileID: id, Operation: str(em, "operation"), Process: str(em, "process")}
			var tsErr error // the timestamp is no plausible date: the record keeps it as stored
			for k, x := range em {
				switch strings.ToLower(k) {
				case "operation", "process":
				case "timestamp":
					t, err := plistfile.Date(x, timestamp.AppleSeconds)
					if !t.IsZero() {
						e.Timestamp = &t
					}
					tsErr = err
				default:
					if e.Extra == nil {
						e.Extra = map[string]any{}
					}
					e.Extra[strings.ToLower(k)] = x
				}
			}
			r := &model.Record{Source: src, Data: e,
				Summary: fmt.Sprintf("Process %s: %s of profile %s", e.Process, e.Operation, e.ProfileID)}
			if e.Timestamp != nil {
				r.Stamp(*e.Timestamp, "profile_operation")
			}
			r.StampChecked(time.Time{}, tsErr, "profile_operation")
			r.Add(model.KindProfileID, e.ProfileID, "profile_id")
			r.Add(model.KindProcess, e.Process, "process")
			if b := path.Base(e.Process); e.Process != "" && b != e.Process {
				r.Add(model.KindProcess, b, "process")
			}
			out = append(out, r)
		}
	}
	return out
}
