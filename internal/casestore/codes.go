package casestore

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"strings"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
)

// Lookup keys are stored as int64 codes: compact, fixed-width, and the same
// column type in both engines.
//
//   - Text keys: the first 63 bits of SHA-256("huella-key-v1" ‖ space ‖ text)
//     (or of the HMAC with the case's key), always ≥ 0. Two keys sharing a
//     code only add a candidate, which the matcher then rejects.
//   - IPv4 addresses: math.MinInt64 + the address as a number, so a CIDR
//     indicator is one range scan.
//   - IPv6 addresses: a text code for the address and, for CIDR indicators,
//     math.MinInt64 + 2^32 + the address's first 48 bits (prefixes longer
//     than /48 look up their /48 and let the matcher decide).
//
// HMAC-stored cases have no range codes: an address is only its text code.

const (
	v4Base = math.MinInt64
	v6Base = math.MinInt64 + 1<<32
)

// Range is an inclusive range of codes.
type Range struct{ Lo, Hi int64 }

// Probe is what a hunt looks up: exact codes and ranges, and for each code
// the indicator keys that produced it (HMAC findings show that text, as the
// stored value cannot be read).
type Probe struct {
	Codes  []int64
	Ranges []Range
	Text   map[int64]indicators.LookupKey
	// Skipped counts indicator keys that cannot be looked up in this mode
	// (CIDR prefixes in HMAC-stored cases).
	Skipped int
}

// keyer turns lookup keys into codes: plain, or keyed with an HMAC key.
type keyer struct {
	key *HMACKey // nil: plain
}

func (k keyer) textCode(space, text string) int64 {
	var h hash.Hash
	if k.key == nil {
		h = sha256.New()
		h.Write([]byte("huella-key-v1"))
	} else {
		h = hmac.New(sha256.New, k.key.secret)
		h.Write([]byte("huella-key-v1"))
	}
	h.Write([]byte{0})
	h.Write([]byte(space))
	h.Write([]byte{0})
	h.Write([]byte(text))
	var sum [32]byte
	return int64(binary.BigEndian.Uint64(h.Sum(sum[:0])[:8]) &^ (1 << 63))
}

// observableCodes are the codes stored for one observed value.
func (k keyer) observableCodes(keys []indicators.LookupKey) []int64 {
	out := make([]int64, 0, len(keys)+1)
	for _, lk := range keys {
		if lk.Space == indicators.SpaceIP && lk.Prefix.IsValid() && k.key == nil {
			a := lk.Prefix.Addr()
			if a.Is4() {
				b := a.As4()
				out = append(out, v4Base+int64(binary.BigEndian.Uint32(b[:])))
				continue
			}
			b := a.As16()
			out = append(out, v6Base+int64(binary.BigEndian.Uint64(b[:8])>>16))
		}
		out = append(out, k.textCode(lk.Space, lk.Text))
	}
	return out
}

// probe encodes the keys of a set of indicators.
func (k keyer) probe(keys []indicators.IndicatorKey) Probe {
	p := Probe{Text: map[int64]indicators.LookupKey{}}
	seen := map[int64]bool{}
	for _, ik := range keys {
		lk := ik.Key
		if lk.Space == indicators.SpaceIP && lk.Prefix.IsValid() {
			a := lk.Prefix.Addr()
			if lk.IsRange() {
				if k.key != nil {
					p.Skipped++
					continue
				}
				if a.Is4() {
					lo := a.As4()
					bits := lk.Prefix.Bits()
					n := binary.BigEndian.Uint32(lo[:])
					span := uint32(1<<(32-bits)) - 1
					if bits == 0 {
						span = math.MaxUint32
					}
					p.Ranges = append(p.Ranges, Range{v4Base + int64(n), v4Base + int64(n|span)})
					continue
				}
				b := a.As16()
				top := binary.BigEndian.Uint64(b[:8]) >> 16
				bits := min(lk.Prefix.Bits(), 48)
				var span uint64 = 1<<(48-bits) - 1
				p.Ranges = append(p.Ranges, Range{v6Base + int64(top), v6Base + int64(top|span)})
				continue
			}
			if a.Is4() && k.key == nil {
				b := a.As4()
				c := v4Base + int64(binary.BigEndian.Uint32(b[:]))
				if !seen[c] {
					seen[c] = true
					p.Codes = append(p.Codes, c)
					p.Text[c] = lk
				}
				continue
			}
		}
		c := k.textCode(lk.Space, lk.Text)
		if !seen[c] {
			seen[c] = true
			p.Codes = append(p.Codes, c)
			p.Text[c] = lk
		}
	}
	return p
}

