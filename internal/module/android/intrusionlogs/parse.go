// Package intrusionlogs reads Android 16's intrusion logging (Advanced
// Protection): newline-delimited JSON, one event per line, keyed by type
// (dns_event, connect_event, security_event), in plain files or zips.
package intrusionlogs

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/android"
	"github.com/huella-project/huella/internal/jsonx"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/timestamp"
)

// nestedZip bounds a zip inside the logs, read into memory.
var nestedZip = evfile.Limit{Kind: "zip inside intrusion logs", Max: 512 << 20}

func run(ctx context.Context, env *module.Env) error {
	pattern := "**"
	if env.Evidence.Kind == source.AndroidQF {
		pattern = "intrusion_logs/**"
	}
	files := env.Find(pattern)
	if len(files) == 0 {
		return module.Absent("intrusion_logs/")
	}
	rd := NewReader()
	read := 0
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := addFile(rd, env.Evidence.FS, name, 0)
		env.Evidence.NoteRefusal(err)
		read += n
		if err != nil {
			env.Warn("%v", err)
		}
	}
	if read == 0 {
		return module.Absent("intrusion log files")
	}
	if len(rd.Bad) > 0 {
		env.Warn("%d lines are not JSON objects, first: %s", len(rd.Bad), rd.Bad[0])
	}
	emit(env, rd)
	return nil
}

// addFile reads a log file or a zip of them; returns how many log files it
// read.
func addFile(rd *Reader, fsys fs.FS, name string, depth int) (int, error) {
	if strings.HasSuffix(strings.ToLower(name), ".zip") {
		if depth >= 3 {
			return 0, fmt.Errorf("%s: zip nested too deep; skipped", name)
		}
		b, err := evfile.ReadFile(fsys, name, nestedZip)
		if err != nil {
			return 0, err
		}
		z, err := archive.NewZip(bytes.NewReader(b), int64(len(b)), name, archive.Limits{MaxTotal: 4 << 30})
		if err != nil {
			return 0, err
		}
		total := 0
		var errs []string
		_ = fs.WalkDir(z, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			n, err := addFile(rd, z, p, depth+1)
			total += n
			if err != nil {
				errs = append(errs, err.Error())
			}
			return nil
		})
		if len(errs) > 0 {
			return total, fmt.Errorf("%s: %s", name, strings.Join(errs, "; "))
		}
		return total, nil
	}
	ext := strings.ToLower(path.Ext(name))
	if ext != ".txt" && ext != ".json" && ext != ".ndjson" && ext != ".jsonl" && ext != ".log" && ext != "" {
		return 0, nil
	}
	f, err := evfile.Open(fsys, name, evfile.Stream)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return 1, rd.Add(name, f)
}

