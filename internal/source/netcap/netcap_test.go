package netcap

import (
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/coverage"
	"github.com/huella-project/huella/internal/samplegen"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/timestamp"
)

// Each format is told by its content, whatever the file is called; what
// is none of them is "".
func TestSniff(t *testing.T) {
	var ng, pc bytes.Buffer
	tr := samplegen.PhoneTraffic(1, false)
	if err := tr.WritePcapNG(&ng, 1); err != nil {
		t.Fatal(err)
	}
	if err := tr.WritePcap(&pc, 1); err != nil {
		t.Fatal(err)
	}
	var eve, ph, ag, nd bytes.Buffer
	tr.WriteEve(&eve)
	tr.WritePihole(&ph)
	tr.WriteAdGuard(&ag)
	tr.WriteNextDNS(&nd)
	zdir := t.TempDir()
	if err := tr.WriteZeek(zdir, false); err != nil {
		t.Fatal(err)
	}
	ztsv, _ := os.ReadFile(filepath.Join(zdir, "dns.log"))
	if err := tr.WriteZeek(zdir, true); err != nil {
		t.Fatal(err)
	}
	zjson, _ := os.ReadFile(filepath.Join(zdir, "conn.log"))
	tests := []struct {
		name string
		head []byte
		want Format
	}{
		{"pcapng", ng.Bytes(), PcapNG},
		{"pcap", pc.Bytes(), Pcap},
		{"pcap big-endian nanoseconds", []byte("\xa1\xb2\x3c\x4d\x00\x02\x00\x04"), Pcap},
		{"zeek tsv", ztsv, ZeekTSV},
		{"zeek json", zjson, ZeekJSON},
		{"eve", eve.Bytes(), EveJSON},
		{"pihole", ph.Bytes(), Dnsmasq},
		{"dnsmasq with host and pihole-FTL", []byte("Jan  5 10:00:00 pi pihole-FTL[99]: query[AAAA] a.example from 10.0.0.2\n"), Dnsmasq},
		{"adguard", ag.Bytes(), AdGuard},
		{"nextdns", nd.Bytes(), NextDNS},
		{"pcapng without its byte-order magic", []byte("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x00\x00\x00\x00"), ""},
		{"other JSON", []byte(`{"hello":"world"}` + "\n"), ""},
		{"a plist", []byte("bplist00"), ""},
		{"text", []byte("shopping list\nmilk\n"), ""},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		head := tt.head
		if len(head) > HeadSize {
			head = head[:HeadSize]
		}
		if got := Sniff(head); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(tt.head)
		zw.Close()
		if got, isGz := SniffReader(&gz); got != tt.want || !isGz {
			t.Errorf("%s gzip: %q %v, want %q", tt.name, got, isGz, tt.want)
		}
	}
}

// A folder becomes the logical tree: one folder per format, PiRogue's
// device and start read, other files noted, never read.
func TestOpenFolder(t *testing.T) {
	dir := t.TempDir()
	p, _, err := samplegen.GenerateNetwork(dir, samplegen.NetPiRogue, 3, false)
	if err != nil {
		t.Fatal(err)
	}
	zeek := filepath.Join(p, "zeek", "2024-02-20")
	if err := samplegen.PhoneTraffic(3, false).WriteZeek(zeek, false); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(p, ".hidden.pcap"), []byte("x"), 0o600)
	ev, err := Open(context.Background(), []string{p}, nil)
	if err != nil {
		t.Fatal(err)
	}
	files := ev.Files()
	want := []string{"capture/traffic.pcap", "zeek/zeek/2024-02-20/conn.log", "zeek/zeek/2024-02-20/dns.log",
		"zeek/zeek/2024-02-20/http.log", "zeek/zeek/2024-02-20/ssl.log"}
	if !slices.Equal(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
	if ev.Device.Platform != "android" || ev.Device.Model != "Google Pixel 7 (synthetic)" || ev.Device.OSVersion != "14" ||
		ev.Device.Acquired == nil || !ev.Device.Acquired.Equal(samplegen.NetStart) {
		t.Errorf("device %+v", ev.Device)
	}
	notes := strings.Join(ev.NoteList(), "\n")
	if !strings.Contains(notes, "sslkeylog.txt: not read (TLS session keys") || strings.Contains(notes, "device.json") {
		t.Errorf("notes:\n%s", notes)
	}
	if err := fstest.TestFS(ev.FS, want...); err != nil {
		t.Error(err)
	}
}

