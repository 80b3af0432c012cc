// Package uuidtext is the ios.uuidtext module: the uuidtext files of the
// sysdiagnose's log archive (system_logs.logarchive/XX/YYYY..., named by a
// binary's UUID). Every binary that ever wrote to the unified log has one,
// and its footer gives the binary's path, so the list is a record of what
// ran on the phone over the log's life, readable without decoding the
// binary logs.
package uuidtext

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Patterns: the two-character folders of the log archive hold only
// uuidtext files (the others are named Persist, Special, dsc, timesync...).
var Patterns = []string{"system_logs.logarchive/??/*", "**/system_logs.logarchive/??/*"}

var limit = evfile.Limit{Kind: "uuidtext file", Max: 64 << 20}

// maxFiles bounds the records of hostile evidence full of tiny files.
const maxFiles = 200_000

// Def is the ios.uuidtext module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.uuidtext",
		Description: "Binaries that wrote to the unified log, from the footers of the log archive's uuidtext files.",
		Kinds:       []source.Kind{source.IOSSysdiagnose},
		Paths:       Patterns,
		Run:         run,
	}
}

// Binary is one uuidtext file.
type Binary struct {
	UUID string `json:"uuid"`
	Path string `json:"path"`
	File string `json:"file"`
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Evidence.Glob(Patterns...)
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
