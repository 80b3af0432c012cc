// Package netcap reads network evidence: packet captures (pcap, pcapng),
// Zeek logs (TSV or JSON), Suricata's eve.json, DNS resolver logs
// (Pi-hole/dnsmasq, AdGuard Home's querylog.json, NextDNS's CSV export)
// and PiRogue capture folders. Every file is recognised by its content,
// never by its name, and gzip-compressed logs are read as they are.
//
// The evidence is one logical, read-only tree with one folder per format,
// whatever the inputs were (one file, a folder, several files):
//
//	capture/<name>     pcap and pcapng files
//	zeek/<dir>/<name>  Zeek logs; files of one folder are one traffic
//	suricata/<name>    eve.json
//	dns/<name>         resolver logs
//
// so each network module (internal/module/net/...) finds its files by
// their folder. Files that are none of these (a PiRogue folder's TLS key
// log, its screen recording) are listed as notes, not read.
package netcap

import (
	"bytes"
	"compress/gzip"
	"io"
	"regexp"
	"strings"

	"github.com/huella-project/huella/internal/jsonx"
)

// Format is what one file holds.
type Format string

const (
	Pcap     Format = "pcap"
	PcapNG   Format = "pcapng"
	ZeekTSV  Format = "zeek"
	ZeekJSON Format = "zeek-json"
	EveJSON  Format = "suricata-eve"
	Dnsmasq  Format = "dnsmasq"          // Pi-hole's pihole.log and dnsmasq's log-queries lines
	AdGuard  Format = "adguard-querylog" // AdGuard Home's querylog.json
	NextDNS  Format = "nextdns-csv"      // NextDNS's query log export
)

// Folders of the logical layout.
const (
	DirCapture  = "capture"
	DirZeek     = "zeek"
	DirSuricata = "suricata"
	DirDNS      = "dns"
)

// Folder is the logical folder of a format's files.
func (f Format) Folder() string {
	switch f {
	case Pcap, PcapNG:
		return DirCapture
	case ZeekTSV, ZeekJSON:
		return DirZeek
	case EveJSON:
		return DirSuricata
	case Dnsmasq, AdGuard, NextDNS:
		return DirDNS
	}
	return ""
}

// HeadSize is how much of a file Sniff needs: enough for a few log lines.
const HeadSize = 64 << 10

// Sniff names the format of a file from its first bytes (up to HeadSize,
// decompressed when the file is gzip), or "" when it is none huella reads.
func Sniff(head []byte) Format {
	if len(head) >= 4 {
		switch string(head[:4]) {
		case "\xd4\xc3\xb2\xa1", "\xa1\xb2\xc3\xd4", "\x4d\x3c\xb2\xa1", "\xa1\xb2\x3c\x4d":
			return Pcap
		case "\x0a\x0d\x0d\x0a":
			if len(head) >= 12 {
				switch string(head[8:12]) {
				case "\x1a\x2b\x3c\x4d", "\x4d\x3c\x2b\x1a":
					return PcapNG
				}
			}
			return ""
		}
	}
	text := bytes.TrimLeft(head, "\ufeff \t\r\n")
	switch {
	case bytes.HasPrefix(text, []byte("#separator")):
		return ZeekTSV
	case bytes.HasPrefix(text, []byte("{")):
		return sniffJSON(text)
	case bytes.HasPrefix(text, []byte("timestamp,domain,query_type")):
		return NextDNS
	}
	if dnsmasqLine.Match(firstLines(text, 20)) {
		return Dnsmasq
	}
	return ""
}

// SniffReader reads the head of r and sniffs it, looking inside gzip.
// It reports whether the file is gzip-compressed. A gzip stream that holds
// a tar archive is not network evidence.
func SniffReader(r io.Reader) (Format, bool) {
	head := make([]byte, HeadSize)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return "", true
		}
		inner := make([]byte, HeadSize)
		m, _ := io.ReadFull(zr, inner)
		inner = inner[:m]
		if len(inner) >= 262 && string(inner[257:262]) == "ustar" {
			return "", true
		}
		return Sniff(inner), true
	}
	return Sniff(head), false
}

var dnsmasqLine = regexp.MustCompile(`(?m)(?:^|\s)(?:dnsmasq|pihole-FTL)\[\d+\]: (?:query\[[A-Za-z0-9]+\]|reply|forwarded|cached|gravity blocked|config|/etc/hosts) `)

func firstLines(b []byte, n int) []byte {
	end := 0
	for i := 0; i < n && end < len(b); i++ {
		j := bytes.IndexByte(b[end:], '\n')
		if j < 0 {
			return b
		}
		end += j + 1
	}
	return b[:end]
}

// sniffJSON tells the JSON-lines formats apart by the keys of their first
// complete line.
func sniffJSON(text []byte) Format {
	keys, _ := jsonx.FirstObject(text, 5)
	has := func(k string) bool { _, ok := keys[k]; return ok }
	switch {
	case has("event_type") && has("timestamp"):
		return EveJSON
	case has("ts") && (has("uid") || has("id.orig_h") || has("id.resp_h")):
		return ZeekJSON
	case has("QH") && has("T"):
		return AdGuard
	}
	return ""
}

// ZeekLogName is a Zeek log's kind from its file name (dns.log,
// conn.04:00:00-05:00:00.log.gz, ssl_20240101.log) for JSON logs, whose
// lines do not say; TSV logs say it in their #path header.
func ZeekLogName(name string) string {
	base := name[strings.LastIndexByte(name, '/')+1:]
	for i, c := range base {
		if c == '.' || c == '_' || c == '-' {
			return base[:i]
		}
	}
	return base
}
