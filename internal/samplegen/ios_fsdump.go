package samplegen

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/imagelist"
)

// DumpLayout is how a generated iOS full-file-system dump is packed: the
// container (folder, zip, tar, tar.gz) and the layout of the extraction
// tool that made it.
type DumpLayout string

// The layouts analysts receive (see internal/source/fsdump).
const (
	DumpFolder     DumpLayout = "folder"          // private/var/... at the top of a folder
	DumpWrapped    DumpLayout = "wrapped-folder"  // the same inside one top folder (a case or device name)
	DumpUFEDFolder DumpLayout = "ufed-folder"     // Cellebrite: filesystem1/ (= /), filesystem2/ (= /private/var), extra/
	DumpUFEDZip    DumpLayout = "ufed-zip"        // the same, zipped, as UFED delivers it
	DumpUFEDLegacy DumpLayout = "ufed-legacy-zip" // older UFED: one filesystem/ folder for /
	DumpGrayKeyZip DumpLayout = "graykey-zip"     // entries "/private/var/...", as GrayKey and Magnet zips hold them
	DumpTar        DumpLayout = "tar"             // private/var/... (Belkasoft, a ramdisk's tar)
	DumpTarRooted  DumpLayout = "tar-rooted"      // "/private/var/..." (tar -P)
	DumpTarDot     DumpLayout = "tar-dot"         // "./private/var/..." (tar -C / -cf dump.tar .)
	DumpTarGz      DumpLayout = "tar.gz"          // a plain tar, gzip-compressed
	DumpUFEDTarGz  DumpLayout = "ufed-tar.gz"     // UFED's folders in a tar.gz
	DumpVarOnly    DumpLayout = "var-only-tar"    // the data partition alone: mobile/, db/, ... at the top
)

// DumpLayouts lists every layout, for tests and the generator's help.
var DumpLayouts = []DumpLayout{DumpFolder, DumpWrapped, DumpUFEDFolder, DumpUFEDZip, DumpUFEDLegacy, DumpGrayKeyZip,
	DumpTar, DumpTarRooted, DumpTarDot, DumpTarGz, DumpUFEDTarGz, DumpVarOnly}

// IsArchive says whether the layout is written as one file (else a folder).
func (l DumpLayout) IsArchive() bool {
	switch l {
	case DumpFolder, DumpWrapped, DumpUFEDFolder:
		return false
	}
	return true
}

// Ext is the file name ending of the layout's container ("" for folders).
func (l DumpLayout) Ext() string {
	switch {
	case strings.HasSuffix(string(l), "zip"):
		return ".zip"
	case strings.HasSuffix(string(l), "tar.gz"):
		return ".tar.gz"
	case strings.HasSuffix(string(l), "tar"), l == DumpTarRooted, l == DumpTarDot:
		return ".tar"
	}
	return ""
}

// DumpOptions shape a generated dump: the databases of Options (at their
// file-system paths), Paths filler files spread over the folders a real
// iPhone has, or the paths of a real image's list (PathsFrom).
type DumpOptions struct {
	Options
	Paths  int
	Layout DumpLayout
	// PathsFrom is a file list in the shape of ../shared/realdata/ffs-paths
	// (a CSV of path and modification time, UFED layout, optionally
	// zipped): its paths become the filler, as empty files.
	PathsFrom string
}

// Where the databases of Options live on the phone.
var dumpArtifacts = []struct{ name, path string }{
	{"sms", "private/var/mobile/Library/SMS/sms.db"},
	{"safari_history", "private/var/mobile/Library/Safari/History.db"},
	{"datausage", "private/var/wireless/Library/Databases/DataUsage.sqlite"},
	{"tcc", "private/var/mobile/Library/TCC/TCC.db"},
	{"whatsapp", "private/var/mobile/Containers/Shared/AppGroup/5A1E0000-0000-4000-8000-00000000A001/ChatStorage.sqlite"},
	{"contacts", "private/var/mobile/Library/AddressBook/AddressBook.sqlitedb"},
}

// PlantedStaging is where the planted implant file lies: a folder named
// like the staging folders Pegasus used, holding a file named like the
// planted process.
const PlantedStaging = "private/var/db/com.apple.xpc.roleaccountd.staging/" + PlantedProcess

// dumpFile is one file of the generated tree (device path, no leading /).
type dumpFile struct {
	path  string
	mtime time.Time
	src   string // a file to copy, or
	body  []byte // the content
}

