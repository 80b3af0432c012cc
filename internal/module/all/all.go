// Package all is the explicit list of modules: one file per family, so a
// newcomer finds every module in one place and nothing registers itself.
package all

import (
	"slices"

	"github.com/huella-project/huella/internal/module"
)

// Modules returns every module, in a stable order.
func Modules() []module.Def {
	return slices.Concat(ios(), iosFS(), sysdiagnose(), android(), phoneExports())
}
