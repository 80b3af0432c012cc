// Package keywrap implements the AES key wrap of RFC 3394, which iOS backups
// use to protect class keys and per-file keys.
package keywrap

import (
	"crypto/aes"
	"crypto/subtle"
	"encoding/binary"
	"errors"
)

// defaultIV is the RFC 3394 §2.2.3.1 integrity check value. A wrong KEK
// yields a different A, so this comparison is what tells a wrong backup
// password from a right one.
var defaultIV = [8]byte{0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6}

var (
	// ErrIntegrity means the unwrapped check value did not match: wrong KEK
	// or corrupt input.
	ErrIntegrity = errors.New("keywrap: integrity check failed (wrong key or corrupt data)")
	// ErrLength means the input is not a whole number (at least 2) of 64-bit blocks.
	ErrLength = errors.New("keywrap: bad length")
)

// Unwrap recovers the key wrapped with kek (16, 24 or 32 bytes).
func Unwrap(kek, wrapped []byte) ([]byte, error) {
	if len(wrapped)%8 != 0 || len(wrapped) < 24 {
		return nil, ErrLength
	}
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	n := len(wrapped)/8 - 1
	var a [8]byte
	copy(a[:], wrapped[:8])
	r := make([]byte, n*8)
	copy(r, wrapped[8:])
	var buf [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(buf[:8], binary.BigEndian.Uint64(a[:])^t)
			copy(buf[8:], r[(i-1)*8:i*8])
			b.Decrypt(buf[:], buf[:])
			copy(a[:], buf[:8])
			copy(r[(i-1)*8:i*8], buf[8:])
		}
	}
	if subtle.ConstantTimeCompare(a[:], defaultIV[:]) != 1 {
		return nil, ErrIntegrity
	}
	return r, nil
}

// Wrap wraps key (a whole number of 64-bit blocks, at least two) with kek.
// huella only reads backups; Wrap exists so tests can build encrypted ones.
func Wrap(kek, key []byte) ([]byte, error) {
	if len(key)%8 != 0 || len(key) < 16 {
		return nil, ErrLength
	}
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	n := len(key) / 8
	a := defaultIV
	r := make([]byte, n*8)
	copy(r, key)
	var buf [16]byte
	for j := 0; j <= 5; j++ {
		for i := 1; i <= n; i++ {
			copy(buf[:8], a[:])
			copy(buf[8:], r[(i-1)*8:i*8])
			b.Encrypt(buf[:], buf[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(a[:], binary.BigEndian.Uint64(buf[:8])^t)
			copy(r[(i-1)*8:i*8], buf[8:])
		}
	}
	return append(a[:], r...), nil
}
