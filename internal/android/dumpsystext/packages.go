package dumpsystext

import (
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// Package is one `Package [name]` block of the package section.
type Package struct {
	Name                 string       `json:"package_name"`
	UID                  string       `json:"uid,omitempty"`
	VersionName          string       `json:"version_name,omitempty"`
	VersionCode          string       `json:"version_code,omitempty"`
	Timestamp            string       `json:"timestamp,omitempty"` // device wall clock, as printed
	FirstInstallTime     string       `json:"first_install_time,omitempty"`
	LastUpdateTime       string       `json:"last_update_time,omitempty"`
	Installer            string       `json:"installer"`
	System               bool         `json:"system"`
	Flags                []string     `json:"flags,omitempty"`
	CodePath             string       `json:"code_path,omitempty"`
	Signatures           []string     `json:"signatures,omitempty"` // short hashes PackageManager prints
	Permissions          []Permission `json:"permissions"`
	RequestedPermissions []string     `json:"requested_permissions,omitempty"`
}

// Permission is a declared, install-time or runtime permission.
type Permission struct {
	Name    string `json:"name"`
	Granted bool   `json:"granted"`
	Type    string `json:"type"` // declared, install or runtime
}

// PackagesResult says how many blocks were seen and parsed, so a module can
// report "parsed N of M package blocks" instead of silently losing some.
type PackagesResult struct {
	Packages []Package
	Blocks   int // `Package [` headers seen in the Packages: part
}

// ParsePackages reads every `Package [name]` block under `Packages:`. Blank
// lines never end the part (some vendors print them between or inside
// blocks); an unindented line does, so `Hidden system packages:` is left out.
func ParsePackages(s string) PackagesResult {
	var res PackagesResult
	in := false
	var block []string
	flush := func() {
		if block == nil {
			return
		}
		if p, ok := parsePackageBlock(block); ok {
			res.Packages = append(res.Packages, p)
		}
		block = nil
	}
	for _, ln := range lines(s) {
		t := strings.TrimSpace(ln)
		if t == "" {
			continue
		}
		if indent(ln) == 0 {
			if in {
				break
			}
			in = t == "Packages:"
			continue
		}
		if !in {
			continue
		}
		if strings.HasPrefix(t, "Package [") && indent(ln) <= 2 {
			flush()
			res.Blocks++
			block = []string{ln}
			continue
		}
		if block != nil {
			block = append(block, ln)
		}
	}
	flush()
	return res
}

// ParsePackageBlock parses one block (header line first, or just its body).
func ParsePackageBlock(block string) (Package, bool) {
	return parsePackageBlock(lines(block))
}

// parsePackageBlock fills a Package from the block's lines. Per-user values
// (`User N:` sub-blocks) come from user 0 when present, else from the first
// user, else from the package level.
func parsePackageBlock(ls []string) (Package, bool) {
	var p Package
	if len(ls) > 0 {
		t := strings.TrimSpace(ls[0])
		if rest, ok := strings.CutPrefix(t, "Package ["); ok {
			name, _, ok := strings.Cut(rest, "]")
			if !ok || name == "" {
				return p, false
			}
			p.Name = name
			ls = ls[1:]
		}
	}
	type userVals struct {
		id               int
		firstInstall     string
		runtime          []Permission
		seenRuntimeBlock bool
	}
	var users []*userVals
	var cur *userVals
	list := "" // which indented list the following lines belong to
	listIndent := 0
	for _, ln := range ls {
		t := strings.TrimSpace(ln)
		if t == "" {
			continue
		}
		ind := indent(ln)
		if list != "" && ind <= listIndent {
			list = ""
		}
		if strings.HasPrefix(t, "User ") && strings.Contains(t, ":") {
			idStr, rest, _ := strings.Cut(t[len("User "):], ":")
			id, err := strconv.Atoi(strings.TrimSpace(idStr))
			if err == nil {
				cur = &userVals{id: id}
				users = append(users, cur)
				list = ""
				if v := kv(rest, "firstInstallTime="); v != "" {
					cur.firstInstall = v
				}
				continue
			}
		}
		if list != "" {
			switch list {
			case "requested":
				p.RequestedPermissions = append(p.RequestedPermissions, t)
			case "declared":
				name, _, _ := strings.Cut(t, ":")
				p.Permissions = append(p.Permissions, Permission{Name: name, Granted: true, Type: "declared"})
			case "install", "runtime":
				name, rest, ok := strings.Cut(t, ":")
				if !ok {
					continue
				}
				perm := Permission{Name: name, Granted: kv(rest, "granted=") == "true", Type: list}
				if list == "runtime" && cur != nil {
					cur.runtime = append(cur.runtime, perm)
				} else {
					p.Permissions = append(p.Permissions, perm)
				}
			}
			continue
		}
		switch {
		case t == "requested permissions:":
			list, listIndent = "requested", ind
		case t == "declared permissions:":
			list, listIndent = "declared", ind
		case t == "install permissions:":
			list, listIndent = "install", ind
		case t == "runtime permissions:":
			list, listIndent = "runtime", ind
			if cur != nil {
				cur.seenRuntimeBlock = true
			}
		case strings.HasPrefix(t, "userId="):
			p.UID = firstField(t[len("userId="):])
		case strings.HasPrefix(t, "versionName="):
			p.VersionName = t[len("versionName="):]
		case strings.HasPrefix(t, "versionCode="):
			p.VersionCode = firstField(t[len("versionCode="):])
		case strings.HasPrefix(t, "timeStamp="):
			p.Timestamp = t[len("timeStamp="):]
		case strings.HasPrefix(t, "firstInstallTime="):
			if cur != nil {
				cur.firstInstall = t[len("firstInstallTime="):]
			} else {
				p.FirstInstallTime = t[len("firstInstallTime="):]
			}
		case strings.HasPrefix(t, "lastUpdateTime="):
			p.LastUpdateTime = t[len("lastUpdateTime="):]
		case strings.HasPrefix(t, "installerPackageName="):
			p.Installer = t[len("installerPackageName="):]
		case strings.HasPrefix(t, "codePath="):
			p.CodePath = t[len("codePath="):]
		case strings.HasPrefix(t, "pkgFlags=["):
			body := strings.TrimSuffix(t[len("pkgFlags=["):], "]")
			p.Flags = strings.Fields(body)
			for _, f := range p.Flags {
				if f == "SYSTEM" {
					p.System = true
				}
			}
		case strings.HasPrefix(t, "signatures=PackageSignatures{"):
			if _, after, ok := strings.Cut(t, "signatures:["); ok {
				body, _, _ := strings.Cut(after, "]")
				for _, sig := range strings.Split(body, ",") {
					if sig = strings.TrimSpace(sig); sig != "" {
						p.Signatures = append(p.Signatures, sig)
					}
				}
			}
		}
	}
	var pick *userVals
	for _, u := range users {
		if u.id == 0 {
			pick = u
			break
		}
	}
	if pick == nil && len(users) > 0 {
		pick = users[0]
	}
	if pick != nil {
		if pick.firstInstall != "" {
			p.FirstInstallTime = pick.firstInstall
		}
		p.Permissions = append(p.Permissions, pick.runtime...)
	}
	if p.Permissions == nil {
		p.Permissions = []Permission{}
	}
	return p, true
}

// kv returns the value after key in a space-separated list of key=value.
func kv(s, key string) string {
	i := strings.Index(s, key)
	if i < 0 {
		return ""
	}
	v := s[i+len(key):]
	if j := strings.IndexAny(v, " ,"); j >= 0 {
		v = v[:j]
	}
	return v
}

func firstField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// WallTime parses the "YYYY-MM-DD hh:mm:ss" times dumpsys prints in the
// device's zone. loc is that zone (UTC when unknown). Empty text and the
// 1970 placeholder date are no date; text that is no plausible date (year
// 2999, no date form) is the zero time and an error keeping it as printed
// (timestamp.ParseTextIn), for the record to show.
func WallTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "1970-") || strings.HasPrefix(s, "1969-12-31") {
		return time.Time{}, nil // the epoch, in whatever zone: "never"
	}
	return timestamp.ParseTextIn(s, loc, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05")
}