// GenerateIOSDump writes an iOS full-file-system dump at out (a folder for
// folder layouts, else the archive file) and returns what a check of it
// must find. The same options give the same tree; archives hold the same
// files, folders and times whatever their layout.
func GenerateIOSDump(out string, o DumpOptions) (*Expected, error) {
	if o.Layout == "" {
		o.Layout = DumpFolder
	}
	if !slices.Contains(DumpLayouts, o.Layout) {
		return nil, fmt.Errorf("unknown dump layout %q", o.Layout)
	}
	work, err := os.MkdirTemp(filepath.Dir(out), ".gen-dump-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	exp := &Expected{Kind: "ios_fs", Seed: o.Seed, Records: map[string]int{}}
	stamp := spanEnd.Add(-time.Hour).Truncate(time.Second)
	var files []dumpFile
	for _, a := range dumpArtifacts {
		var write func(string, Options) (int, error)
		for _, ia := range iosArtifacts {
			if ia.name == a.name {
				write = ia.write
			}
		}
		tmp := filepath.Join(work, a.name+".db")
		n, err := write(tmp, o.Options)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.path, err)
		}
		exp.Records[a.name] = n
		files = append(files, dumpFile{path: a.path, mtime: stamp, src: tmp})
	}
	sv, err := plistBytes(map[string]any{"ProductName": "iPhone OS", "ProductVersion": "17.3.1", "ProductBuildVersion": "21D61"})
	if err != nil {
		return nil, err
	}
	files = append(files, dumpFile{path: "System/Library/CoreServices/SystemVersion.plist", mtime: stamp, body: sv})
	if o.Plant {
		files = append(files, dumpFile{path: PlantedStaging, mtime: PlantTime.Add(2 * time.Minute).Truncate(time.Second), body: []byte("\xcf\xfa\xed\xfe synthetic implant\n")})
	}
	filler, err := fillerPaths(o)
	if err != nil {
		return nil, err
	}
	files = append(files, filler...)
	// Stable, so where a real image's list names a planted database (its
	// History.db, its SystemVersion.plist) the planted file, listed first,
	// is the one kept.
	slices.SortStableFunc(files, func(a, b dumpFile) int { return strings.Compare(a.path, b.path) })
	files = slices.CompactFunc(files, func(a, b dumpFile) bool { return a.path == b.path })
	// A name that is a file in one place and a folder in another (it
	// happens in real lists) stays a folder.
	var drop []int
	for i, f := range files {
		j, _ := slices.BinarySearchFunc(files, f.path+"/", func(d dumpFile, p string) int { return strings.Compare(d.path, p) })
		if j < len(files) && strings.HasPrefix(files[j].path, f.path+"/") {
			drop = append(drop, i)
		}
	}
	for k := len(drop) - 1; k >= 0; k-- {
		files = slices.Delete(files, drop[k], drop[k]+1)
	}
	exp.Records["files"] = len(files)
	if o.Plant {
		exp.Detections = append(iosPlantedDetections(), ExpectedDetection{"ios.filesystem", "indicator.feed.match", PlantedProcess, "a file named like the planted process in a Pegasus-style staging folder"})
	}
	return exp, writeDump(out, o.Layout, files, stamp)
}

func plistBytes(v any) ([]byte, error) {
	p := filepath.Join(os.TempDir(), fmt.Sprintf("huella-gen-%d.plist", os.Getpid()))
	defer os.Remove(p)
	if err := writePlist(p, v); err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// The filler follows the shape of a real iPhone's tree: about half the
// files in the system's frameworks, a third in app containers, the rest in
// the user's library, the system's apps and /usr. Names are made up and
// never a process or file name the feeds publish.
var fillerAreas = []struct {
	weight int
	prefix func(g *gen, i int) string
}{
	{50, func(g *gen, i int) string {
		return fmt.Sprintf("System/Library/Frameworks/Synth%03d.framework/%s", i%700, g.pick(resDirs))
	}},
	{16, func(g *gen, i int) string {
		return fmt.Sprintf("private/var/containers/Bundle/Application/%s/Synth%02d.app/%s", uuidFor(i%180), i%90, g.pick(resDirs))
	}},
	{15, func(g *gen, i int) string {
		return fmt.Sprintf("private/var/containers/Shared/SystemGroup/%s/Library/%s", uuidFor(1000+i%120), g.pick(pathWords))
	}},
	{13, func(g *gen, i int) string {
		return fmt.Sprintf("private/var/mobile/Containers/Data/Application/%s/Library/Caches/%s", uuidFor(2000+i%180), g.pick(pathWords))
	}},
	{3, func(g *gen, i int) string { return fmt.Sprintf("Applications/Synth%02d.app/%s", i%60, g.pick(resDirs)) }},
	{2, func(g *gen, i int) string { return fmt.Sprintf("private/var/db/synth/%s", g.pick(pathWords)) }},
	{1, func(g *gen, i int) string { return fmt.Sprintf("usr/share/synth/%s", g.pick(pathWords)) }},
}

var resDirs = []string{"en.lproj", "es.lproj", "fr.lproj", "Assets", "Resources", "Frameworks/SynthKit.framework", "PlugIns", "Data"}

func uuidFor(i int) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "uuid-%d", i)
	v := h.Sum64()
	return fmt.Sprintf("%08X-%04X-4%03X-8%03X-%012X", uint32(v>>32), uint16(v>>16), uint16(v)&0xfff, uint16(v>>4)&0xfff, v&0xffffffffffff)
}

