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
)

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
		for _, d := range dirs {
			env.Glob(d + "/*") // an unreadable folder that could hold them is a gap
		}
		return module.Absent(strings.Join(dirs, ", "))
	}
	for _, dir := range folders {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ents, err := fs.ReadDir(fsys, dir)
		if err != nil {
			env.Unreadable(dir, err)
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
	rest, _, _ = strings.Cut(rest, "_")
	rest = strings.TrimSuffix(rest, ".localstorage")
	if rest == "" || strings.ContainsAny(rest, "/\\ ") {
		return "", false
	}
	return scheme + rest, true
}
