package sysdiag

import (
	"path"
	"strings"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
)

// AddProcess gives a record the observables of a process the archive names:
// its name (process indicators) and, for an absolute path, the path (file
// path indicators and the staging-folder rules). field says where in the
// record the value came from.
func AddProcess(r *model.Record, name, exePath, field string) {
	if exePath != "" && strings.HasPrefix(exePath, "/") {
		r.Add(model.KindFilePath, exePath, field)
		if name == "" {
			name = path.Base(exePath)
		}
	}
	r.Add(model.KindProcess, name, field)
}

// Flagger reports the staging-folder and unusual-folder rules
// (ios.process.unusual_path) once per path and module, however many
// records name it.
type Flagger struct {
	// Field names where the record holds the path ("path" unless set):
	// the finding's observable says it.
	Field   string
	env     *module.Env
	flagged map[string]bool
}

// NewFlagger returns a Flagger reporting through env.
func NewFlagger(env *module.Env) *Flagger {
	return &Flagger{Field: "path", env: env, flagged: map[string]bool{}}
}

// Check judges one executable path seen in artifact, about record r.
func (f *Flagger) Check(exePath, artifact string, r *model.Record) {
	if exePath == "" || f.flagged[exePath] {
		return
	}
	fd := ios.UnusualProcess(exePath, artifact)
	if fd == nil {
		return
	}
	f.flagged[exePath] = true
	d := fd.Detection(r)
	d.Observable = &model.Observable{Kind: model.KindFilePath, Value: exePath, Field: f.Field}
	f.env.Detect(d)
}
