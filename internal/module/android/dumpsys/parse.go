package dumpsys

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/android/dumpsystext"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidqf"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Locate returns the logical path of the evidence's main dumpsys text, or ""
// when there is none. A bugreport names it in main_entry.txt; older ones
// and folders are found by name; androidqf writes dumpsys.txt, but the bug
// report zip of an acquisition wins when there is one (MVT reads only that).
func Locate(ev *source.Evidence) string {
	root := BugreportRoot(ev)
	// A pointer file: refused unread (and noted) when it declares more.
	if b, err := ev.ReadFile(root+"main_entry.txt", evfile.Pointer); err == nil {
		name := strings.TrimSpace(string(b))
		if name != "" && fs.ValidPath(root+name) {
			if fi, err := fs.Stat(ev.FS, root+name); err == nil && fi.Mode().IsRegular() {
				return root + name
			}
		}
	}
	for _, pat := range mainNames {
		if m := ev.Glob(root + pat); len(m) > 0 {
			return m[0]
		}
	}
	if root != "" {
		// A bug report zip without a dumpstate: fall back to dumpsys.txt.
		return locateIn(ev, "")
	}
	return ""
}

func locateIn(ev *source.Evidence, root string) string {
	for _, pat := range []string{"dumpsys.txt", "*/dumpsys.txt"} {
		if m := ev.Glob(root + pat); len(m) > 0 {
			return m[0]
		}
	}
	return ""
}

// BugreportRoot is the folder holding the bug report in the evidence's
// tree, ending in "/": "" for a bug report, androidqf.BugreportMount+"/"
// for an acquisition whose bug report zip was mounted.
func BugreportRoot(ev *source.Evidence) string {
	if ev.Kind != source.AndroidQF {
		return ""
	}
	if fi, err := fs.Stat(ev.FS, androidqf.BugreportMount); err == nil && fi.IsDir() {
		return androidqf.BugreportMount + "/"
	}
	return ""
}

// Load reads the named services (and the system properties block) from the
// evidence's dumpsys text. It returns module.ErrAbsent when there is no
// dumpsys text at all.
func Load(ctx context.Context, env *module.Env, services ...string) (*dumpsystext.Dump, string, error) {
	name := Locate(env.Evidence)
	if name == "" {
		env.Glob(Paths...) // a folder that could hold it and cannot be read is a gap
		return nil, "", module.Absent("dumpstate or dumpsys.txt")
	}
	env.Find(name)
	if err := ctx.Err(); err != nil {
		return nil, name, err
	}
	// A dumpstate or dumpsys.txt saved through a Windows shell is UTF-16:
	// the text limit decodes it as it is read.
	f, err := env.Open(name, evfile.TextStream)
	if err != nil {
		return nil, name, err
	}
	defer f.Close()
	d, err := dumpsystext.Read(f, name, services, dumpsystext.DefaultLimits)
	if err != nil && !errors.Is(err, dumpsystext.ErrNoSections) {
		return nil, name, err
	}
	for _, s := range d.Services {
		if s.Truncated {
			env.Warn("%s: section %s hit a size limit and was cut", name, s.Name)
		}
	}
	return d, name, nil
}

// section loads one service's text, or returns ErrAbsent naming it.
func section(ctx context.Context, env *module.Env, svc string) (string, string, error) {
	_, body, name, err := loadSection(ctx, env, svc)
	return body, name, err
}

// loadSection loads the services svc and also (what a module joins to it)
// and returns the dump with svc's text; a dump without svc is ErrAbsent
// naming it.
func loadSection(ctx context.Context, env *module.Env, svc string, also ...string) (*dumpsystext.Dump, string, string, error) {
	d, name, err := Load(ctx, env, append([]string{svc}, also...)...)
	if err != nil {
		return nil, "", name, err
	}
	body, ok := d.Service(svc)
	if !ok {
		return nil, "", name, module.Absent(fmt.Sprintf("dumpsys %s section in %s", svc, name))
	}
	return d, body, name, nil
}

// systemSet maps package names to their system flag, from the package
// section when the dump has one; known is false otherwise.
func systemSet(d *dumpsystext.Dump) (sys map[string]bool, known bool) {
	body, ok := d.Service("package")
	if !ok {
		return nil, false
	}
	res := dumpsystext.ParsePackages(body)
	sys = map[string]bool{}
	for _, p := range res.Packages {
		sys[p.Name] = p.System
	}
	return sys, len(res.Packages) > 0
}

// appFromPath returns the package owning an app-data path
// (/data/user/0/<pkg>/…, /data/data/<pkg>/…, /data/user_de/0/<pkg>/…).
func appFromPath(p string) string {
	parts := strings.Split(path.Clean(p), "/")
	for i := 0; i+1 < len(parts); i++ {
		switch {
		case parts[i] == "data" && i+1 < len(parts) && parts[i+1] == "data" && i+2 < len(parts):
			return parts[i+2]
		case (parts[i] == "user" || parts[i] == "user_de") && i+2 < len(parts):
			return parts[i+2]
		}
	}
	return ""
}
