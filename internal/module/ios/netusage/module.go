// Package netusage reads the per-process network usage databases of iOS
// (DataUsage.sqlite and netusage.sqlite share one Core Data schema) and flags
// process rows that were deleted to hide a process.
package netusage

import (
	"context"
	"strings"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
)

type netModule struct {
	name  string
	desc  string
	paths []string
	kinds []source.Kind
}

// Module builds a module that reads every database matching paths (logical
// paths or globs, see source.Glob). DataUsage and netusage differ only in
// where the file lives, so each is one call to this constructor.
func Module(name string, paths []string, kinds []source.Kind) module.Module {
	return &netModule{
		name:  name,
		desc:  "Per-process network usage (" + strings.Join(baseNames(paths), ", ") + "): process names, bundle ids, first and last use, traffic, and deleted process rows.",
		paths: append([]string(nil), paths...),
		kinds: append([]source.Kind(nil), kinds...),
	}
}

func (m *netModule) Name() string         { return m.name }
func (m *netModule) Description() string  { return m.desc }
func (m *netModule) Kinds() []source.Kind { return m.kinds }

func (m *netModule) Run(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, strings.Join(m.paths, ", "), m.paths, parseDB)
}

func baseNames(paths []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		b := p[strings.LastIndex(p, "/")+1:]
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}
