package all_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/all"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/scan"
	"github.com/huella-project/huella/internal/source"
)

// Every module is a complete Def (moduletest.Incomplete): a unique dotted
// name, a sentence, the evidence kinds it reads, the paths it looks at
// (valid patterns) and a Run.
func TestEveryDefIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range all.Modules() {
		if seen[d.Name] {
			t.Errorf("%s: listed twice", d.Name)
		}
		seen[d.Name] = true
		if err := moduletest.Incomplete(d); err != nil {
			t.Error(err)
		}
	}
}

// The paths a Def declares are where it looks (moduletest.LooksElsewhere):
// an empty evidence tree is ErrAbsent for every module and kind, and a file
// at any declared path (a glob filled in) is found, for at least one of the
// module's kinds.
func TestDeclaredPathsAreWhereModulesLook(t *testing.T) {
	for _, d := range all.Modules() {
		if err := moduletest.LooksElsewhere(t, d); err != nil {
			t.Error(err)
		}
	}
}

// lockedFS is a dump whose folder locked cannot be listed (a folder without
// read permission, copied by another user).
type lockedFS struct {
	fstest.MapFS
	locked string
}

func (l lockedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == l.locked {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	return l.MapFS.ReadDir(name)
}

func (l lockedFS) Stat(name string) (fs.FileInfo, error) {
	if strings.HasPrefix(name, l.locked+"/") {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrPermission}
	}
	return l.MapFS.Stat(name)
}

// A module whose artifact could be in a folder that cannot be read is not
// "absent": it is unreadable, with a part not checked naming the folder, so
// the outcome is incomplete instead of clean. Modules looking elsewhere
// stay absent.
func TestUnreadableFolderIsNotAbsent(t *testing.T) {
	ev := &source.Evidence{Kind: source.IOSFS, TempDir: t.TempDir(), FS: lockedFS{fstest.MapFS{
		"private/var/db/other.txt":             {Data: []byte("x")},
		"private/var/mobile/Library/hidden.db": {Data: []byte("x")}, // behind the lock
	}, "private/var/mobile"}}
	var mods []module.Def
	for _, m := range all.Modules() {
		if m.Applies(source.IOSFS) {
			mods = append(mods, m)
		}
	}
	res, err := scan.Run(context.Background(), scan.Options{Evidence: ev, Modules: mods, OutDir: t.TempDir(), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]results.ModuleInfo{}
	for _, m := range res.Modules {
		status[m.Name] = m
	}
	for name, want := range map[string]string{
		"ios.sms":                 results.StatusUnreadable, // private/var/mobile/Library/SMS/sms.db
		"ios.safari_history":      results.StatusUnreadable, // private/var/mobile/Containers/...
		"ios.cache_files":         results.StatusUnreadable, // **/Cache.db
		"ios.keychain_analytics":  results.StatusAbsent,     // private/var/Keychains/...
		"ios.netusage":            results.StatusAbsent,     // private/var/networkd/...
		"ios.webkit_indexeddb":    results.StatusUnreadable, // private/var/mobile/Containers/Data/Application/*/...
		"ios.locationd_clients":   results.StatusUnreadable, // one of its paths is under private/var/mobile
		"ios.version_history":     results.StatusUnreadable, // **/Analytics-Journal-*.ips
		"ios.filesystem":          results.StatusParsed,     // the rest of the tree, with the folder as a gap
		"ios.webkit_localstorage": results.StatusUnreadable,
	} {
		m := status[name]
		if m.Status != want {
			t.Errorf("%s: status %s, want %s (%+v)", name, m.Status, want, m)
		}
		if want != results.StatusAbsent && (len(m.Gaps) == 0 || !strings.Contains(m.Gaps[0].Part, "private/var/mobile")) {
			t.Errorf("%s: gaps %+v, want one naming the unreadable folder", name, m.Gaps)
		}
	}
}
