package iosdb

import (
	"fmt"
	"io"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/plistx"
)

// MaxPlistBytes bounds a preference plist read from evidence.
const MaxPlistBytes = 64 << 20

// ReadFile reads an evidence file, refusing files larger than max.
func ReadFile(env *module.Env, name string, max int64) ([]byte, error) {
	f, err := env.Evidence.FS.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes, refused", name, max)
	}
	return b, nil
}

// PlistDict reads and decodes a plist whose top level is a dictionary, with
// plistx's bounds; errors name the file.
func PlistDict(env *module.Env, name string) (map[string]any, error) {
	b, err := ReadFile(env, name, MaxPlistBytes)
	if err != nil {
		return nil, err
	}
	d, err := plistx.DecodeDict(b, plistx.Limits{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}