// Several inputs are one evidence: files of the same format sit in the
// same folder (a dns.log and a conn.log given apart are one Zeek traffic),
// folders keep their names, clashes get a suffix.
func TestOpenSeveral(t *testing.T) {
	tmp := t.TempDir()
	tr := samplegen.PhoneTraffic(4, false)
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	for _, d := range []string{a, b} {
		if err := tr.WriteZeek(d, false); err != nil {
			t.Fatal(err)
		}
	}
	pcap := filepath.Join(tmp, "x.bin")
	var buf bytes.Buffer
	tr.WritePcap(&buf, 4)
	os.WriteFile(pcap, buf.Bytes(), 0o600)
	ev, err := Open(context.Background(), []string{filepath.Join(a, "dns.log"), filepath.Join(b, "dns.log"), b, pcap}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := ev.Files()
	want := []string{"capture/x.bin", "zeek/b/conn.log", "zeek/b/dns.log", "zeek/b/http.log", "zeek/b/ssl.log", "zeek/dns-2.log", "zeek/dns.log"}
	if !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	if err := fstest.TestFS(ev.FS, want...); err != nil {
		t.Error(err)
	}
	if _, err := Open(context.Background(), []string{filepath.Join(a, "missing")}, nil); err == nil {
		t.Error("a missing path opened")
	}
	notes := filepath.Join(tmp, "notes.txt")
	os.WriteFile(notes, []byte("hello\n"), 0o600)
	if _, err := Open(context.Background(), []string{notes}, nil); err == nil || !strings.Contains(err.Error(), "no network capture") {
		t.Errorf("a text file: %v", err)
	}
	if !Detect(pcap) || Detect(notes) || !Detect(b) || Detect(t.TempDir()) {
		t.Error("Detect is wrong")
	}
}

// Lines hands every line over, skips (and counts) lines over the limit,
// and keeps going after them.
func TestLines(t *testing.T) {
	in := "a\r\n" + strings.Repeat("x", 100) + "\nb\n\nc"
	var got []string
	long, err := Lines(strings.NewReader(in), 50, func(l []byte) error { got = append(got, string(l)); return nil })
	if err != nil || long != 1 || !slices.Equal(got, []string{"a", "b", "", "c"}) {
		t.Errorf("got %q, %d long, %v", got, long, err)
	}
	big := strings.Repeat("y", 200<<10) + "\nz\n"
	got = nil
	long, err = Lines(strings.NewReader(big), 100<<10, func(l []byte) error { got = append(got, string(l)); return nil })
	if err != nil || long != 1 || !slices.Equal(got, []string{"z"}) {
		t.Errorf("long line: %d lines, %d long, %v", len(got), long, err)
	}
}

var formats = []Format{"", Pcap, PcapNG, ZeekTSV, ZeekJSON, EveJSON, Dnsmasq, AdGuard, NextDNS}

// FuzzSniff: any bytes are one known format or none, the same through
// SniffReader (which says gzip only for gzip), and a capture format only
// with its magic number.
func FuzzSniff(f *testing.F) {
	f.Add([]byte("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c\x2b\x1a"))
	f.Add([]byte("#separator \\x09\n#path\tdns\n"))
	f.Add([]byte(`{"timestamp":"2024-02-20T03:00:00.000000+0000","event_type":"dns"}` + "\n"))
	f.Add([]byte(`{"T":"2024-02-20T03:00:00Z","QH":"a.example","QT":"A"}` + "\n"))
	f.Add([]byte("Feb 20 03:00:01 dnsmasq[812]: query[A] a.example from 10.0.0.2\n"))
	f.Add([]byte("timestamp,domain,query_type\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := Sniff(data)
		if !slices.Contains(formats, got) {
			t.Fatalf("format %q", got)
		}
		if (got == Pcap || got == PcapNG) && (len(data) < 4 || got.Folder() != DirCapture) {
			t.Fatalf("%q from %d bytes", got, len(data))
		}
		if len(data) <= HeadSize && !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			if r, gz := SniffReader(bytes.NewReader(data)); r != got || gz {
				t.Fatalf("SniffReader %q %v, Sniff %q", r, gz, got)
			}
		}
	})
}

