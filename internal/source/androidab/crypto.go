package androidab

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
)

func readHex(br *bufio.Reader, what string, min, max int) ([]byte, error) {
	s, err := readLine(br, what)
	if err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not hexadecimal", what)
	}
	if len(b) < min || len(b) > max {
		return nil, fmt.Errorf("%s has %d bytes, expected %d to %d", what, len(b), min, max)
	}
	return b, nil
}

func readCryptoHeader(br *bufio.Reader, h *Header) error {
	var err error
	if h.UserSalt, err = readHex(br, "user password salt", 1, 512); err != nil {
		return err
	}
	if h.ChecksumSalt, err = readHex(br, "master key checksum salt", 1, 512); err != nil {
		return err
	}
	r, err := readLine(br, "rounds")
	if err != nil {
		return err
	}
	h.Rounds, err = strconv.Atoi(r)
	if err != nil || h.Rounds < 1 || h.Rounds > maxRounds {
		return fmt.Errorf("PBKDF2 rounds %q out of range 1..%d", r, maxRounds)
	}
	if h.UserIV, err = readHex(br, "user key IV", aes.BlockSize, aes.BlockSize); err != nil {
		return err
	}
	if h.MasterBlob, err = readHex(br, "master key blob", aes.BlockSize, 1024); err != nil {
		return err
	}
	if len(h.MasterBlob)%aes.BlockSize != 0 {
		return errors.New("master key blob is not a whole number of AES blocks")
	}
	return nil
}

// javaBytesAsChars mimics Android's checksum quirk (format version 2 and
// later): the master key bytes were turned into a Java char array by sign
// extension, then UTF-8 encoded, so every byte >= 0x80 became U+FF80..U+FFFF.
func javaBytesAsChars(b []byte) []byte {
	out := make([]byte, 0, len(b)*3)
	for _, c := range b {
		if c < 0x80 {
			out = append(out, c)
			continue
		}
		out = append(out, 0xEF, 0xBC|((c>>6)&0x3F), 0x80|(c&0x3F))
	}
	return out
}

