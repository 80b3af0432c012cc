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
	return module.Def{
		Name:        "android.intrusion_logs",
		Description: "Android intrusion logging (Advanced Protection): DNS queries, network connections and security events.",
		Kinds:       []source.Kind{source.IntrusionLogs, source.AndroidQF},
		Paths:       Paths,
		Run:         run,
	}
}