// FuzzLines: every line handed over is at most max bytes and holds no
// newline; lines handed over and lines skipped add up to the lines there
// are.
func FuzzLines(f *testing.F) {
	f.Add([]byte("a\r\nbb\n\nccc"), uint16(2))
	f.Add([]byte(strings.Repeat("x", 300)+"\ny"), uint16(100))
	f.Fuzz(func(t *testing.T, data []byte, max uint16) {
		limit := int(max%512) + 1
		handed := 0
		skipped, err := Lines(bytes.NewReader(data), limit, func(l []byte) error {
			if len(l) > limit || bytes.IndexByte(l, '\n') >= 0 {
				t.Fatalf("line of %d bytes (limit %d): %q", len(l), limit, l)
			}
			handed++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A last line without its newline counts unless it is empty once
		// its carriage return is dropped.
		lines := bytes.Count(data, []byte("\n"))
		if i := bytes.LastIndexByte(data, '\n'); len(trimEOL(data[i+1:])) > 0 {
			lines++
		}
		if handed+skipped != lines {
			t.Fatalf("%d handed + %d skipped, %d lines", handed, skipped, lines)
		}
	})
}

// FuzzPiRogue opens a PiRogue folder whose device.json and
// experiment.json are arbitrary: never a panic, the capture still opened,
// a capture start only within timestamp's plausible range.
func FuzzPiRogue(f *testing.F) {
	var pc bytes.Buffer
	if err := samplegen.PhoneTraffic(1, false).WritePcap(&pc, 1); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"manufacturer":"Google","model":"Pixel 7","android_version":"14","serialno":"X"}`), []byte(`{"network":{"start_capture_time":1708398000000}}`))
	f.Add([]byte(`{"model":7}`), []byte(`{"network":{"start_capture_time":1e300}}`))
	f.Fuzz(func(t *testing.T, device, experiment []byte) {
		fsys := fstest.MapFS{
			"traffic.pcap":    {Data: pc.Bytes()},
			"device.json":     {Data: device},
			"experiment.json": {Data: experiment},
		}
		ev, err := OpenFS(context.Background(), fsys, "p", nil)
		if err != nil {
			t.Fatal(err)
		}
		if files := ev.Files(); !slices.Equal(files, []string{"capture/traffic.pcap"}) {
			t.Fatalf("files %v", files)
		}
		if a := ev.Device.Acquired; a != nil && (a.IsZero() || timestamp.Check(*a) != nil) {
			t.Fatalf("capture start %s", a)
		}
	})
}

// A file named like Safari's passwords or payment cards is never read,
// not even to sniff it, nor hashed; a NextDNS export (a CSV named for DNS)
// is read.
func TestSecretNamesNotRead(t *testing.T) {
	dir := t.TempDir()
	var nd bytes.Buffer
	samplegen.PhoneTraffic(2, false).WriteNextDNS(&nd)
	for _, n := range []string{"nextdns-log.csv", "Passwords.csv", "Contraseñas.csv", "PaymentCards.json"} {
		if err := os.WriteFile(filepath.Join(dir, n), nd.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := Open(context.Background(), []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if files := ev.Files(); !slices.Equal(files, []string{"dns/nextdns-log.csv"}) {
		t.Errorf("files %v", files)
	}
	notes := strings.Join(ev.NoteList(), "\n")
	for _, n := range []string{"Passwords.csv", "Contraseñas.csv", "PaymentCards.json"} {
		if !strings.Contains(notes, n+": not read: named like a file of passwords") || !ev.NeverRead(n) {
			t.Errorf("%s: notes %s", n, notes)
		}
		if Detect(filepath.Join(dir, n)) {
			t.Errorf("%s detected", n)
		}
	}
	if ev.NeverRead("nextdns-log.csv") || !Detect(filepath.Join(dir, "nextdns-log.csv")) {
		t.Error("the NextDNS export is not read")
	}
}

// unlistable is a file system whose folder "logs" cannot be listed.
type unlistable struct{ fstest.MapFS }

func (u unlistable) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "logs" {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	return u.MapFS.ReadDir(name)
}

// TestUnlistableFolderIsAGap: a folder of a network evidence that cannot be
// listed was not checked, and says so; the files beside it are still read.
func TestUnlistableFolderIsAGap(t *testing.T) {
	var log bytes.Buffer
	if err := samplegen.PhoneTraffic(1, false).WritePihole(&log); err != nil {
		t.Fatal(err)
	}
	fsys := unlistable{fstest.MapFS{
		"pihole.log":    {Data: log.Bytes()},
		"logs/conn.log": {Data: []byte("x")},
	}}
	ev := &source.Evidence{}
	tr := newTree()
	if _, _, err := walk(context.Background(), ev, tr, input{fsys: fsys, root: ".", label: "folder"}); err != nil {
		t.Fatal(err)
	}
	gaps := ev.GapList()
	if len(gaps) != 1 || gaps[0].Part != "folder/logs" || gaps[0].Cause != coverage.Unreadable {
		t.Errorf("gaps %+v, want one unreadable folder/logs", gaps)
	}
	if len(tr.files) != 1 {
		t.Errorf("%d files read, want the resolver log beside the folder", len(tr.files))
	}
}
