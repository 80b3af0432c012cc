package intrusionlogs

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths: an intrusion-logs export is read whole; in an acquisition, its
// intrusion_logs folder.
var Paths = []string{"**", "intrusion_logs/**"}

// Def is the android.intrusion_logs module.
func Def() module.Def {
	return module.Android("android.intrusion_logs", "Android intrusion logging (Advanced Protection): DNS queries, network connections and security events.", source.IntrusionLogs).
		Reads(Paths, run)
}
