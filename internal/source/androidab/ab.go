// Package androidab reads Android "adb backup" files (.ab): a short text
// header, an optional AES-256 layer keyed by the user's password, an optional
// zlib layer, then a POSIX tar of "apps/<package>/..." entries.
package androidab

import (
	"bufio"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const magic = "ANDROID BACKUP"

var (
	// ErrNotBackup: the file does not start with the .ab header.
	ErrNotBackup = errors.New("not an Android backup (.ab) file")
	// ErrPasswordNeeded: the backup is encrypted and no password was given.
	ErrPasswordNeeded = errors.New("the Android backup is encrypted: a password is needed")
	// ErrWrongPassword: the master-key checksum did not verify.
	ErrWrongPassword = errors.New("wrong Android backup password")
)

// maxRounds bounds PBKDF2 work: Android writes 10000, and a forged header
// must not make opening a file take hours.
const maxRounds = 1_000_000

// maxHeaderLine bounds each header line; the longest real one is the
// master-key blob, 192 hex characters.
const maxHeaderLine = 4096

// Header is the clear-text start of a backup.
type Header struct {
	Version    int
	Compressed bool
	Encryption string // "none" or "AES-256"

	// Set when Encryption is AES-256.
	UserSalt     []byte
	ChecksumSalt []byte
	Rounds       int
	UserIV       []byte
	MasterBlob   []byte
}

// Backup is an opened backup: its header and the decrypted, decompressed tar
// stream.
type Backup struct {
	Header Header
	Tar    io.Reader
	closer io.Closer
}

// Close releases the zlib reader.
func (b *Backup) Close() error {
	if b.closer != nil {
		return b.closer.Close()
	}
	return nil
}

// Parse reads the header from r and returns the tar stream behind it. The
// password is only used for encrypted backups.
func Parse(r io.Reader, password string) (*Backup, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	h, err := ReadHeader(br)
	if err != nil {
		return nil, err
	}
	var payload io.Reader = br
	if h.Encryption == "AES-256" {
		if password == "" {
			return nil, ErrPasswordNeeded
		}
		iv, key, err := unlockMasterKey(h, password)
		if err != nil {
			return nil, err
		}
		payload, err = newCBCReader(br, key, iv)
		if err != nil {
			return nil, err
		}
	}
	b := &Backup{Header: h, Tar: payload}
	if h.Compressed {
		zr, err := zlib.NewReader(payload)
		if err != nil {
			return nil, fmt.Errorf("cannot decompress the backup (zlib header): %w", err)
		}
		b.Tar, b.closer = zr, zr
	}
	return b, nil
}

func readLine(br *bufio.Reader, what string) (string, error) {
	var sb strings.Builder
	for {
		frag, err := br.ReadSlice('\n')
		sb.Write(frag)
		if sb.Len() > maxHeaderLine {
			return "", fmt.Errorf("backup header: %s line longer than %d bytes", what, maxHeaderLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF {
				return "", fmt.Errorf("backup header truncated before the %s line", what)
			}
			return "", err
		}
		return strings.TrimRight(sb.String(), "\r\n"), nil
	}
}

// ReadHeader reads the clear-text header lines and leaves br at the payload.
func ReadHeader(br *bufio.Reader) (Header, error) {
	var h Header
	first, err := readLine(br, "magic")
	if err != nil || first != magic {
		return h, ErrNotBackup
	}
	v, err := readLine(br, "version")
	if err != nil {
		return h, err
	}
	h.Version, err = strconv.Atoi(v)
	if err != nil || h.Version < 1 || h.Version > 5 {
		return h, fmt.Errorf("backup header: unsupported version %q (1 to 5 exist)", v)
	}
	c, err := readLine(br, "compression")
	if err != nil {
		return h, err
	}
	switch c {
	case "0":
	case "1":
		h.Compressed = true
	default:
		return h, fmt.Errorf("backup header: compression flag %q is neither 0 nor 1", c)
	}
	h.Encryption, err = readLine(br, "encryption")
	if err != nil {
		return h, err
	}
	switch h.Encryption {
	case "none":
		return h, nil
	case "AES-256":
	default:
		return h, fmt.Errorf("backup header: encryption %q is not supported", h.Encryption)
	}
	if err := readCryptoHeader(br, &h); err != nil {
		return h, fmt.Errorf("invalid encrypted backup header: %w", err)
	}
	return h, nil
}
