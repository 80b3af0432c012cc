// Package iosversions is the ios.version_history module: the iOS version the
// phone ran each day, from the analytics journals. An update that came right
// after suspicious events, or a downgrade, is context the analyst needs.
package iosversions

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

var Paths = []string{
	"private/var/db/analyticsd/Analytics-Journal-*.ips",
	"private/var/db/analyticsd/**/Analytics-Journal-*.ips",
	"**/Analytics-Journal-*.ips",
}

// Def is the ios.version_history module.
func Def() module.Def {
	return module.New("ios.version_history", "iOS version history from the analytics journals (Analytics-Journal-*.ips): which version ran when.", source.IOSFS, source.IOSSysdiagnose, source.IOSCrashReports).
		Reads(Paths, run)
}