func emit(env *module.Env, rd *Reader) {
	sort.SliceStable(rd.Events, func(i, j int) bool { return rd.Events[i].Time.Before(rd.Events[j].Time) })
	unknown := map[string]bool{}
	unknownTags := map[string]bool{}
	for i := range rd.Events {
		ev := &rd.Events[i]
		r := &model.Record{Source: fmt.Sprintf("%s:%d", ev.File, ev.Line), Data: ev}
		switch ev.Type {
		case "dns_event":
			dnsRecord(r, ev)
		case "connect_event":
			connectRecord(r, ev)
		case "security_event":
			if !securityRecord(env, r, ev) {
				unknownTags[ev.Tag] = true
			}
		default:
			unknown[ev.Type] = true
			r.Summary = fmt.Sprintf("%s: %s", ev.Type, compact(ev.Fields))
			r.StampChecked(ev.Time, ev.timeErr, ev.Type)
		}
		env.Emit(r)
		if ev.Type == "security_event" {
			env.Report(android.IntrusionSecurityEvent(ev.Tag, sub(ev)), r)
		}
	}
	if len(unknown) > 0 {
		env.Warn("unknown intrusion logging event type(s): %s", strings.Join(slices.Sorted(maps.Keys(unknown)), ", "))
	}
	if len(unknownTags) > 0 {
		env.Warn("unknown intrusion logging security event type(s): %s", strings.Join(slices.Sorted(maps.Keys(unknownTags)), ", "))
	}
	if rd.Dups > 0 {
		env.Log.Info("duplicate intrusion-log events dropped", "count", rd.Dups)
	}
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

func dnsRecord(r *model.Record, ev *Event) {
	host, pkg := str(ev.Fields["hostname"]), str(ev.Fields["package_name"])
	var ips []string
	if list, ok := ev.Fields["ip_addresses"].([]any); ok {
		for _, x := range list {
			ip := strings.TrimPrefix(str(x), "/")
			if ip != "" && ip != "0.0.0.0" && ip != "::" {
				ips = append(ips, ip)
				r.Add(model.KindIP, ip, "ip_addresses")
			}
		}
	}
	r.Add(model.KindDomain, strings.TrimSuffix(host, "."), "hostname")
	r.Add(model.KindAppID, pkg, "package_name")
	r.Summary = fmt.Sprintf("DNS query for %s by %s", host, cmp.Or(pkg, "unknown app"))
	if len(ips) > 0 {
		r.Summary += " [IPs: " + strings.Join(ips, ", ") + "]"
	}
	r.StampChecked(ev.Time, ev.timeErr, "dns_query")
}

func connectRecord(r *model.Record, ev *Event) {
	raw, pkg := str(ev.Fields["ip_address"]), str(ev.Fields["package_name"])
	ip := raw[strings.LastIndex(raw, "/")+1:]
	switch ip {
	case "::1", "127.0.0.1", "0.0.0.0", "":
	default:
		r.Add(model.KindIP, ip, "ip_address")
	}
	r.Add(model.KindAppID, pkg, "package_name")
	r.Summary = fmt.Sprintf("Connection to %s:%s by %s", ip, str(ev.Fields["port"]), cmp.Or(pkg, "unknown app"))
	r.StampChecked(ev.Time, ev.timeErr, "network_connection")
}

func sub(ev *Event) map[string]any {
	m, _ := ev.Fields[ev.Tag].(map[string]any)
	if m == nil {
		m = map[string]any{"value": ev.Fields[ev.Tag]}
	}
	return m
}

// securityRecord fills a security event record; false means the tag is
// not one huella knows.
func securityRecord(env *module.Env, r *model.Record, ev *Event) bool {
	f := sub(ev)
	known := true
	var s string
	switch ev.Tag {
	case "app_process_start":
		proc := str(f["process"])
		s = fmt.Sprintf("Process started: %s (UID: %s, PID: %s)", proc, str(f["uid"]), str(f["pid"]))
		r.Add(model.KindProcess, proc, "app_process_start.process")
		parts := strings.Split(proc, ":")
		r.Add(model.KindAppID, parts[0], "app_process_start.process")
		for _, p := range parts[1:] {
			if strings.Contains(p, ".") {
				r.Add(model.KindAppID, p, "app_process_start.process")
			}
		}
	case "package_installed", "package_updated", "package_uninstalled":
		pkg := str(f["package_name"])
		s = fmt.Sprintf("%s: %s (version %s, user %s)", strings.ReplaceAll(ev.Tag, "_", " "), pkg, str(f["version_code"]), str(f["user_id"]))
		r.Add(model.KindAppID, pkg, ev.Tag+".package_name")
	case "adb_shell_cmd":
		s = "ADB shell command: " + str(f["command"])
	case "adb_shell_interactive":
		s = "ADB interactive shell started"
	case "adb_sync_recv_file", "adb_sync_send_file":
		p := str(f["path"])
		s = fmt.Sprintf("ADB file transfer (%s): %s", ev.Tag, p)
		r.Add(model.KindFilePath, p, ev.Tag+".path")
	case "keyguard_dismissed":
		s = "Keyguard dismissed"
	case "keyguard_dismiss_auth_attempt":
		res := "Failure"
		if ok, _ := truthy(f["success"]); ok {
			res = "Success"
		}
		s = fmt.Sprintf("Auth attempt: %s (method strength: %s)", res, str(f["method_strength"]))
	case "keyguard_secured":
		s = "Keyguard secured"
	case "key_generated":
		ok, _ := truthy(f["success"])
		key, uid := str(f["key_id"]), str(f["uid"])
		if ok {
			s = fmt.Sprintf("Key generated: %s (UID: %s)", key, uid)
		} else {
			s = fmt.Sprintf("Key generation failed: %s (UID: %s)", key, uid)
			var u int64
			fmt.Sscan(uid, &u)
			if android.KeyGenerationFailureWorthNoting(key, u, f["success"]) {
				env.Warn("failed key generation detected for key_id: %s (uid %s)", key, uid)
			}
		}
	case "cert_authority_installed", "cert_authority_removed":
		s = fmt.Sprintf("%s: %s (success: %s)", ev.Tag, str(f["subject"]), str(f["success"]))
		if ok, set := truthy(f["success"]); set && !ok && ev.Tag == "cert_authority_installed" {
			env.Warn("failed certificate authority install attempt: %s", str(f["subject"]))
		}
	case "cert_validation_failure":
		s = "Certificate validation failure: " + str(f["reason"]) + str(f["value"])
	case "wipe_failure", "key_integrity_violation", "crypto_self_test_completed", "media_mount", "media_unmount",
		"os_startup", "os_shutdown", "logging_started", "logging_stopped", "log_buffer_size_critical",
		"key_destroyed", "key_import", "password_changed", "password_complexity_set", "remote_lock",
		"user_restriction_added", "user_restriction_removed", "wifi_connection", "wifi_disconnection",
		"bluetooth_connection", "bluetooth_disconnection", "backup_service_toggled", "sync_recv_file", "sync_send_file":
		s = fmt.Sprintf("%s: %s", ev.Tag, compact(f))
	default:
		known = false
		s = fmt.Sprintf("%s: %s", ev.Tag, compact(f))
	}
	r.Summary = s
	desc := ev.Tag
	if desc == "" {
		desc = "security_event"
	}
	r.StampChecked(ev.Time, ev.timeErr, desc)
	return known
}

func truthy(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case json.Number:
		return x.String() != "0", true
	case string:
		return x == "true" || x == "1", x != ""
	}
	return false, false
}

