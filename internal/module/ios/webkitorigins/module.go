// Package webkitorigins reads the web origins WebKit names its storage
// folders after (IndexedDB, LocalStorage, SafariViewService). A site that
// stored anything leaves a folder such as "https_example.com_0" even after
// history is cleared, so the folder names are a record of sites visited.
package webkitorigins

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
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
	return module.Def{Name: name, Description: desc, Kinds: []source.Kind{source.IOSFS}, Paths: entries,
		Run: func(ctx context.Context, env *module.Env) error { return run(ctx, env, event, dirs) }}
}

// Origin is one storage folder or file named after a web origin.
type Origin struct {
	Folder string    `json:"folder"`
	Entry  string    `json:"entry"`
	URL    string    `json:"url"`
	Time   time.Time `json:"time,omitzero"` // the entry's modification time
}

func run(ctx context.Context, env *module.Env, event string, dirs []string) error {
	fsys := env.Evidence.FS
	var folders []string
	for _, pat := range dirs {
		got, err := fs.Glob(fsys, pat)
		if err != nil {
			return fmt.Errorf("%s: %w", pat, err)
		}
		for _, g := range got {
			if st, err := fs.Stat(fsys, g); err == nil && st.IsDir() {
				folders = append(folders, g)
			}
		}
	}
	if len(folders) == 0 {
		return module.Absent(strings.Join(dirs, ", "))
	}
	for _, dir := range folders {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ents, err := fs.ReadDir(fsys, dir)
		if err != nil {
			env.Warn("%s: %v", dir, err)
			continue
		}
		if len(ents) > maxEntries {
			env.Warn("%s: %d entries; only the first %d were read", dir, len(ents), maxEntries)
			ents = ents[:maxEntries]
		}
		seen := map[string]bool{}
		for _, e := range ents {
			u, ok := OriginURL(e.Name())
			if !ok || seen[u] {
				continue
			}
			seen[u] = true
			o := Origin{Folder: dir, Entry: e.Name(), URL: u}
			if fi, err := e.Info(); err == nil {
				o.Time = fi.ModTime()
			}
			r := &model.Record{Source: path.Join(dir, e.Name()), Data: &o,
				Summary: fmt.Sprintf("%s stored data for %s", event, u)}
			r.Add(model.KindURL, u, "folder")
			r.Stamp(o.Time, event)
			env.Emit(r)
		}
	}
	return nil
}

// OriginURL turns a storage name ("https_www.example.com_0",
// "http_example.org_8080.localstorage") into its origin URL.
func OriginURL(name string) (string, bool) {
	var scheme, rest string
	switch {
	case strings.HasPrefix(name, "https_"):
		scheme, rest = "https://", name[len("https_"):]
	case strings.HasPrefix(name, "http_"):
		scheme, rest = "http://", name[len("http_"):]
	default:
		return "", false
	}
	if i := strings.IndexByte(rest, '_'); i >= 0 {
		rest = rest[:i]
	}
	rest = strings.TrimSuffix(rest, ".localstorage")
	if rest == "" || strings.ContainsAny(rest, "/\\ ") {
		return "", false
	}
	return scheme + rest, true
}
