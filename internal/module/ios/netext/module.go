// Package netext is the ios.network_extensions module: the network
// extension settings a sysdiagnose copies (logs/Networking/
// com.apple.networkextension.plist and its .cache.plist). They list every
// VPN, content filter, DNS proxy and DNS configuration on the phone with
// the app that provides it. Stalkerware and spyware have used a content
// filter or a VPN to watch a phone's traffic.
package netext

import (
	"context"
	"fmt"
	"strings"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/urlx"
)

// The settings and their cache; a file-system dump also holds other
// networkextension plists (necp, uuidcache) that list no configuration.
var Patterns = []string{
	"logs/Networking/com.apple.networkextension.plist", "logs/Networking/com.apple.networkextension.cache.plist",
	"**/com.apple.networkextension.plist", "**/com.apple.networkextension.cache.plist",
}

var limit = evfile.Limit{Kind: "network extension settings", Max: 64 << 20}

// Def is the ios.network_extensions module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.network_extensions",
		Description: "VPNs, content filters and DNS configurations and the apps that provide them (com.apple.networkextension.plist).",
		Kinds:       []source.Kind{source.IOSSysdiagnose, source.IOSFS},
		Paths:       Patterns,
		Run:         run,
	}
}

// Row is one configuration and the file it came from.
type Row struct {
	File string `json:"file"`
	Config
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Find(Patterns...)
	if len(found) == 0 {
		return module.Absent("com.apple.networkextension.plist")
	}
	// The settings and their cache list the same configurations.
	reported := map[string]bool{}
	for _, name := range found {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := env.ReadFile(name, limit)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		cfgs, err := Parse(b)
		if err != nil {
			if len(cfgs) == 0 {
				env.Unreadable(name, err)
				continue
			}
			env.Warn("%s: %v", name, err)
		}
		for _, c := range cfgs {
			r := record(name, c)
			env.Emit(r)
			key := c.Kind + "\x00" + c.Name + "\x00" + c.App
			if !reported[key] {
				reported[key] = true
				env.Report(heuristics.NetworkExtension(c.Kind, c.Name, c.App), r)
			}
		}
	}
	return nil
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
