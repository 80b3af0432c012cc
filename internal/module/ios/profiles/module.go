// Package profiles reads iOS configuration profiles and the log of profile
// operations. Spyware operators and stalkerware have used profiles to
// install root certificates, proxies and VPNs that expose a phone's traffic.
package profiles

import (
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

const profileDomain = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"

var ProfilePaths = []string{
	profileDomain + "/**/profile-*",
	"private/var/containers/Shared/SystemGroup/*/Library/ConfigurationProfiles/profile-*",
	// A sysdiagnose copies the installed profiles' stubs (MCState).
	"logs/MCState/Shared/profile-*",
}

// Defs are ios.profiles and ios.profile_events.
func Defs() []module.Def { return []module.Def{profilesDef(), eventsDef()} }

// profilesDef is the ios.profiles module.
func profilesDef() module.Def {
	return module.Def{
		Name:        "ios.profiles",
		Description: "Installed configuration profiles, with warnings for root certificates, proxies, VPNs and notification settings.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS, source.IOSSysdiagnose},
		Paths:       ProfilePaths,
		Run:         runProfiles,
	}
}

// eventsDef is the ios.profile_events module. MCProfileEvents.plist, the log
// of profile installs and removals.
func eventsDef() module.Def {
	return module.Def{
		Name:        "ios.profile_events",
		Description: "The log of configuration profile installs and removals, with the process that made each change.",
		Kinds:       []source.Kind{source.IOSBackup, source.IOSFS, source.IOSSysdiagnose},
		Paths:       EventPaths,
		Run:         runEvents,
	}
}

var EventPaths = []string{
	"*/Library/ConfigurationProfiles/MCProfileEvents.plist",
	"private/var/containers/Shared/SystemGroup/*/Library/ConfigurationProfiles/MCProfileEvents.plist",
	"logs/MCState/Shared/MCProfileEvents.plist",
}
