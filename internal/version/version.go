// Package version holds the build's version, set with -ldflags at release.
package version

import "runtime/debug"

var (
	Version = "0.1.0-dev"
	Commit  = ""
)

// CommitOrVCS returns the commit from -ldflags or from Go's build info.
func CommitOrVCS() string {
	if Commit != "" {
		return Commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}
