package samplegen

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"os"

	"github.com/huella-project/huella/internal/crypto/keywrap"
)

// Key derivation counts of generated encrypted backups. Real devices use
// DPIC 10,000,000 and ITER 10,000; tests and the demo keep it small.
const (
	testDPIC   = 1000
	RealDPIC   = 10_000_000
	backupIter = 10_000
)

// encryptor holds the keys of one encrypted backup. They come from a
// seeded generator: this is synthetic evidence, and a fixed seed must give
// the same corpus.
type encryptor struct {
	rnd       *rand.ChaCha8
	classKeys map[uint32][]byte
	keybag    []byte
}

func (e *encryptor) random(n int) []byte {
	b := make([]byte, n)
	e.rnd.Read(b)
	return b
}

func tlv(tag string, v []byte) []byte {
	out := binary.BigEndian.AppendUint32([]byte(tag), uint32(len(v)))
	return append(out, v...)
}

func u32(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

func newEncryptor(seed int64, password string, dpic int) (*encryptor, error) {
	if dpic <= 0 {
		dpic = testDPIC
	}
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], uint64(seed))
	copy(s[8:], "huella-samplegen-keys")
	e := &encryptor{rnd: rand.NewChaCha8(s), classKeys: map[uint32][]byte{}}
	salt, dpsl := e.random(20), e.random(20)
	tmp, err := pbkdf2.Key(sha256.New, password, dpsl, dpic, 32)
	if err != nil {
		return nil, err
	}
	key, err := pbkdf2.Key(sha1.New, string(tmp), salt, backupIter, 32)
	if err != nil {
		return nil, err
	}
	kb := append(tlv("VERS", u32(5)), tlv("TYPE", u32(1))...)
	for _, f := range [][]byte{tlv("UUID", e.random(16)), tlv("HMCK", e.random(40)), tlv("WRAP", u32(0)),
		tlv("SALT", salt), tlv("ITER", u32(backupIter)), tlv("DPWT", u32(1)), tlv("DPIC", u32(uint32(dpic))), tlv("DPSL", dpsl)} {
		kb = append(kb, f...)
	}
	for c := uint32(1); c <= 11; c++ {
		ck := e.random(32)
		w, err := keywrap.Wrap(key, ck)
		if err != nil {
			return nil, err
		}
		e.classKeys[c] = ck
		for _, f := range [][]byte{tlv("UUID", e.random(16)), tlv("CLAS", u32(c)), tlv("WRAP", u32(3)), tlv("KTYP", u32(0)), tlv("WPKY", w)} {
			kb = append(kb, f...)
		}
	}
	e.keybag = kb
	return e, nil
}

// encryptFile writes src to dst in AES-256-CBC (zero IV, PKCS#7) under a
// fresh file key, and returns that key wrapped with the class key, behind
// its 4-byte little-endian class, as MBFile.EncryptionKey holds it.
func (e *encryptor) encryptFile(src, dst string, class uint32) ([]byte, error) {
	fileKey := e.random(32)
	w, err := keywrap.Wrap(e.classKeys[class], fileKey)
	if err != nil {
		return nil, err
	}
	in, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return nil, err
	}
	block, _ := aes.NewCipher(fileKey)
	cbc := cipher.NewCBCEncrypter(block, make([]byte, aes.BlockSize))
	bw := bufio.NewWriterSize(out, 1<<20)
	buf := make([]byte, 1<<20)
	for {
		n, rerr := io.ReadFull(in, buf)
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			// Last chunk: pad to a whole block (a full block of padding when aligned).
			p := aes.BlockSize - n%aes.BlockSize
			chunk := buf[:n]
			for range p {
				chunk = append(chunk, byte(p))
			}
			cbc.CryptBlocks(chunk, chunk)
			bw.Write(chunk)
			break
		}
		if rerr != nil {
			out.Close()
			return nil, rerr
		}
		cbc.CryptBlocks(buf, buf)
		bw.Write(buf)
	}
	if err := errors.Join(bw.Flush(), out.Close()); err != nil {
		return nil, err
	}
	return append(binary.LittleEndian.AppendUint32(nil, class), w...), nil
}

// encryptManifest encrypts Manifest.db with a class-4 key and returns
// Manifest.plist's ManifestKey.
func (e *encryptor) encryptManifest(src, dst string) ([]byte, error) {
	return e.encryptFile(src, dst, 4)
}
