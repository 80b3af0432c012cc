package safarihistory

import (
	"slices"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/source"
)

// InProfiles gives a Safari file's default and per-profile paths in a
// backup (any domain) and in a dump (system folder, then Safari's
// container), in that order of preference, and they find the real places.
func TestInProfiles(t *testing.T) {
	got := InProfiles("BrowserState.db")
	want := []string{
		"*/Library/Safari/BrowserState.db",
		"*/Library/Safari/Profiles/*/BrowserState.db",
		"private/var/mobile/Library/Safari/BrowserState.db",
		"private/var/mobile/Library/Safari/Profiles/*/BrowserState.db",
		"private/var/mobile/Containers/Data/Application/*/Library/Safari/BrowserState.db",
		"private/var/mobile/Containers/Data/Application/*/Library/Safari/Profiles/*/BrowserState.db",
	}
	if !slices.Equal(got, want) {
		t.Errorf("InProfiles = %q\nwant %q", got, want)
	}
	for _, tt := range []struct {
		file  string
		found bool
	}{
		{"HomeDomain/Library/Safari/History.db", true},
		{"AppDomain-com.apple.mobilesafari/Library/Safari/Profiles/3F2A/History.db", true},
		{"private/var/mobile/Library/Safari/History.db", true},
		{"private/var/mobile/Containers/Data/Application/A1/Library/Safari/Profiles/3F2A/History.db", true},
		{"private/var/mobile/Library/Safari/BrowserState.db", false},
		{"HomeDomain/Library/Safari/Profiles/History.db", false},
	} {
		ev := &source.Evidence{FS: fstest.MapFS{tt.file: {Data: []byte("x")}}}
		if found := len(ev.Glob(Paths...)) > 0; found != tt.found {
			t.Errorf("%s: found %v, want %v", tt.file, found, tt.found)
		}
	}
}
