package intrusionlogs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/archive"
	"github.com/huella-project/huella/internal/source/evfile"
)

// nestedZip bounds a zip inside the logs, read into memory.
var nestedZip = evfile.Limit{Kind: "zip inside intrusion logs", Max: 512 << 20}

// Def is the android.intrusion_logs module.
func Def() module.Def {
	return module.Def{
		Name:        "android.intrusion_logs",
		Description: "Android intrusion logging (Advanced Protection): DNS queries, network connections and security events.",
		Kinds:       []source.Kind{source.IntrusionLogs, source.AndroidQF},
		Paths:       []string{"**", "intrusion_logs/**"}, // an export whole; an acquisition's folder
		Run:         run,
	}
}

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
			env.Report(heuristics.IntrusionSecurityEvent(ev.Tag, sub(ev)), r)
		}
	}
	if len(unknown) > 0 {
		env.Warn("unknown intrusion logging event type(s): %s", strings.Join(sortedSet(unknown), ", "))
	}
	if len(unknownTags) > 0 {
		env.Warn("unknown intrusion logging security event type(s): %s", strings.Join(sortedSet(unknownTags), ", "))
	}
	if rd.Dups > 0 {
		env.Log.Info("duplicate intrusion-log events dropped", "count", rd.Dups)
	}
}

func sortedSet(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
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
	r.Summary = fmt.Sprintf("DNS query for %s by %s", host, orUnknown(pkg))
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
	r.Summary = fmt.Sprintf("Connection to %s:%s by %s", ip, str(ev.Fields["port"]), orUnknown(pkg))
	r.StampChecked(ev.Time, ev.timeErr, "network_connection")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown app"
	}
	return s
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
			if heuristics.KeyGenerationFailureWorthNoting(key, u, f["success"]) {
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