func fillerPaths(o DumpOptions) ([]dumpFile, error) {
	if o.PathsFrom != "" {
		return realPaths(o.PathsFrom, o.Paths)
	}
	g := newGen(o.Seed, 11)
	total := 0
	for _, a := range fillerAreas {
		total += a.weight
	}
	out := make([]dumpFile, 0, o.Paths)
	for i := 0; i < o.Paths; i++ {
		w := g.r.IntN(total)
		var area int
		for area = range fillerAreas {
			if w < fillerAreas[area].weight {
				break
			}
			w -= fillerAreas[area].weight
		}
		dir := fillerAreas[area].prefix(g, i)
		f := dumpFile{path: fmt.Sprintf("%s/synth_%s_%07d.dat", dir, g.pick(pathWords), i), mtime: g.time().Truncate(time.Second)}
		if i%16 == 0 {
			// Some content, so archives compress and checksums mean something.
			f.body = []byte(strings.Repeat(g.pick(pathWords)+" ", 8+g.r.IntN(56)))
		}
		out = append(out, f)
	}
	return out, nil
}

// realPaths reads a file list in the UFED layout (filesystem1/ is /,
// filesystem2/ is /private/var): the CSV itself or a zip holding it. At
// most limit paths are kept (0: all).
func realPaths(p string, limit int) ([]dumpFile, error) {
	var r io.Reader
	if strings.HasSuffix(p, ".zip") {
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		for _, f := range zr.File {
			if strings.HasSuffix(f.Name, ".csv") && !strings.HasPrefix(path.Base(f.Name), "._") {
				rc, err := f.Open()
				if err != nil {
					return nil, err
				}
				defer rc.Close()
				r = rc
				break
			}
		}
		if r == nil {
			return nil, fmt.Errorf("%s: no .csv inside", p)
		}
	} else {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	var out []dumpFile
	err := imagelist.Read(r, func(e imagelist.Entry) bool {
		// The dump's names are relative: the device path without its "/".
		f := dumpFile{path: path.Clean(strings.TrimPrefix(e.Path, "/")), mtime: spanStart}
		if !e.Modified.IsZero() {
			f.mtime = e.Modified
		}
		out = append(out, f)
		return limit <= 0 || len(out) < limit
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// dirTime is a folder's modification time, the same in every layout.
func dirTime(p string) time.Time {
	h := fnv.New64a()
	h.Write([]byte(p))
	return spanStart.Add(time.Duration(h.Sum64()%uint64(spanEnd.Sub(spanStart)/time.Second)) * time.Second)
}

// containerPath maps a device path to the layout's entry name; "" leaves
// the file out (the data-partition-only layout holds /private/var only).
func containerPath(l DumpLayout, p string) string {
	switch l {
	case DumpWrapped:
		return "EXTRACTION_FFS 01/" + p
	case DumpUFEDFolder, DumpUFEDZip, DumpUFEDTarGz:
		if rest, ok := strings.CutPrefix(p, "private/var/"); ok {
			return "filesystem2/" + rest
		}
		if p == "private/var" {
			return "filesystem2"
		}
		return "filesystem1/" + p
	case DumpUFEDLegacy:
		return "filesystem/" + p
	case DumpVarOnly:
		if rest, ok := strings.CutPrefix(p, "private/var/"); ok {
			return rest
		}
		return ""
	}
	return p
}

// entry is one container entry: a folder (body nil, dir set) or a file.
type dumpEntry struct {
	name  string
	dir   bool
	mtime time.Time
	f     *dumpFile
}

// entries lists the container's entries in order, each folder before what
// it holds, with the extraction tool's own files for UFED layouts: its
// keychain dump in extra/, and a stale copy of one data-partition file
// inside filesystem1/private/var, hidden on the phone by filesystem2/.
func entries(l DumpLayout, files []dumpFile, stamp time.Time) []dumpEntry {
	var out []dumpEntry
	made := map[string]bool{}
	var mkdirs func(name, dev string)
	mkdirs = func(name, dev string) {
		if name == "" || name == "." || name == "/" || made[name] {
			return
		}
		parent, pdev := path.Dir(name), path.Dir(dev)
		if parent != "." && parent != "/" {
			mkdirs(parent, pdev)
		}
		made[name] = true
		out = append(out, dumpEntry{name: name, dir: true, mtime: dirTime(dev)})
	}
	ufed := l == DumpUFEDFolder || l == DumpUFEDZip || l == DumpUFEDTarGz
	if ufed {
		stale := &dumpFile{path: "private/var/mobile/Library/SMS/sms.db", mtime: stamp.Add(-24 * time.Hour), body: []byte("stale copy on the system partition")}
		mkdirs("filesystem1/private/var/mobile/Library/SMS", "private/var/mobile/Library/SMS")
		out = append(out, dumpEntry{name: "filesystem1/private/var/mobile/Library/SMS/sms.db", mtime: stale.mtime, f: stale})
		kc := &dumpFile{path: "extra/KeychainDump/backup_keychain_v2.plist", mtime: stamp, body: []byte("<plist/>")}
		mkdirs("extra/KeychainDump", "extra/KeychainDump")
		out = append(out, dumpEntry{name: "extra/KeychainDump/backup_keychain_v2.plist", mtime: stamp, f: kc})
	}
	for i := range files {
		f := &files[i]
		name := containerPath(l, f.path)
		if name == "" {
			continue
		}
		if d := path.Dir(name); d != "." {
			mkdirs(d, path.Dir(f.path))
		}
		out = append(out, dumpEntry{name: name, mtime: f.mtime, f: f})
	}
	// Tools that archive from the phone's root write every name from it.
	switch l {
	case DumpGrayKeyZip, DumpTarRooted:
		for i := range out {
			out[i].name = "/" + out[i].name
		}
	case DumpTarDot:
		for i := range out {
			out[i].name = "./" + out[i].name
		}
		out = append([]dumpEntry{{name: ".", dir: true, mtime: dirTime(".")}}, out...)
	}
	return out
}

func (e *dumpEntry) open() (io.ReadCloser, int64, error) {
	if e.f.src != "" {
		f, err := os.Open(e.f.src)
		if err != nil {
			return nil, 0, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		return f, fi.Size(), nil
	}
	return io.NopCloser(strings.NewReader(string(e.f.body))), int64(len(e.f.body)), nil
}

func writeDump(out string, l DumpLayout, files []dumpFile, stamp time.Time) error {
	ents := entries(l, files, stamp)
	if !l.IsArchive() {
		return writeDumpFolder(out, ents)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	switch l.Ext() {
	case ".zip":
		err = writeDumpZip(bw, ents)
	case ".tar":
		err = writeDumpTar(bw, ents)
	default:
		gz := gzip.NewWriter(bw)
		if err = writeDumpTar(gz, ents); err == nil {
			err = gz.Close()
		}
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeDumpFolder(dir string, ents []dumpEntry) error {
	if err := emptyDir(dir); err != nil {
		return err
	}
	// Folder times are set last: creating files inside a folder changes it.
	var dirs []dumpEntry
	for _, e := range ents {
		p := filepath.Join(dir, filepath.FromSlash(e.name))
		if e.dir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			dirs = append(dirs, e)
			continue
		}
		rc, _, err := e.open()
		if err != nil {
			return err
		}
		w, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = io.Copy(w, rc)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		rc.Close()
		if err != nil {
			return err
		}
		if err := os.Chtimes(p, e.mtime, e.mtime); err != nil {
			return err
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		p := filepath.Join(dir, filepath.FromSlash(dirs[i].name))
		if err := os.Chtimes(p, dirs[i].mtime, dirs[i].mtime); err != nil {
			return err
		}
	}
	return nil
}

func writeDumpZip(w io.Writer, ents []dumpEntry) error {
	zw := zip.NewWriter(w)
	for _, e := range ents {
		h := &zip.FileHeader{Name: e.name, Modified: e.mtime, Method: zip.Store}
		if e.dir {
			h.Name += "/"
			h.SetMode(0o755 | os.ModeDir)
			if _, err := zw.CreateHeader(h); err != nil {
				return err
			}
			continue
		}
		rc, size, err := e.open()
		if err != nil {
			return err
		}
		h.SetMode(0o644)
		if size > 0 {
			h.Method = zip.Deflate
		}
		fw, err := zw.CreateHeader(h)
		if err == nil {
			_, err = io.Copy(fw, rc)
		}
		rc.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

func writeDumpTar(w io.Writer, ents []dumpEntry) error {
	tw := tar.NewWriter(w)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, ModTime: e.mtime, Mode: 0o644, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if e.dir {
			h.Name += "/"
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			continue
		}
		rc, size, err := e.open()
		if err != nil {
			return err
		}
		h.Size = size
		err = tw.WriteHeader(h)
		if err == nil {
			_, err = io.Copy(tw, rc)
		}
		rc.Close()
		if err != nil {
			return err
		}
	}
	return tw.Close()
}
