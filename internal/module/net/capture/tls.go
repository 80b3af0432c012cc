package capture

import "encoding/binary"

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
func parseClientHello(b []byte) (sni string, st helloState) {
	var msg []byte // the handshake message, possibly spread over records
	var buf [maxHello]byte
	n := 0
	for pos := 0; ; {
		if len(b)-pos < 5 {
			return "", helloNeedMore
		}
		if b[pos] != 0x16 || b[pos+1] != 3 {
			return "", helloNot
		}
		l := int(binary.BigEndian.Uint16(b[pos+3:]))
		if l == 0 || l > 16384+2048 {
			return "", helloNot
		}
		end := pos + 5 + l
		avail := min(end, len(b))
		if n+avail-(pos+5) > len(buf) {
			return "", helloNot
		}
		n += copy(buf[n:], b[pos+5:avail])
		msg = buf[:n]
		if len(msg) >= 4 {
			if msg[0] != 1 {
				return "", helloNot
			}
			need := 4 + (int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]))
			if need > maxHello {
				return "", helloNot
			}
			if len(msg) >= need {
				msg = msg[:need]
				break
			}
		}
		if avail < end {
			return "", helloNeedMore
		}
		pos = end
	}
	name, ok := helloServerName(msg[4:])
	if !ok {
		return "", helloNot
	}
	return name, helloDone
}

// helloServerName reads a ClientHello body (after the handshake header)
// and returns its first host_name server name, "" when it has none.
func helloServerName(b []byte) (string, bool) {
	r := reader{b: b}
	r.skip(2 + 32) // version, random
	r.skipVec8()   // session id
	r.skipVec16()  // cipher suites
	r.skipVec8()   // compression methods
	if r.bad {
		return "", false
	}
	if r.left() == 0 {
		return "", true // no extensions (SSL 3-era hello)
	}
	exts := reader{b: r.vec16()}
	if r.bad {
		return "", false
	}
	for exts.left() > 0 {
		typ := exts.u16()
		data := reader{b: exts.vec16()}
		if exts.bad {
			return "", false
		}
		if typ != 0 { // server_name
			continue
		}
		list := reader{b: data.vec16()}
		for list.left() > 0 && !list.bad {
			kind := list.u8()
			name := list.vec16()
			if list.bad {
				return "", false
			}
			if kind == 0 {
				return string(name), true
			}
		}
		return "", !list.bad && !data.bad
	}
	return "", true
}

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
