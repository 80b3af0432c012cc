package source_test

import (
	"errors"
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/source"
)

// lockedFS is a tree whose folder locked cannot be listed, as a folder
// without read permission in a dump copied by another user.
type lockedFS struct {
	fstest.MapFS
	locked string
}

var errDenied = errors.New("permission denied")

func (l lockedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == l.locked {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errDenied}
	}
	return l.MapFS.ReadDir(name)
}

func (l lockedFS) Stat(name string) (fs.FileInfo, error) {
	if len(name) > len(l.locked) && name[:len(l.locked)+1] == l.locked+"/" {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: errDenied}
	}
	return l.MapFS.Stat(name)
}

// An unreadable folder is listed by Unreadable for every pattern that
// could match below it, and never for the others; the rest of the tree is
// indexed as usual.
func TestUnreadableFolders(t *testing.T) {
	m := fstest.MapFS{
		"private/var/mobile/Library/SMS/sms.db": {Data: []byte("x")},
		"private/var/db/secret/stage.bin":       {Data: []byte("x")},
		"private/var/tmp/other.txt":             {Data: []byte("x")},
	}
	ev := &source.Evidence{Kind: source.IOSFS, FS: lockedFS{m, "private/var/mobile"}}
	if got := ev.Files(); !slices.Equal(got, []string{"private/var/db/secret/stage.bin", "private/var/tmp/other.txt"}) {
		t.Fatalf("indexed %v", got)
	}
	for _, c := range []struct {
		patterns []string
		want     []string
	}{
		{[]string{"private/var/mobile/Library/SMS/sms.db"}, []string{"private/var/mobile/Library/SMS/sms.db"}}, // its lookup failed
		{[]string{"private/var/mobile/Containers/Data/Application/*/Library/Safari/History.db"}, []string{"private/var/mobile"}},
		{[]string{"**/Cache.db"}, []string{"private/var/mobile"}},
		{[]string{"private/*/mobile/**"}, []string{"private/var/mobile"}},
		{[]string{"private/var/db/**"}, nil},
		{[]string{"private/var/tmp/other.txt"}, nil},
		{[]string{"HomeDomain/Library/SMS/sms.db"}, nil},
		{[]string{"private/var/mobile"}, nil}, // the folder itself is no file to find
	} {
		var got []string
		for _, pe := range ev.Unreadable(c.patterns...) {
			got = append(got, pe.Path)
			if !errors.Is(pe, errDenied) {
				t.Errorf("%v: %v does not keep the cause", c.patterns, pe)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Unreadable(%v) = %v, want %v", c.patterns, got, c.want)
		}
	}
}
