package iosbackup

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"io"

	"github.com/huella-project/huella/internal/crypto/keywrap"
	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

const chunk = 1 << 20

// decryptCBC streams AES-CBC with a zero IV (how iOS backups encrypt) and
// returns the plaintext length and its last block, for padding checks.
func decryptCBC(key []byte, r io.Reader, w io.Writer) (int64, []byte, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return 0, nil, err
	}
	dec := cipher.NewCBCDecrypter(b, make([]byte, aes.BlockSize))
	buf := make([]byte, chunk)
	var total int64
	last := make([]byte, 0, aes.BlockSize)
	for {
		n, rerr := io.ReadFull(r, buf)
		if n%aes.BlockSize != 0 {
			if rerr == nil {
				return total, nil, fmt.Errorf("read split a block")
			}
			return total, nil, fmt.Errorf("ciphertext is not a whole number of AES blocks (%d bytes past the last)", n%aes.BlockSize)
		}
		if n > 0 {
			dec.CryptBlocks(buf[:n], buf[:n])
			if _, err := w.Write(buf[:n]); err != nil {
				return total, nil, err
			}
			total += int64(n)
			last = append(last[:0], buf[n-aes.BlockSize:n]...)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			return total, last, nil
		}
		if rerr != nil {
			return total, nil, rerr
		}
	}
}

// plainSize decides how long a decrypted file is. Files are PKCS#7 padded
// and the metadata records the real size; when the two disagree the caller
// notes it rather than trusting either silently.
func plainSize(total int64, last []byte, want int64) (int64, string) {
	unpadded := int64(-1)
	if n := len(last); n == aes.BlockSize {
		p := int(last[n-1])
		if p >= 1 && p <= aes.BlockSize {
			ok := true
			for _, c := range last[n-p:] {
				ok = ok && int(c) == p
			}
			if ok {
				unpadded = total - int64(p)
			}
		}
	}
	switch {
	case unpadded == want:
		return want, ""
	case want >= 0 && want <= total:
		if unpadded < 0 {
			return want, fmt.Sprintf("no valid PKCS#7 padding; cut %d decrypted bytes to the %d the manifest records", total, want)
		}
		return want, fmt.Sprintf("padding gives %d bytes but the manifest records %d; kept %d", unpadded, want, want)
	case unpadded >= 0:
		return unpadded, fmt.Sprintf("manifest records %d bytes but only %d were stored", want, unpadded)
	}
	return total, fmt.Sprintf("manifest records %d bytes but only %d were stored (no valid padding)", want, total)
}

// truncWriter is where a decrypted file goes: a private temporary file or,
// for decrypt-backup, the user's destination.
type truncWriter interface {
	io.Writer
	Truncate(size int64) error
}

// decryptFile writes the plaintext of an encrypted backup file to out and
// returns a note when its size disagreed with the manifest.
func decryptFile(classKeys map[uint32][]byte, e *FileEntry, in io.Reader, out truncWriter) (string, error) {
	ck, ok := classKeys[uint32(e.ProtectionClass)]
	if !ok {
		return "", fmt.Errorf("no key for protection class %d", e.ProtectionClass)
	}
	k, err := keywrap.Unwrap(ck, e.wrappedKey)
	if err != nil {
		return "", fmt.Errorf("unwrap file key: %w", err)
	}
	total, last, err := decryptCBC(k, in, out)
	if err != nil {
		return "", err
	}
	size, note := plainSize(total, last, e.Size)
	if err := out.Truncate(size); err != nil {
		return "", err
	}
	return note, nil
}

// decryptManifestDB decrypts the backup's Manifest.db with the ManifestKey
// (4-byte little-endian class, then the wrapped key) into the private
// folder, within the run's disk budget, and returns the plaintext's path.
// SQLite files are a whole number of pages, so no padding is removed.
func decryptManifestDB(ctx context.Context, classKeys map[uint32][]byte, manifestKey []byte, root evfile.Dir, tmp *scratch.Dir) (string, error) {
	if len(manifestKey) != 4+40 {
		return "", fmt.Errorf("ManifestKey is %d bytes, want 44", len(manifestKey))
	}
	class := uint32(manifestKey[0]) | uint32(manifestKey[1])<<8 | uint32(manifestKey[2])<<16 | uint32(manifestKey[3])<<24
	ck, ok := classKeys[class]
	if !ok {
		return "", fmt.Errorf("no key for the manifest's protection class %d", class)
	}
	k, err := keywrap.Unwrap(ck, manifestKey[4:])
	if err != nil {
		return "", fmt.Errorf("unwrap manifest key: %w", err)
	}
	// Opened like any evidence file: a named pipe called Manifest.db is
	// refused at once instead of blocking the open.
	in, err := evfile.Open(root, "Manifest.db", evfile.Database)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := tmp.Create("Manifest.db", "decrypted Manifest.db", in.Info.Size())
	if err != nil {
		return "", err
	}
	if _, _, err := decryptCBC(k, evfile.WithContext(ctx, in), out); err != nil {
		out.Close()
		return "", fmt.Errorf("Manifest.db: %w", err)
	}
	if err := out.Close(); err != nil {
		return "", err
	}
	return tmp.Join("Manifest.db"), nil
}
