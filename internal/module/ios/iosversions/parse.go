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
	var vs []*Version
	err := module.EachFile("Analytics-Journal-*.ips", Paths, func(_ context.Context, env *module.Env, name string) error {
		v, err := read(env.Evidence, name)
		if err == nil {
			vs = append(vs, v)
		}
		return err
	})(ctx, env)
	if errors.Is(err, module.ErrAbsent) || ctx.Err() != nil {
		return err
	}
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Time.Before(vs[j].Time) })
	prev := ""
	for _, v := range vs {
		r := &model.Record{Source: v.File, Data: v, Summary: "iOS version " + v.OSVersion}
		if prev != "" && prev != v.OSVersion {
			r.Summary = fmt.Sprintf("iOS version %s (was %s)", v.OSVersion, prev)
		}
		prev = v.OSVersion
		r.StampChecked(v.Time, v.TimeErr(), "ios_version")
		env.Emit(r)
	}
	return err
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