func unpad(b []byte) ([]byte, bool) {
	if len(b) == 0 || len(b)%aes.BlockSize != 0 {
		return nil, false
	}
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize || n > len(b) {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}

// unlockMasterKey derives the user key, opens the master key blob and checks
// its checksum. Both checksum derivations are tried because backups written
// by old and new Android versions carry the same version number in the wild.
func unlockMasterKey(h Header, password string) (iv, key []byte, err error) {
	userKey, err := pbkdf2.Key(sha1.New, password, h.UserSalt, h.Rounds, 32)
	if err != nil {
		return nil, nil, err
	}
	blk, _ := aes.NewCipher(userKey)
	plain := make([]byte, len(h.MasterBlob))
	cipher.NewCBCDecrypter(blk, h.UserIV).CryptBlocks(plain, h.MasterBlob)
	plain, ok := unpad(plain)
	if !ok {
		return nil, nil, ErrWrongPassword
	}
	fields := make([][]byte, 0, 3)
	for i := 0; i < 3; i++ {
		if len(plain) < 1 || int(plain[0]) > len(plain)-1 {
			return nil, nil, ErrWrongPassword
		}
		n := int(plain[0])
		fields = append(fields, plain[1:1+n])
		plain = plain[1+n:]
	}
	iv, key, sum := fields[0], fields[1], fields[2]
	if len(iv) != aes.BlockSize || len(key) != 32 {
		return nil, nil, ErrWrongPassword
	}
	for _, mk := range [][]byte{javaBytesAsChars(key), key} {
		got, err := pbkdf2.Key(sha1.New, string(mk), h.ChecksumSalt, h.Rounds, 32)
		if err == nil && subtle.ConstantTimeCompare(got, sum) == 1 {
			return iv, key, nil
		}
	}
	return nil, nil, ErrWrongPassword
}

// cbcReader decrypts an AES-CBC stream, holding back the last block until
// EOF so the PKCS#7 padding can be removed.
type cbcReader struct {
	src  io.Reader
	mode cipher.BlockMode
	in   []byte // ciphertext read, not yet decrypted
	out  []byte // plaintext ready
	held []byte // last decrypted block, may be padding
	read int64
	err  error
}

func newCBCReader(r io.Reader, key, iv []byte) (io.Reader, error) {
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &cbcReader{src: r, mode: cipher.NewCBCDecrypter(blk, iv), in: make([]byte, 0, 64<<10)}, nil
}

func (c *cbcReader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.fill()
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

func (c *cbcReader) fill() {
	buf := c.in[len(c.in):cap(c.in)]
	n, err := io.ReadAtLeast(c.src, buf, aes.BlockSize)
	c.read += int64(n)
	c.in = c.in[:len(c.in)+n]
	whole := len(c.in) / aes.BlockSize * aes.BlockSize
	if whole > 0 {
		dec := make([]byte, whole)
		c.mode.CryptBlocks(dec, c.in[:whole])
		rest := copy(c.in, c.in[whole:])
		c.in = c.in[:rest]
		c.out = append(c.held, dec[:whole-aes.BlockSize]...)
		c.held = append([]byte(nil), dec[whole-aes.BlockSize:]...)
	}
	if err == nil {
		return
	}
	if err != io.EOF && err != io.ErrUnexpectedEOF {
		c.err = err
		return
	}
	if len(c.in) != 0 {
		c.err = fmt.Errorf("encrypted payload truncated after %d bytes (not a whole AES block)", c.read)
		return
	}
	last, ok := unpad(c.held)
	c.held = nil
	if !ok {
		c.err = fmt.Errorf("encrypted payload ends without valid padding after %d bytes (truncated or corrupt)", c.read)
		c.out = append(c.out, last...)
		return
	}
	c.out = append(c.out, last...)
	c.err = io.EOF
}

// Encrypt writes an encrypted backup; tests and fixtures use it, never the
// reader. plain is the (possibly compressed) payload.
func Encrypt(w io.Writer, plain []byte, password string, version int, compressed bool, rounds int, rnd io.Reader) error {
	read := func(n int) ([]byte, error) {
		b := make([]byte, n)
		_, err := io.ReadFull(rnd, b)
		return b, err
	}
	userSalt, err := read(64)
	if err != nil {
		return err
	}
	ckSalt, _ := read(64)
	userIV, _ := read(16)
	mIV, _ := read(16)
	mKey, _ := read(32)
	mk := mKey
	if version >= 2 {
		mk = javaBytesAsChars(mKey)
	}
	sum, _ := pbkdf2.Key(sha1.New, string(mk), ckSalt, rounds, 32)
	var blob bytes.Buffer
	for _, f := range [][]byte{mIV, mKey, sum} {
		blob.WriteByte(byte(len(f)))
		blob.Write(f)
	}
	userKey, _ := pbkdf2.Key(sha1.New, password, userSalt, rounds, 32)
	encBlob := cbcEncrypt(userKey, userIV, blob.Bytes())
	comp := "0"
	if compressed {
		comp = "1"
	}
	fmt.Fprintf(w, "%s\n%d\n%s\nAES-256\n%X\n%X\n%d\n%X\n%X\n", magic, version, comp,
		userSalt, ckSalt, rounds, userIV, encBlob)
	_, err = w.Write(cbcEncrypt(mKey, mIV, plain))
	return err
}

func cbcEncrypt(key, iv, plain []byte) []byte {
	n := aes.BlockSize - len(plain)%aes.BlockSize
	padded := append(append([]byte(nil), plain...), bytes.Repeat([]byte{byte(n)}, n)...)
	blk, _ := aes.NewCipher(key)
	out := make([]byte, len(padded))
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(out, padded)
	return out
}
