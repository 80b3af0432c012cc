package ios

import (
	"strings"

	"github.com/huella-project/huella/internal/rules"
)

// Rules of the sysdiagnose's logs and settings: computers the phone
// trusted, apps installed from outside the App Store, network extensions.

// Pairing events lockdownd logs (see internal/module/ios/lockdownlog).
const (
	PairingNew      = "pair"     // a computer was trusted: a new pair record
	PairingValidate = "validate" // a trusted computer proved its pairing again
	PairingUnpair   = "unpair"   // a pairing was removed
	PairingSession  = "session"  // a trusted computer started a session
)

// PairedComputer reports a new pairing: a computer the phone now trusts.
// Reconnections of an already trusted computer are not findings (they are
// on the timeline, and a custody window judges them).
func PairedComputer(event, host, at, artifact string) *rules.Finding {
	if event != PairingNew {
		return nil
	}
	if host == "" {
		host = "?"
	}
	return new(rules.IOSPairingComputer.New(rules.Params{"host": rules.Clip(host, 100), "time": at, "artifact": artifact}))
}

// storeInstallers ask installd for App Store, system and management
// installs; computerInstallers receive an app sent over the cable.
var (
	storeInstallers    = map[string]bool{"appstored": true, "itunesstored": true, "storedownloadd": true, "installcoordinationd": true, "managedappdistributiond": true, "mdmd": true, "dmd": true, "softwareupdated": true, "installd": true}
	computerInstallers = map[string]bool{"streaming_zip_conduit": true, "mobile_installation_proxy": true, "installation_proxy": true, "com.apple.mobile.installation_proxy": true}
)

// InstallOutsideStore judges one install the phone's installation log
// records: its install type (Customer: an app file; Developer: a
// development build; Placeholder and System: the App Store and iOS), the
// process that asked for it and, on iOS 17.4 and later, the distributor.
// nil for App Store, system and management installs.
func InstallOutsideStore(app, installType, client, distributor, at string) *rules.Finding {
	var ctx []string
	outside := false
	switch installType {
	case "Developer":
		outside = true
		ctx = append(ctx, "developer")
	case "Customer":
		outside = !storeInstallers[client]
	}
	if computerInstallers[client] {
		outside = true
		ctx = append(ctx, "from_computer")
	}
	if distributor != "" && !strings.HasPrefix(distributor, "com.apple.") {
		outside = true
		ctx = append(ctx, "marketplace")
	}
	if !outside {
		return nil
	}
	if client == "" {
		client = "?"
	}
	return new(rules.IOSInstallOutsideStore.New(rules.Params{"app": rules.Clip(app, 200), "type": rules.Clip(installType, 40), "client": rules.Clip(client, 100),
		"distributor": rules.Clip(distributor, 200), "time": at}, ctx...))
}

// NetworkExtension reports a VPN, content filter or DNS configuration and
// the app that provides it. Apple's own (Screen Time's filter, iCloud
// Private Relay) are dropped; one with no provider app is said so.
func NetworkExtension(kind, name, app string) *rules.Finding {
	var ctx []string
	switch {
	case strings.HasPrefix(app, "com.apple."):
		ctx = append(ctx, "apple")
	case app == "":
		ctx = append(ctx, "no_app")
	}
	if kind == "content_filter" || kind == "url_filter" {
		ctx = append(ctx, "content_filter")
	}
	shown := app
	if shown == "" {
		shown = "?"
	}
	if name == "" {
		name = "?"
	}
	return new(rules.IOSNetextConfigured.New(rules.Params{"kind": kind, "name": rules.Clip(name, 200), "app": rules.Clip(shown, 200)}, ctx...))
}
