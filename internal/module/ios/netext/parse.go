package netext

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/urlx"
)

// Config is one network-extension configuration: a VPN, a content filter,
// a DNS proxy or DNS settings, and the app that provides it.
type Config struct {
	Name       string   `json:"name"`
	Identifier string   `json:"identifier,omitempty"`
	Kind       string   `json:"kind"` // vpn, app_vpn, always_on_vpn, content_filter, dns_proxy, dns_settings, relay, url_filter
	App        string   `json:"app,omitempty"`
	Providers  []string `json:"providers,omitempty"` // bundle ids of the extension's code
	Servers    []string `json:"servers,omitempty"`
	Enabled    *bool    `json:"enabled,omitempty"`
}

// payloadKinds are the keys under which a configuration holds what it
// configures, and the kind each stands for.
var payloadKinds = map[string]string{
	"VPN": "vpn", "AppVPN": "app_vpn", "AlwaysOnVPN": "always_on_vpn", "ContentFilter": "content_filter",
	"DNSProxy": "dns_proxy", "DNSSettings": "dns_settings", "Relay": "relay", "RelayConfiguration": "relay",
	"URLFilter": "url_filter",
}

// appKeys name the app a configuration belongs to.
var appKeys = []string{"Application", "ApplicationIdentifier", "applicationIdentifier", "BundleIdentifier"}

// Limits on hostile plists: a real file holds a handful of configurations.
const (
	maxConfigs = 10_000
	maxWalk    = 2_000_000
	maxDepth   = 64
)

// Parse reads com.apple.networkextension.plist: an NSKeyedArchiver archive
// (or a plain plist) whose configurations are objects holding a Name, an
// Identifier, the owning app (Application) and one payload (VPN,
// ContentFilter, DNSProxy, DNSSettings...). Apple does not document the
// archive, and its key names have moved between releases, so configurations
// are found by shape anywhere in the decoded tree, and inside each payload
// the provider bundle ids and server addresses are read from any key that
// names them.
func Parse(data []byte) ([]Config, error) {
	root, err := plistx.Unarchive(data)
	if err != nil {
		if root, err = plistx.Decode(data, plistx.Limits{}); err != nil {
			return nil, err
		}
	}
	w := &walker{seen: map[string]bool{}}
	w.walk(root, 0)
	if w.budget > maxWalk {
		return w.out, fmt.Errorf("more than %d values; the rest was not read", maxWalk)
	}
	sort.SliceStable(w.out, func(i, j int) bool { return w.out[i].Name < w.out[j].Name })
	return w.out, nil
}

type walker struct {
	out    []Config
	seen   map[string]bool
	budget int
}

func (w *walker) walk(v any, depth int) {
	w.budget++
	if w.budget > maxWalk || depth > maxDepth || len(w.out) >= maxConfigs {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if c, ok := config(x); ok {
			key := c.Identifier + "\x00" + c.Name + "\x00" + c.Kind
			if !w.seen[key] {
				w.seen[key] = true
				w.out = append(w.out, c)
			}
			return
		}
		keys := slices.Sorted(maps.Keys(x))
		for _, k := range keys {
			w.walk(x[k], depth+1)
		}
	case []any:
		for _, e := range x {
			w.walk(e, depth+1)
		}
	}
}

// config reads one configuration object; ok is false for any other map.
func config(m map[string]any) (Config, bool) {
	name, _ := m["Name"].(string)
	var c Config
	for key, kind := range payloadKinds {
		if p, ok := m[key].(map[string]any); ok && (c.Kind == "" || kind < c.Kind) {
			c.Kind = kind
			c.Providers, c.Servers, c.Enabled = nil, nil, nil
			scan(p, &c, 0)
		}
	}
	if c.Kind == "" || name == "" {
		return Config{}, false
	}
	c.Name = name
	c.Identifier, _ = m["Identifier"].(string)
	for _, k := range appKeys {
		if s, ok := m[k].(string); ok && s != "" {
			c.App = s
			break
		}
	}
	if c.App == "" && len(c.Providers) > 0 {
		// The extension's bundle id starts with its app's.
		c.App = c.Providers[0]
	}
	return c, true
}

// scan collects provider bundle ids, servers and the enabled flag from a
// payload, whatever object holds them.
func scan(v any, c *Config, depth int) {
	if depth > 16 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		for _, k := range keys {
			val := x[k]
			lk := strings.ToLower(k)
			if s, ok := val.(string); ok && s != "" {
				switch {
				case strings.Contains(lk, "bundleidentifier") || lk == "plugintype" || lk == "providerbundleidentifier":
					c.Providers = appendOnce(c.Providers, s)
				case lk == "serveraddress" || lk == "remoteaddress" || lk == "server" || lk == "serverurl" || lk == "serverurlstring":
					c.Servers = appendOnce(c.Servers, s)
				}
			}
			if b, ok := val.(bool); ok && lk == "enabled" && c.Enabled == nil {
				c.Enabled = &b
			}
			scan(val, c, depth+1)
		}
	case []any:
		for _, e := range x {
			scan(e, c, depth+1)
		}
	}
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) || len(list) >= 16 {
		return list
	}
	return append(list, s)
}

// Row is one configuration and the file it came from.
type Row struct {
	File string `json:"file"`
	Config
}

func run(ctx context.Context, env *module.Env) error {
	// The settings and their cache list the same configurations.
	reported := map[string]bool{}
	return sysdiag.EachBytes(ctx, env, "com.apple.networkextension.plist", Paths, limit, func(name string, b []byte) error {
		cfgs, err := Parse(b)
		if err != nil {
			if len(cfgs) == 0 {
				env.Unreadable(name, err)
				return nil
			}
			env.Warn("%s: %v", name, err)
		}
		for _, c := range cfgs {
			r := record(name, c)
			env.Emit(r)
			key := c.Kind + "\x00" + c.Name + "\x00" + c.App
			if !reported[key] {
				reported[key] = true
				env.Report(ios.NetworkExtension(c.Kind, c.Name, c.App), r)
			}
		}
		return nil
	})
}

func record(file string, c Config) *model.Record {
	app := c.App
	if app == "" {
		app = "no app"
	}
	r := &model.Record{Source: file, Data: &Row{File: file, Config: c},
		Summary: fmt.Sprintf("%s configuration %s provided by %s", kindName(c.Kind), c.Name, app)}
	r.Add(model.KindAppID, c.App, "app")
	for _, p := range c.Providers {
		if p != c.App && strings.Contains(p, ".") {
			r.Add(model.KindAppID, p, "provider")
		}
	}
	for _, s := range c.Servers {
		u, ok := urlx.Parse(s)
		switch {
		case ok && u.IsIP:
			r.Add(model.KindIP, u.Host, "server")
		case ok && u.Host != "":
			r.Add(model.KindDomain, u.Host, "server")
		}
	}
	return r
}

var kindNames = map[string]string{"vpn": "VPN", "app_vpn": "Per-app VPN", "always_on_vpn": "Always-on VPN",
	"content_filter": "Content filter", "dns_proxy": "DNS proxy", "dns_settings": "DNS settings", "relay": "Relay", "url_filter": "URL filter"}

func kindName(k string) string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return k
}
