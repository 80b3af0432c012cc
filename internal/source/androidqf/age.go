package androidqf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"

	"github.com/huella-project/huella/internal/source/evfile"
	"github.com/huella-project/huella/internal/source/scratch"
)

const ageMagic = "age-encryption.org/v1"

var (
	// ErrIdentityNeeded: the acquisition is age-encrypted and no identity
	// file was given.
	ErrIdentityNeeded = errors.New("the acquisition is encrypted with age: an identity file (private key) is needed")
	// ErrWrongIdentity: none of the given identities opens the file.
	ErrWrongIdentity = errors.New("the age identity does not match this acquisition")
)

// decryptAge writes the plaintext zip into the private folder and returns
// its path. The ciphertext's size is reserved from the run's disk budget
// first: age's plaintext is never longer.
func decryptAge(ctx context.Context, p, identityFile string, tmp *scratch.Dir) (string, error) {
	if identityFile == "" {
		return "", fmt.Errorf("%s: %w", p, ErrIdentityNeeded)
	}
	idf, err := os.Open(identityFile)
	if err != nil {
		return "", err
	}
	ids, err := age.ParseIdentities(io.LimitReader(idf, 1<<20))
	idf.Close()
	if err != nil {
		return "", fmt.Errorf("%s: not an age identity file: %w", identityFile, err)
	}
	in, err := evfile.Open(evfile.Dir(filepath.Dir(p)), filepath.Base(p), evfile.Stream)
	if err != nil {
		return "", err
	}
	defer in.Close()
	r, err := age.Decrypt(in, ids...)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return "", fmt.Errorf("%s: %w", p, ErrWrongIdentity)
		}
		return "", fmt.Errorf("%s: cannot decrypt: %w", p, err)
	}
	dst, err := tmp.CopyIn("acquisition.zip", "decrypting "+filepath.Base(p), evfile.WithContext(ctx, r), in.Info.Size())
	if err != nil {
		return "", fmt.Errorf("%s: decryption failed part way (file damaged?): %w", p, err)
	}
	return dst, nil
}
