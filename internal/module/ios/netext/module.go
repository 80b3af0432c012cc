// Package netext is the ios.network_extensions module: the network
// extension settings a sysdiagnose copies (logs/Networking/
// com.apple.networkextension.plist and its .cache.plist). They list every
// VPN, content filter, DNS proxy and DNS configuration on the phone with
// the app that provides it. Stalkerware and spyware have used a content
// filter or a VPN to watch a phone's traffic.
package netext

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// The settings and their cache; a file-system dump also holds other
// networkextension plists (necp, uuidcache) that list no configuration.
var Paths = []string{
	"logs/Networking/com.apple.networkextension.plist", "logs/Networking/com.apple.networkextension.cache.plist",
	"**/com.apple.networkextension.plist", "**/com.apple.networkextension.cache.plist",
}

var limit = evfile.Limit{Kind: "network extension settings", Max: 64 << 20}

// Def is the ios.network_extensions module.
func Def() module.Def {
	return module.Sysdiagnose("ios.network_extensions", "VPNs, content filters and DNS configurations and the apps that provide them (com.apple.networkextension.plist).", source.IOSFS).
		Reads(Paths, run)
}
