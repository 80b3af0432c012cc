package aqf

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/source/evfile"
)

// maxJSON bounds a JSON artifact read whole; files.json of a full phone is
// tens of MB, so it is streamed instead (see files.go).
var maxJSON = evfile.JSON

// open returns the first file found among names for streaming, or
// ErrAbsent.
func open(env *module.Env, names ...string) (fs.File, string, error) {
	found := env.Find(names...)
	if len(found) == 0 {
		return nil, "", module.Absent(fmt.Sprint(names))
	}
	f, err := env.Open(found[0], evfile.Stream)
	if err != nil {
		return nil, found[0], err
	}
	return f, found[0], nil
}

// readAll reads the first file found among names whole, within maxJSON
// (text files within evfile.Text).
func readAll(env *module.Env, names ...string) ([]byte, string, error) {
	found := env.Find(names...)
	if len(found) == 0 {
		return nil, "", module.Absent(fmt.Sprint(names))
	}
	lim := maxJSON
	if strings.HasSuffix(found[0], ".txt") {
		// Text (getprop, ps, settings) may have been saved through a
		// Windows shell: the text limit decodes UTF-16.
		lim = evfile.Text
	}
	b, err := env.ReadFile(found[0], lim)
	return b, found[0], err
}

// readList reads a file that is one JSON list of strings (what says of
// what, for the error).
func readList(env *module.Env, file, what string) ([]string, string, error) {
	b, name, err := readAll(env, file)
	if err != nil {
		return nil, name, err
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, name, fmt.Errorf("%s: not a JSON list of %s: %w", name, what, err)
	}
	return list, name, nil
}

func detect(env *module.Env, f *rules.Finding, r *model.Record) { env.Report(f, r) }

// acquired is the reference time for age checks: the acquisition date, else
// now (said in the reason by the caller).
func acquired(env *module.Env) (time.Time, bool) {
	if a := env.Evidence.Device.Acquired; a != nil && !a.IsZero() {
		return *a, true
	}
	return time.Now(), false
}
