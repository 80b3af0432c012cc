// Package webkitorigins reads the web origins WebKit names its storage
// folders after (IndexedDB, LocalStorage, SafariViewService). A site that
// stored anything leaves a folder such as "https_example.com_0" even after
// history is cleared, so the folder names are a record of sites visited.
package webkitorigins

import (
	"context"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
)

const (
	appData = "private/var/mobile/Containers/Data/Application/*/"
	svs     = appData + "SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData"
	// maxEntries bounds one hostile folder.
	maxEntries = 200_000
)

// Defs are ios.webkit_indexeddb, ios.webkit_localstorage and
// ios.webkit_safariviewservice.
func Defs() []module.Def {
	return []module.Def{
		origins("ios.webkit_indexeddb", "webkit_indexeddb",
			"WebKit IndexedDB folders: the web origins that stored data in apps and Safari.",
			appData+"Library/WebKit/WebsiteData/IndexedDB", "private/var/mobile/Library/WebKit/WebsiteData/IndexedDB"),
		origins("ios.webkit_localstorage", "webkit_local_storage",
			"WebKit LocalStorage files: the web origins that stored data in apps and Safari.",
			appData+"Library/WebKit/WebsiteData/LocalStorage", "private/var/mobile/Library/WebKit/WebsiteData/LocalStorage"),
		// Links opened inside apps (SFSafariViewController), where one-click
		// exploits often land.
		origins("ios.webkit_safariviewservice", "webkit_safari_view_service",
			"SafariViewService website data: the web origins of links opened inside apps.",
			svs, svs+"/LocalStorage", svs+"/IndexedDB"),
	}
}

// origins is a module listing the entries of the folders dirs, stamped event.
func origins(name, event, desc string, dirs ...string) module.Def {
	entries := make([]string, len(dirs))
	for i, d := range dirs {
		entries[i] = d + "/*"
	}
	return module.New(name, desc, source.IOSFS).
		Reads(entries, func(ctx context.Context, env *module.Env) error { return run(ctx, env, event, dirs) })
}
