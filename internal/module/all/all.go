// Package all is the explicit list of modules: one file per family, so a
// newcomer finds every module in one place and nothing registers itself.
package all

import "github.com/huella-project/huella/internal/module"

// Modules returns every module, in a stable order.
func Modules() []module.Module {
	var out []module.Module
	for _, fam := range [][]module.Module{ios(), iosFS(), sysdiagnose(), android()} {
		out = append(out, fam...)
	}
	return out
}
