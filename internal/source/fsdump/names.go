package fsdump

import (
	"fmt"
	"strings"
	"unicode/utf8"

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

// cleanNameBytes is cleanName without an allocation for the names real
// archives hold (already clean once a leading "/" or "./" and a trailing
// "/" are cut): it returns a slice of raw. Anything else takes cleanName.
func cleanNameBytes(raw []byte) ([]byte, error) {
	p := raw
	for {
		switch {
		case len(p) > 0 && p[0] == '/':
			p = p[1:]
			continue
		case len(p) > 1 && p[0] == '.' && p[1] == '/':
			p = p[2:]
			continue
		}
		break
	}
	if len(p) > 0 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	if fastClean(p) {
		return p, nil
	}
	clean, err := cleanName(string(raw))
	if err != nil {
		return nil, err
	}
	return []byte(clean), nil
}

// fastClean says whether p is a clean relative path with nothing
// cleanName would refuse or change.
func fastClean(p []byte) bool {
	if len(p) == 0 || len(p) >= 2 && p[1] == ':' || !utf8.Valid(p) {
		return false
	}
	depth, seg := 0, 0
	for i := 0; i <= len(p); i++ {
		if i < len(p) {
			switch c := p[i]; c {
			case 0, '\\':
				return false
			case '/':
			default:
				continue
			}
		}
		// End of a segment: p[seg:i].
		s := p[seg:i]
		if len(s) == 0 || len(s) == 1 && s[0] == '.' || len(s) == 2 && s[0] == '.' && s[1] == '.' {
			return false
		}
		if depth++; depth > maxDepth {
			return false
		}
		seg = i + 1
	}
	return true
}
