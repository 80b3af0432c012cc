package iosversions

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/crashreports"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/evfile"
)

// Version is one journal's version and date.
type Version struct {
	File string `json:"file"`
	crashreports.Header
}

func run(ctx context.Context, env *module.Env) error {
	found := env.Find(Paths...)
	if len(found) == 0 {
		return module.Absent("Analytics-Journal-*.ips")
	}
	var vs []*Version
	var errs []error
	for _, name := range found {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		v, err := read(env.Evidence, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		vs = append(vs, v)
	}
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Time.Before(vs[j].Time) })
	prev := ""
	for _, v := range vs {
		r := &model.Record{Source: v.File, Data: v, Summary: "iOS version " + v.OSVersion}
		if prev != "" && prev != v.OSVersion {
			r.Summary = fmt.Sprintf("iOS version %s (was %s)", v.OSVersion, prev)
		}
		prev = v.OSVersion
		r.Stamp(v.Time, "ios_version")
		env.Emit(r)
	}
	return errors.Join(errs...)
}

func read(ev *source.Evidence, name string) (*Version, error) {
	f, err := ev.Open(name, evfile.Stream)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	line, err := bufio.NewReader(io.LimitReader(f, 64<<10)).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	h, err := crashreports.ParseHeader(line)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if h.OSVersion == "" {
		return nil, fmt.Errorf("%s: header has no os_version", name)
	}
	return &Version{File: name, Header: h}, nil
}
