package fsdump

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// Layout is how a container's own tree maps onto the phone's file system.
type Layout struct {
	// Name says which layout was recognised, for the evidence notes.
	Name string
	// Mounts graft folders of the container onto the phone's tree.
	Mounts []Mount
}

// Mount puts the container folder Raw ("" for its top) at the phone path
// At ("" for /, "private/var" for the data partition). Where two mounts
// hold the same name, the higher Prio wins: the data partition mounted at
// /private/var hides what the system partition has there, as on the phone.
type Mount struct {
	Raw  string
	At   string
	Prio uint8
}

// ToolFolder is where folders the extraction tool added beside the phone's
// own tree (UFED's extra/, holding its keychain dump) are kept: apart from
// the device paths, so the file tree never lists them as the phone's.
const ToolFolder = "_acquisition"

// Describe is the layout in one line: which folder became which path.
func (l Layout) Describe() string {
	parts := make([]string, 0, len(l.Mounts))
	for _, m := range l.Mounts {
		raw := m.Raw + "/"
		if m.Raw == "" {
			raw = "the top of the evidence"
		}
		switch {
		case strings.HasPrefix(m.At, ToolFolder+"/"):
			parts = append(parts, raw+" (the extraction tool's own files, kept apart as "+m.At+"/)")
		default:
			parts = append(parts, raw+" as /"+m.At)
		}
	}
	return l.Name + ": " + strings.Join(parts, ", ")
}

// probe answers the few questions layout detection asks of a tree, so the
// same rules run on a folder (a few ReadDir calls) and on an archive's
// index.
type probe interface {
	isDir(p string) bool
	// subdirs lists the folders directly in p; files reports whether p
	// also holds files.
	subdirs(p string) (dirs []string, files bool)
}

// ufedRoot names the folders Cellebrite UFED puts a full file system in:
// filesystem/ (one partition) or filesystem1/, filesystem2/, ...
var ufedRoot = regexp.MustCompile(`^filesystem[0-9]*$`)

// varMarkers are folders every iPhone's /private/var holds besides mobile/.
var varMarkers = []string{"containers", "db", "root", "Keychains", "preferences", "wireless", "MobileAsset", "installd", "logs", "protected"}

// rootMarkers are folders of the system partition (/).
var rootMarkers = []string{"private/var", "System/Library", "Applications", "usr/libexec"}

func join(base, p string) string {
	if base == "" {
		return p
	}
	return base + "/" + p
}

func looksVar(pr probe, dir string) bool {
	if !pr.isDir(join(dir, "mobile")) {
		return false
	}
	for _, m := range varMarkers {
		if pr.isDir(join(dir, m)) {
			return true
		}
	}
	return false
}

func looksRoot(pr probe, dir string) bool {
	for _, m := range rootMarkers {
		if pr.isDir(join(dir, m)) {
			return true
		}
	}
	return false
}

// ignorable top-level names: macOS archive litter.
func ignorable(name string) bool { return name == "__MACOSX" || strings.HasPrefix(name, ".") }

// maxWrappers is how many single wrapping folders (a case name, a UDID,
// "EXTRACTION_FFS 01") are looked through.
const maxWrappers = 3

