package fsdump

import (
	"fmt"
	"strings"

	"github.com/huella-project/huella/internal/source/archive"
)

// maxDepth bounds the folders in one path: iPhone paths stay under 40;
// a crafted archive of a 30,000-level path must not make every walk
// recurse that deep.
const maxDepth = 256

// cleanName turns an archive entry's name into a clean path inside the
// container ("." for its root), or says why it is refused. A leading "/"
// or "./" is removed (archive.EntryName: GNU tar's convention); ".." and
// the other unsafe names are refused.
func cleanName(raw string) (string, error) {
	clean, err := archive.EntryName(raw)
	if err != nil {
		return "", err
	}
	if strings.Count(clean, "/") >= maxDepth {
		return "", fmt.Errorf("more than %d folders deep", maxDepth)
	}
	return clean, nil
}
