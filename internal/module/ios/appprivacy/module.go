// Package appprivacy is the ios.app_privacy_report module: the App Privacy
// Report an iPhone owner saves from Settings → Privacy & Security → App
// Privacy Report (iOS 15.2 and later), with no computer. For the last seven
// days it lists the domains each app contacted by itself and those the
// websites shown in apps (Safari included) contacted, and when apps used
// the camera, microphone, location, contacts or photos. No spyware tool
// read it before: a domain of an infection server contacted by an app is a
// trace of that app on the phone.
package appprivacy

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

// Paths: the name the phone gives the report, any NDJSON file, then any
// file (a renamed report is recognised by its first line).
var Paths = []string{"App_Privacy_Report*.ndjson", "**/*.ndjson", "**"}

// maxFiles bounds the files of a folder looked at.
const maxFiles = 10_000

// Def is the ios.app_privacy_report module.
func Def() module.Def {
	return module.New("ios.app_privacy_report", "App Privacy Report (saved on the iPhone): domains each app and website contacted in the last seven days, and apps' use of camera, microphone, location, contacts and photos.", source.IOSAppPrivacyReport).
		Reads(Paths, run)
}