// detect recognises the layout of a dump, or returns ok=false. The rules,
// tried at the top and then through up to maxWrappers single wrapping
// folders:
//
//  1. plain: the folder holds private/var (Belkasoft and GNU tar dumps,
//     checkm8 ramdisk tars, GrayKey's and Magnet's "/private/var/..." once
//     the leading slash is removed, a folder someone extracted);
//  2. UFED: filesystem/, filesystem1/, filesystem2/... each recognised by
//     content as a root partition (holds private/var, System/Library,
//     Applications or usr/libexec) or as the data partition (mobile/ plus
//     db/, containers/, root/, ...), mounted at / and /private/var; other
//     folders beside them (extra/) are the tool's and go under ToolFolder;
//  3. data partition alone: the folder itself looks like /private/var.
func detect(pr probe) (Layout, bool) {
	base := ""
	for depth := 0; depth <= maxWrappers; depth++ {
		if pr.isDir(join(base, "private/var")) {
			return Layout{Name: "file-system dump", Mounts: []Mount{{Raw: base, At: "", Prio: 1}}}, true
		}
		dirs, files := pr.subdirs(base)
		if l, ok := detectUFED(pr, base, dirs); ok {
			return l, true
		}
		if looksVar(pr, base) {
			return Layout{Name: "data partition only (/private/var)", Mounts: []Mount{{Raw: base, At: "private/var", Prio: 1}}}, true
		}
		var kept []string
		for _, d := range dirs {
			if !ignorable(d) {
				kept = append(kept, d)
			}
		}
		if len(kept) != 1 || files {
			return Layout{}, false
		}
		base = join(base, kept[0])
	}
	return Layout{}, false
}

func detectUFED(pr probe, base string, dirs []string) (Layout, bool) {
	var roots, vars, other []string
	for _, d := range dirs {
		switch {
		case ignorable(d):
		case ufedRoot.MatchString(d) && looksRoot(pr, join(base, d)):
			roots = append(roots, d)
		case ufedRoot.MatchString(d) && looksVar(pr, join(base, d)):
			vars = append(vars, d)
		default:
			other = append(other, d)
		}
	}
	if len(roots)+len(vars) == 0 {
		return Layout{}, false
	}
	l := Layout{Name: "Cellebrite UFED full file system"}
	// Partitions listed later win over earlier ones of the same kind; the
	// data partition wins over a root's own private/var.
	for i, d := range roots {
		l.Mounts = append(l.Mounts, Mount{Raw: join(base, d), At: "", Prio: uint8(10 + i)})
	}
	for i, d := range vars {
		l.Mounts = append(l.Mounts, Mount{Raw: join(base, d), At: "private/var", Prio: uint8(100 + i)})
	}
	for _, d := range other {
		l.Mounts = append(l.Mounts, Mount{Raw: join(base, d), At: ToolFolder + "/" + d, Prio: 1})
	}
	return l, true
}

// plainLayout is what a forced --type ios-fs reads when no layout is
// recognised: the top of the evidence taken as the phone's /.
func plainLayout() Layout {
	return Layout{Name: "no known layout (read as if its top were the phone's /)", Mounts: []Mount{{Raw: "", At: "", Prio: 1}}}
}

// treeProbe answers probe questions from an archive's raw index.
type treeProbe struct{ t *tree }

func (p treeProbe) isDir(q string) bool {
	id, ok := p.t.lookup(q)
	return ok && p.t.nodes[id].kind == kindDir
}

func (p treeProbe) subdirs(q string) (dirs []string, files bool) {
	id, ok := p.t.lookup(q)
	if !ok || p.t.nodes[id].kind != kindDir {
		return nil, false
	}
	for _, c := range p.t.children(id) {
		if p.t.nodes[c].kind == kindDir {
			dirs = append(dirs, string(p.t.nameOf(c)))
		} else if !ignorable(string(p.t.nameOf(c))) {
			files = true
		}
	}
	return dirs, files
}

// topLevel lists what the top of a tree holds, for the note a forced
// --type prints when nothing was recognised.
func topLevel(pr probe) string {
	dirs, files := pr.subdirs("")
	slices.Sort(dirs)
	if len(dirs) > 12 {
		dirs = append(dirs[:12], fmt.Sprintf("… (+%d)", len(dirs)-12))
	}
	s := strings.Join(dirs, "/, ")
	if s != "" {
		s += "/"
	}
	if files {
		if s != "" {
			s += " and "
		}
		s += "files"
	}
	if s == "" {
		s = "nothing"
	}
	return s
}

// cleanAt checks a mount point is a clean relative path.
func cleanAt(at string) bool { return at == "" || path.Clean(at) == at && !strings.HasPrefix(at, "/") }
