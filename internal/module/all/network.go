package all

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/net/capture"
	"github.com/huella-project/huella/internal/module/net/dnslog"
	"github.com/huella-project/huella/internal/module/net/suricata"
	"github.com/huella-project/huella/internal/module/net/zeek"
)

// network lists the modules of network evidence (captures and logs of the
// phone's traffic, internal/source/netcap): one per format.
func network() []module.Def {
	return []module.Def{
		capture.Def(),
		zeek.Def(),
		suricata.Def(),
		dnslog.Def(),
	}
}
