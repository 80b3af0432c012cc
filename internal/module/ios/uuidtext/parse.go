package uuidtext

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
)

// Magic opens every uuidtext file (little-endian 0x66778899).
const Magic = 0x66778899

// maxPath bounds the footer path: a real one is a binary's path.
const maxPath = 4096

// Footer returns the path of the binary a uuidtext file describes. The
// file (libyal's "Apple Unified Logging and Activity Tracing formats"
// describes it) is a 16-byte header (magic, major and minor version, the
// number of entries, each uint32 little-endian), one 8-byte descriptor per
// entry (offset, size), the entries' format strings (the sizes summed),
// then a footer: the binary's path, NUL-terminated. Every size is checked
// against the file's length before it is used.
func Footer(b []byte) (string, error) {
	if len(b) < 16 {
		return "", errors.New("shorter than a uuidtext header")
	}
	if binary.LittleEndian.Uint32(b) != Magic {
		return "", fmt.Errorf("not a uuidtext file (magic %#x)", binary.LittleEndian.Uint32(b))
	}
	n := uint64(binary.LittleEndian.Uint32(b[12:]))
	rest := uint64(len(b) - 16)
	if n > rest/8 {
		return "", fmt.Errorf("declares %d entries, the file holds at most %d", n, rest/8)
	}
	off := 16 + 8*n
	var sum uint64
	for i := uint64(0); i < n; i++ {
		sum += uint64(binary.LittleEndian.Uint32(b[16+8*i+4:]))
		if sum > uint64(len(b)) {
			return "", errors.New("its entries are larger than the file")
		}
	}
	start := off + sum
	if start >= uint64(len(b)) {
		return "", errors.New("no footer after the entries")
	}
	foot := b[start:]
	if i := bytes.IndexByte(foot, 0); i >= 0 {
		foot = foot[:i]
	}
	if len(foot) == 0 || len(foot) > maxPath || !utf8.Valid(foot) || foot[0] != '/' {
		return "", errors.New("the footer is not a path")
	}
	return string(foot), nil
}

// Build writes a uuidtext file holding format strings and the footer path
// (tests and sample generation).
func Build(path string, formats ...string) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, Magic)
	b = binary.LittleEndian.AppendUint32(b, 2)
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(formats)))
	at := uint32(0x1000)
	for _, f := range formats {
		b = binary.LittleEndian.AppendUint32(b, at)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f)+1))
		at += uint32(len(f) + 1)
	}
	for _, f := range formats {
		b = append(append(b, f...), 0)
	}
	return append(append(b, path...), 0)
}

// Binary is one uuidtext file.
type Binary struct {
	UUID string `json:"uuid"`
	Path string `json:"path"`
	File string `json:"file"`
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Evidence.Glob(Paths...)
	if len(found) == 0 {
		return module.Absent("uuidtext files in system_logs.logarchive")
	}
	if len(found) > maxFiles {
		sysdiag.NotKept(env, "uuidtext files", maxFiles, len(found)-maxFiles)
		found = found[:maxFiles]
	}
	flag := sysdiag.NewFlagger(env)
	bad := 0
	for i, name := range found {
		if i%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		env.Find(name)
		b, err := env.ReadFile(name, limit)
		if err != nil {
			env.Unreadable(name, err)
			continue
		}
		p, err := Footer(b)
		if err != nil {
			// A file the log archive would not hold: counted, and a gap
			// for the first few so the verdict knows.
			bad++
			if bad <= 20 {
				env.Unreadable(name, err)
			}
			continue
		}
		dir, file := path.Split(name)
		u := strings.ToUpper(path.Base(dir) + file)
		r := &model.Record{Source: name, Data: &Binary{UUID: u, Path: p, File: name},
			Summary: fmt.Sprintf("Binary %s wrote to the unified log (UUID %s)", p, u)}
		sysdiag.AddProcess(r, "", p, "footer")
		env.Emit(r)
		flag.Check(p, name, r)
	}
	if bad > 20 {
		env.Warn("%d files in the log archive's uuidtext folders were not uuidtext files", bad)
	}
	return nil
}
