package netext

import (
	"maps"
	"slices"

	"howett.net/plist"
)

// Build writes a settings file holding cfgs the way the phone keeps them:
// an NSKeyedArchiver archive whose root dictionary maps each
// configuration's identifier to an NEConfiguration object with its payload
// (tests and sample generation).
func Build(cfgs []Config) []byte {
	a := &archiver{objs: []any{"$null"}, classes: map[string]plist.UID{}}
	var keys, vals []any
	for _, c := range cfgs {
		proto := map[string]any{}
		if len(c.Providers) > 0 {
			proto["ProviderBundleIdentifier"] = c.Providers[0]
		}
		if len(c.Servers) > 0 {
			proto["ServerAddress"] = c.Servers[0]
		}
		payload := map[string]any{"Protocol": a.object("NETunnelProviderProtocol", proto)}
		if c.Enabled != nil {
			payload["Enabled"] = *c.Enabled
		}
		key := ""
		for k, v := range payloadKinds {
			if v == c.Kind && (key == "" || k < key) {
				key = k
			}
		}
		fields := map[string]any{"Name": c.Name, "Identifier": c.Identifier, key: a.object("NEVPN", payload)}
		if c.App != "" {
			fields["Application"] = c.App
		}
		keys = append(keys, a.add(c.Identifier))
		vals = append(vals, a.object("NEConfiguration", fields))
	}
	root := a.add(map[string]any{"NS.keys": keys, "NS.objects": vals, "$class": a.class("NSMutableDictionary", "NSDictionary")})
	b, err := plist.Marshal(map[string]any{"$version": uint64(100000), "$archiver": "NSKeyedArchiver",
		"$top": map[string]any{"root": root}, "$objects": a.objs}, plist.BinaryFormat)
	if err != nil {
		panic(err) // only strings, bools, UIDs and maps of them above
	}
	return b
}

type archiver struct {
	objs    []any
	classes map[string]plist.UID
}

func (a *archiver) add(v any) plist.UID {
	a.objs = append(a.objs, v)
	return plist.UID(len(a.objs) - 1)
}

func (a *archiver) class(name string, parents ...string) plist.UID {
	if u, ok := a.classes[name]; ok {
		return u
	}
	u := a.add(map[string]any{"$classname": name, "$classes": append(append([]any{name}, anys(parents)...), "NSObject")})
	a.classes[name] = u
	return u
}

// object archives an object of class: strings become string objects,
// bools stay inline, UIDs are references already made.
func (a *archiver) object(class string, fields map[string]any) plist.UID {
	keys := slices.Sorted(maps.Keys(fields))
	m := map[string]any{}
	for _, k := range keys {
		switch v := fields[k].(type) {
		case string:
			m[k] = a.add(v)
		default:
			m[k] = v
		}
	}
	m["$class"] = a.class(class)
	return a.add(m)
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}
