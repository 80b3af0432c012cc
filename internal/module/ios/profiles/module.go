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

var EventPaths = []string{
	"*/Library/ConfigurationProfiles/MCProfileEvents.plist",
	"private/var/containers/Shared/SystemGroup/*/Library/ConfigurationProfiles/MCProfileEvents.plist",
	"logs/MCState/Shared/MCProfileEvents.plist",
}

// Defs are ios.profiles and ios.profile_events.
func Defs() []module.Def {
	kinds := []source.Kind{source.IOSBackup, source.IOSFS, source.IOSSysdiagnose}
	return []module.Def{
		module.New("ios.profiles", "Installed configuration profiles, with warnings for root certificates, proxies, VPNs and notification settings.", kinds...).
			Reads(ProfilePaths, runProfiles),
		// MCProfileEvents.plist, the log of profile installs and removals.
		module.New("ios.profile_events", "The log of configuration profile installs and removals, with the process that made each change.", kinds...).
			Reads(EventPaths, runEvents),
	}
}
