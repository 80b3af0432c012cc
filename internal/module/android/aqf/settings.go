package aqf

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/huella-project/huella/internal/heuristics/android"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
)

// Setting is one "key=value" line of "cmd settings list <namespace>".
type Setting struct {
	Namespace string `json:"namespace"`
	Key       string `json:"key"`
	Value     string `json:"value"`
}

const maxSettings = 100_000

// ParseSettings reads one settings file.
func ParseSettings(namespace string, b []byte) ([]Setting, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []Setting
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimRight(sc.Text(), "\r"), "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		if len(out) >= maxSettings {
			return out, fmt.Errorf("more than %d settings; stopped", maxSettings)
		}
		out = append(out, Setting{Namespace: namespace, Key: k, Value: v})
	}
	return out, sc.Err()
}

func runSettings(ctx context.Context, env *module.Env) error {
	files := env.Find("settings_*.txt")
	if len(files) == 0 {
		return module.Absent("settings_*.txt")
	}
	for _, name := range files {
		b, _, err := readAll(env, name)
		if err != nil {
			env.Warn("%v", err)
			continue
		}
		base := strings.TrimSuffix(path.Base(name), ".txt")
		ns := base[strings.LastIndex(base, "_")+1:]
		settings, err := ParseSettings(ns, b)
		if err != nil {
			env.Warn("%s: %v", name, err)
		}
		for i := range settings {
			s := &settings[i]
			r := &model.Record{Source: name, Summary: fmt.Sprintf("Setting %s/%s = %s", ns, s.Key, s.Value), Data: s}
			env.Emit(r)
			detect(env, android.DangerousSetting(ns, s.Key, s.Value), r)
		}
	}
	return nil
}
