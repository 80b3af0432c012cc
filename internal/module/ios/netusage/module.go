// Package netusage reads the per-process network usage databases of iOS
// (DataUsage.sqlite and netusage.sqlite share one Core Data schema) and flags
// process rows that were deleted to hide a process.
package netusage

import (
	"slices"
	"strings"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths are netusage.sqlite's file-system locations.
var Paths = []string{"private/var/networkd/netusage.sqlite", "private/var/networkd/db/netusage.sqlite"}

// Def is the ios.netusage module.
func Def() module.Def { return ForPaths("ios.netusage", Paths, []source.Kind{source.IOSFS}) }

// ForPaths is a module reading every database matching paths (logical
// paths or globs, see source.Glob). DataUsage and netusage differ only in
// where the file lives, so ios.datausage is this with its own paths.
func ForPaths(name string, paths []string, kinds []source.Kind) module.Def {
	paths = slices.Clone(paths)
	return module.New(name, "Per-process network usage ("+strings.Join(baseNames(paths), ", ")+"): process names, bundle ids, first and last use, traffic, and deleted process rows.", kinds...).
		EachDB(strings.Join(paths, ", "), paths, parseDB)
}
