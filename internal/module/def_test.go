package module_test

import (
	"context"
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

// A Def built by a constructor and a reader method has the kinds its
// constructor names, in order, and the paths given to the reader, which are
// the paths its Run looks at; one never given a reader is incomplete, and
// one whose own Run looks elsewhere than it declares is caught.
func TestConstructors(t *testing.T) {
	dbs := []string{"HomeDomain/Library/X/x.db", "private/var/mobile/Library/X/x.db"}
	logs := []string{"logs/X/x.log*", "**/X/x.log*"}
	read := func(context.Context, *module.Env, *sqlitex.DB) error { return nil }
	parse := func(context.Context, *module.Env, string) error { return nil }
	var given []string // the paths With gave the runner
	runner := func(paths []string) func(context.Context, *module.Env) error {
		given = paths
		return module.EachFile("x.log", paths, parse)
	}
	own := func(_ context.Context, env *module.Env) error { // looks at logs itself
		if len(env.Find(logs...)) == 0 {
			return module.Absent("x.log")
		}
		return nil
	}
	elsewhere := func(_ context.Context, env *module.Env) error {
		if len(env.Find("somewhere/else.db")) == 0 {
			return module.Absent("x.db")
		}
		return nil
	}
	tests := []struct {
		name       string
		def        module.Def
		kinds      []source.Kind
		paths      []string
		incomplete bool // fails moduletest.Incomplete
		elsewhere  bool // fails moduletest.LooksElsewhere
	}{
		{"IOS FirstDB", module.IOS("ios.x", "X.").FirstDB("x.db", dbs, read),
			[]source.Kind{source.IOSBackup, source.IOSFS}, dbs, false, false},
		{"IOS EachDB", module.IOS("ios.x", "X.").EachDB("x.db", dbs, read),
			[]source.Kind{source.IOSBackup, source.IOSFS}, dbs, false, false},
		{"Sysdiagnose alone, EachFile", module.Sysdiagnose("ios.x", "X.").EachFile("x.log", logs, parse),
			[]source.Kind{source.IOSSysdiagnose}, logs, false, false},
		{"Sysdiagnose and a dump, With", module.Sysdiagnose("ios.x", "X.", source.IOSFS).With(logs, runner),
			[]source.Kind{source.IOSSysdiagnose, source.IOSFS}, logs, false, false},
		{"Android of bug reports, Reads", module.Android("android.x", "X.", source.Bugreport).Reads(logs, own),
			[]source.Kind{source.Bugreport, source.AndroidQF}, logs, false, false},
		{"Android of acquisitions alone", module.Android("android.x", "X.").EachFile("x.log", logs, parse),
			[]source.Kind{source.AndroidQF}, logs, false, false},
		{"Network", module.Network("net.x", "X.").EachFile("x.log", logs, parse),
			[]source.Kind{source.Network}, logs, false, false},
		{"New keeps the kinds' order", module.New("ios.x", "X.", source.IOSFS, source.IOSSysdiagnose).EachDB("x.db", dbs, read),
			[]source.Kind{source.IOSFS, source.IOSSysdiagnose}, dbs, false, false},
		{"no reader", module.IOS("ios.x", "X."),
			[]source.Kind{source.IOSBackup, source.IOSFS}, nil, true, false},
		{"no kind", module.New("ios.x", "X.").FirstDB("x.db", dbs, read),
			nil, dbs, true, false},
		{"Reads with a Run looking elsewhere", module.IOS("ios.x", "X.").Reads(dbs, elsewhere),
			[]source.Kind{source.IOSBackup, source.IOSFS}, dbs, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.def
			if !slices.Equal(d.Kinds, tt.kinds) {
				t.Errorf("kinds %v, want %v", d.Kinds, tt.kinds)
			}
			if !slices.Equal(d.Paths, tt.paths) {
				t.Errorf("paths %v, want %v", d.Paths, tt.paths)
			}
			err := moduletest.Incomplete(d)
			if (err != nil) != tt.incomplete {
				t.Errorf("Incomplete: %v, want an error %v", err, tt.incomplete)
			}
			if err != nil || len(d.Kinds) == 0 {
				return // no Run to compare with its paths
			}
			err = moduletest.LooksElsewhere(t, d)
			if (err != nil) != tt.elsewhere {
				t.Errorf("LooksElsewhere: %v, want an error %v", err, tt.elsewhere)
			}
		})
	}
	if !slices.Equal(given, logs) {
		t.Errorf("With gave the runner %v, want the declared %v", given, logs)
	}
}

// InHome gives a home-folder file's backup path, then its file-system
// path, which the backup and dump readers expose it at.
func TestInHome(t *testing.T) {
	for _, tt := range []struct {
		rel  string
		want []string
	}{
		{"Library/SMS/sms.db", []string{"HomeDomain/Library/SMS/sms.db", "private/var/mobile/Library/SMS/sms.db"}},
		{"Library/Preferences/.GlobalPreferences.plist", []string{"HomeDomain/Library/Preferences/.GlobalPreferences.plist", "private/var/mobile/Library/Preferences/.GlobalPreferences.plist"}},
	} {
		if got := module.InHome(tt.rel); !slices.Equal(got, tt.want) {
			t.Errorf("InHome(%q) = %q, want %q", tt.rel, got, tt.want)
		}
	}
	// Each path is found in the evidence kind it belongs to.
	d := module.IOS("ios.x", "X.").EachFile("x", module.InHome("Library/X/x.db"), func(context.Context, *module.Env, string) error { return nil })
	for kind, file := range map[source.Kind]string{source.IOSBackup: "HomeDomain/Library/X/x.db", source.IOSFS: "private/var/mobile/Library/X/x.db"} {
		s, err := moduletest.Run(t, d, moduletest.MapEvidence(t, kind, map[string]string{file: "x"}))
		if err != nil || !slices.Equal(s.Artifacts, []string{file}) {
			t.Errorf("%s: read %v (%v), want %s", kind, s.Artifacts, err, file)
		}
	}
}

// A started Def is a value: completing it twice gives two modules and
// leaves it as it was, and the kinds given to New are its own copy.
func TestConstructorsAreValues(t *testing.T) {
	kinds := []source.Kind{source.IOSFS}
	base := module.New("ios.x", "X.", kinds...)
	kinds[0] = source.Network
	a := base.EachFile("a", []string{"a"}, func(context.Context, *module.Env, string) error { return nil })
	b := base.EachFile("b", []string{"b"}, func(context.Context, *module.Env, string) error { return nil })
	switch {
	case base.Run != nil || base.Paths != nil:
		t.Errorf("completing a Def changed it: paths %v", base.Paths)
	case a.Paths[0] != "a" || b.Paths[0] != "b":
		t.Errorf("paths %v and %v, want [a] and [b]", a.Paths, b.Paths)
	case !slices.Equal(a.Kinds, []source.Kind{source.IOSFS}):
		t.Errorf("kinds %v: changed with the caller's slice", a.Kinds)
	}
}