// Event is one logged event.
type Event struct {
	Type   string         `json:"type"`          // dns_event, connect_event, security_event, or unknown
	Tag    string         `json:"tag,omitempty"` // security events: what happened, e.g. app_process_start
	Time   time.Time      `json:"time,omitzero"`
	Fields map[string]any `json:"fields"` // the event as logged
	File   string         `json:"file"`
	Line   int            `json:"line"`
	// timeErr keeps an event_time that is no plausible date; the record
	// carries the raw value (model.Record.StampChecked).
	timeErr error
}

// securityMeta are security_event keys that are not the tag.
var securityMeta = map[string]bool{"event_id": true, "event_time": true, "event_type": true, "timestamp": true}

// oversized stands for a line longer than maxLine, which is skipped.
var oversized = []byte{0}

const (
	maxLine   = 1 << 20
	maxEvents = 10_000_000
)

// Reader collects events from several files and drops duplicates (the same
// event is often exported in overlapping files).
type Reader struct {
	seen   map[[32]byte]bool
	Events []Event
	Dups   int
	Bad    []string // lines that are not JSON objects, "file:line: why"
}

// NewReader returns an empty Reader.
func NewReader() *Reader { return &Reader{seen: map[[32]byte]bool{}} }

// Add reads one NDJSON stream.
func (r *Reader) Add(name string, in io.Reader) error {
	br := bufio.NewReaderSize(in, 64<<10)
	line := 0
	for {
		b, err := readLine(br)
		if len(b) > 0 {
			line++
			if &b[0] == &oversized[0] {
				r.Bad = append(r.Bad, fmt.Sprintf("%s:%d: line longer than %d bytes", name, line, maxLine))
			} else {
				r.addLine(name, line, b)
			}
			if len(r.Events) > maxEvents {
				return fmt.Errorf("%s: more than %d events; stopped", name, maxEvents)
			}
		} else if err == nil {
			line++
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: line %d: %w", name, line+1, err)
		}
	}
}

// readLine is the next line without its spaces; the rest of an absurd
// line is skipped rather than held, and it comes back oversized.
func readLine(br *bufio.Reader) ([]byte, error) {
	buf, long, err := jsonx.NextLine(br, maxLine)
	if long {
		return oversized, err
	}
	return bytes.TrimSpace(buf), err
}

func (r *Reader) addLine(name string, line int, b []byte) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		r.Bad = append(r.Bad, fmt.Sprintf("%s:%d: not a JSON object", name, line))
		return
	}
	for _, typ := range slices.Sorted(maps.Keys(top)) {
		fields, _ := top[typ].(map[string]any)
		if fields == nil {
			fields = map[string]any{"value": top[typ]}
		}
		// encoding/json sorts map keys, so this is a canonical form.
		canon, _ := json.Marshal(map[string]any{typ: fields})
		sum := sha256.Sum256(canon)
		if r.seen[sum] {
			r.Dups++
			continue
		}
		r.seen[sum] = true
		ev := Event{Type: typ, Fields: fields, File: name, Line: line}
		if typ == "security_event" {
			for _, k := range slices.Sorted(maps.Keys(fields)) {
				if !securityMeta[k] {
					ev.Tag = k
					break
				}
			}
		}
		ev.Time, ev.timeErr = epoch(fields["event_time"])
		r.Events = append(r.Events, ev)
	}
}

// epoch reads event_time. DNS and connect events log milliseconds and
// security events nanoseconds; the magnitude decides (timestamp.UnixInt),
// so a format change cannot move events to 1970 or to the far future. A
// value that is no date between 1970 and 2100 is returned as an error that
// keeps it.
func epoch(v any) (time.Time, error) {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return timestamp.UnixInt(i)
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return time.Time{}, nil
		}
		return timestamp.Unix(f)
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return time.Time{}, nil
		}
		return timestamp.UnixInt(i)
	}
	return time.Time{}, nil
}
