// Package tombstones reads native crash reports copied into a bugreport or
// an acquisition, text and protobuf, pairing the two forms of one crash.
package tombstones

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths find tombstones wherever the acquisition put /data/tombstones.
var Paths = []string{"**/tombstone_*"}

// Def is the android.tombstones module.
func Def() module.Def {
	return module.Android("android.tombstones", "Native crash reports (tombstones): crashed process, uid, signal and time; crashes of privileged processes are flagged.", source.Bugreport).
		Reads(Paths, run)
}
