package capture

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
)

// maxHello bounds the bytes kept while a ClientHello arrives in several TCP
// segments (post-quantum key shares make it longer than one segment).
const maxHello = 16 << 10

// helloState says where a ClientHello stands after the bytes seen so far.
type helloState int

const (
	helloNeedMore helloState = iota // valid so far, incomplete
	helloDone                       // complete: sni is its server name, if any
	helloNot                        // not a ClientHello (or malformed)
)

// parseClientHello reads the TLS records at the start of a client's byte
// stream. It never reads past b, and gives up (helloNot) on anything that
// is not a well-formed ClientHello within maxHello bytes. Gopacket's TLS
// layer finds the server name only when the hello fits one packet, so the
// capture reader joins segments and parses here.
func parseClientHello(b []byte) (h hello, st helloState) {
	var msg []byte // the handshake message, possibly spread over records
	var buf [maxHello]byte
	n := 0
	for pos := 0; ; {
		if len(b)-pos < 5 {
			return hello{}, helloNeedMore
		}
		if b[pos] != 0x16 || b[pos+1] != 3 {
			return hello{}, helloNot
		}
		l := int(binary.BigEndian.Uint16(b[pos+3:]))
		if l == 0 || l > 16384+2048 {
			return hello{}, helloNot
		}
		end := pos + 5 + l
		avail := min(end, len(b))
		if n+avail-(pos+5) > len(buf) {
			return hello{}, helloNot
		}
		n += copy(buf[n:], b[pos+5:avail])
		msg = buf[:n]
		if len(msg) >= 4 {
			if msg[0] != 1 {
				return hello{}, helloNot
			}
			need := 4 + (int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]))
			if need > maxHello {
				return hello{}, helloNot
			}
			if len(msg) >= need {
				msg = msg[:need]
				break
			}
		}
		if avail < end {
			return hello{}, helloNeedMore
		}
		pos = end
	}
	h, ok := readHello(msg[4:])
	if !ok {
		return hello{}, helloNot
	}
	return h, helloDone
}

// hello is what huella keeps of a ClientHello: the server name asked for
// and the client's JA3 fingerprint.
type hello struct {
	sni string
	ja3 string // MD5 of the JA3 string, lower-case hex
}

// readHello reads a ClientHello body (after the handshake header): its
// first host_name server name ("" when it has none) and its JA3
// fingerprint: the MD5 of "version,ciphers,extensions,groups,point
// formats", each list in decimal joined by "-", GREASE values left out
// (the fingerprint as Salesforce defined it, which Zeek and Suricata log).
func readHello(b []byte) (hello, bool) {
	var h hello
	r := reader{b: b}
	version := r.u16()
	r.skip(32)   // random
	r.skipVec8() // session id
	ciphers := reader{b: r.vec16()}
	r.skipVec8() // compression methods
	if r.bad {
		return hello{}, false
	}
	var exts, groups, formats []int
	if r.left() > 0 { // SSL 3-era hellos have no extensions
		list := reader{b: r.vec16()}
		if r.bad {
			return hello{}, false
		}
		for list.left() > 0 {
			typ := list.u16()
			data := reader{b: list.vec16()}
			if list.bad {
				return hello{}, false
			}
			if !grease(typ) {
				exts = append(exts, typ)
			}
			switch typ {
			case 0: // server_name
				names := reader{b: data.vec16()}
				for names.left() > 0 && !names.bad {
					kind, name := names.u8(), names.vec16()
					if kind == 0 && !names.bad && h.sni == "" {
						h.sni = string(name)
					}
				}
				if names.bad || data.bad {
					return hello{}, false
				}
			case 10: // supported_groups (elliptic curves)
				g := reader{b: data.vec16()}
				for g.left() >= 2 {
					if v := g.u16(); !grease(v) {
						groups = append(groups, v)
					}
				}
			case 11: // ec_point_formats
				f := reader{b: data.vec8()}
				for f.left() > 0 {
					formats = append(formats, f.u8())
				}
			}
		}
	}
	var cs []int
	for ciphers.left() >= 2 {
		if v := ciphers.u16(); !grease(v) {
			cs = append(cs, v)
		}
	}
	var sb strings.Builder
	sb.WriteString(strconv.Itoa(version))
	for _, l := range [][]int{cs, exts, groups, formats} {
		sb.WriteByte(',')
		for i, v := range l {
			if i > 0 {
				sb.WriteByte('-')
			}
			sb.WriteString(strconv.Itoa(v))
		}
	}
	sum := md5.Sum([]byte(sb.String()))
	h.ja3 = hex.EncodeToString(sum[:])
	return h, true
}

// grease says whether v is one of the reserved GREASE values (RFC 8701:
// 0x0a0a, 0x1a1a ... 0xfafa) that clients add at random and JA3 leaves out.
func grease(v int) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// reader is a bounds-checked cursor: a read past the end sets bad and
// returns zero values, so parsing code needs no checks between reads.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) left() int { return len(r.b) }

func (r *reader) take(n int) []byte {
	if r.bad || n < 0 || n > len(r.b) {
		r.bad = true
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) skip(n int) { r.take(n) }

func (r *reader) u8() int {
	v := r.take(1)
	if v == nil {
		return 0
	}
	return int(v[0])
}

func (r *reader) u16() int {
	v := r.take(2)
	if v == nil {
		return 0
	}
	return int(binary.BigEndian.Uint16(v))
}

func (r *reader) vec8() []byte  { return r.take(r.u8()) }
func (r *reader) vec16() []byte { return r.take(r.u16()) }
func (r *reader) skipVec8()     { r.vec8() }
func (r *reader) skipVec16()    { r.vec16() }
