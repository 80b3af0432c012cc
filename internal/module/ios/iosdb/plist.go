package iosdb

import (
	"fmt"

	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/source/evfile"
)

// MaxPlistBytes bounds a preference plist read from evidence.
const MaxPlistBytes = 64 << 20

// ReadFile reads an evidence file through the bounded reader, refusing
// (before reading) files larger than max.
func ReadFile(env *module.Env, name string, max int64) ([]byte, error) {
	return env.ReadFile(name, evfile.Limit{Kind: "file", Max: max})
}

// PlistDict reads and decodes a plist whose top level is a dictionary, with
// plistx's bounds; errors name the file.
func PlistDict(env *module.Env, name string) (map[string]any, error) {
	b, err := env.ReadFile(name, evfile.Plist)
	if err != nil {
		return nil, err
	}
	d, err := plistx.DecodeDict(b, plistx.Limits{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}