// storedValue is what vals.value holds for an observable: the value as
// observed, or (HMAC mode) "hmac:<key id>:<hex>" over its canonical form.
func (k keyer) storedValue(o model.Observable, keys []indicators.LookupKey) string {
	if k.key == nil {
		return o.Value
	}
	return k.key.ValueHMAC(o.Kind, canonical(o, keys))
}

// canonical is the normalised form of an observed value: its first lookup
// key (host, link key, address, name, path, folded value), or the trimmed
// value when it has none.
func canonical(o model.Observable, keys []indicators.LookupKey) string {
	if len(keys) > 0 {
		return keys[0].Text
	}
	return strings.TrimSpace(o.Value)
}

func packCodes(cs []int64) []byte {
	b := make([]byte, 8*len(cs))
	for i, c := range cs {
		binary.BigEndian.PutUint64(b[8*i:], uint64(c))
	}
	return b
}

func unpackCodes(b []byte) []int64 {
	out := make([]int64, 0, len(b)/8)
	for i := 0; i+8 <= len(b); i += 8 {
		out = append(out, int64(binary.BigEndian.Uint64(b[i:])))
	}
	return out
}

// HMACKey is a secret shared by helplines that want to compare what they
// have seen without showing it to each other: values are stored as
// HMAC-SHA256(key, kind ‖ normalised value).
type HMACKey struct {
	secret []byte
	// ID names the key without revealing it (the first 8 bytes of an HMAC
	// of a fixed label), so a store can tell which key a case needs.
	ID string
}

// MinHMACKeyLen is the shortest key accepted: 16 bytes (128 bits).
const MinHMACKeyLen = 16

// NewHMACKey wraps secret bytes.
func NewHMACKey(secret []byte) (*HMACKey, error) {
	if len(secret) < MinHMACKeyLen {
		return nil, fmt.Errorf("HMAC key is %d bytes; it must be at least %d random bytes", len(secret), MinHMACKeyLen)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("huella case store key id v1"))
	return &HMACKey{secret: append([]byte(nil), secret...), ID: hex.EncodeToString(m.Sum(nil)[:8])}, nil
}

// LoadHMACKey reads a key file: its bytes, without a final newline. Generate
// one with, for example, `head -c 32 /dev/urandom | base64 > key`.
func LoadHMACKey(path string) (*HMACKey, error) {
	// A named pipe would block the open: refuse anything but a regular file
	// first, then check the opened file again (what is read is what was
	// checked) and read through a limit whatever it declares.
	const maxKeyFile = 4096
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("HMAC key file: %w", err)
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("HMAC key file %s: must be a regular file of at most %d bytes", path, maxKeyFile)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("HMAC key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("HMAC key file: %w", err)
	}
	if !st.Mode().IsRegular() || st.Size() > maxKeyFile {
		return nil, fmt.Errorf("HMAC key file %s: must be a regular file of at most %d bytes", path, maxKeyFile)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("HMAC key file: %w", err)
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("HMAC key file %s: must be a regular file of at most %d bytes", path, maxKeyFile)
	}
	b = []byte(strings.TrimRight(string(b), "\r\n"))
	k, err := NewHMACKey(b)
	if err != nil {
		return nil, fmt.Errorf("HMAC key file %s: %w", path, err)
	}
	return k, nil
}

// ValueHMAC is the stored form of a canonical value.
func (k *HMACKey) ValueHMAC(kind model.Kind, canon string) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte("huella-value-v1"))
	m.Write([]byte{0})
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(canon))
	return "hmac:" + k.ID + ":" + hex.EncodeToString(m.Sum(nil))
}

// IsHMACValue reports a stored value that is an HMAC, not the value.
func IsHMACValue(v string) bool { return strings.HasPrefix(v, "hmac:") }

var errNoKey = errors.New("this case is stored as HMACs: give the same --hmac-key-file it was added with")
