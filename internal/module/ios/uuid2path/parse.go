package uuid2path

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/plistx"
)

// Binary is one UUID and its path.
type Binary struct {
	UUID string `json:"uuid"`
	Path string `json:"path"`
}

// Parse decodes the plist (binary or XML): a dictionary of UUID strings to
// path strings. Entries whose value is not a string are counted in odd.
func Parse(data []byte) (out []Binary, odd int, err error) {
	m, err := plistx.DecodeDict(data, plistx.Limits{MaxBytes: int(limit.Max)})
	if err != nil {
		return nil, 0, err
	}
	for k, v := range m {
		p, ok := v.(string)
		if !ok || p == "" {
			odd++
			continue
		}
		out = append(out, Binary{UUID: strings.ToUpper(k), Path: p})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out, odd, nil
}

func run(ctx context.Context, env *module.Env) error {
	flag := sysdiag.NewFlagger(env)
	return sysdiag.EachBytes(ctx, env, "logs/tailspindb/UUIDToBinaryLocations", Paths, limit, func(name string, b []byte) error {
		bins, odd, err := Parse(b)
		if err != nil {
			env.Unreadable(name, err)
			return nil
		}
		if odd > 0 {
			env.Warn("%s: %d entries are not UUID-to-path strings", name, odd)
		}
		for i, x := range bins {
			if i%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			r := &model.Record{Source: name, Data: x, Summary: fmt.Sprintf("Binary %s was sampled by tailspin (UUID %s)", x.Path, x.UUID)}
			sysdiag.AddProcess(r, "", x.Path, "path")
			env.Emit(r)
			flag.Check(x.Path, name, r)
		}
		return nil
	})
}
