package aqf

import (
	"bytes"
	"context"
	"fmt"

	"github.com/huella-project/huella/internal/heuristics/android"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source/androidqf"
)

func runGetprop(ctx context.Context, env *module.Env) error {
	b, name, err := readAll(env, "getprop.txt")
	if err != nil {
		return err
	}
	props, err := androidqf.ParseGetprop(bytes.NewReader(b))
	if err != nil {
		env.Warn("%s: %v", name, err)
	}
	ref, known := acquired(env)
	for i := range props {
		p := &props[i]
		r := &model.Record{Source: name, Summary: fmt.Sprintf("Property %s = %s", p.Name, p.Value), Data: p}
		r.Add(model.KindAndroidProperty, p.Name, "name")
		env.Emit(r)
		if p.Name != "ro.build.version.security_patch" {
			continue
		}
		if d := android.SecurityPatchAge(p.Value, ref); d != nil {
			if !known {
				*d = d.With("measured_today")
			}
			detect(env, d, r)
		}
	}
	return nil
}
