package dumpsys

import (
	"context"
	"errors"
	"fmt"
	"io"

	ds "github.com/huella-project/huella/internal/android/dumpsys"
	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
)

// adbKeyFiles are copies of the phone's trusted-key list a bugreport or an
// acquisition may hold.
var adbKeyFiles = []string{"**/adb_keys"}

// ADBKeys lists the computers trusted for USB debugging, from the adb
// section and from adb_keys files.
func ADBKeys() module.Module {
	return simple{"android.adb_keys", "Computers trusted for USB debugging (dumpsys adb, adb_keys), with key fingerprints.", runADBKeys}
}

func runADBKeys(ctx context.Context, env *module.Env) error {
	var keys []ds.ADBKey
	var sources []string
	d, name, err := Load(ctx, env, "adb")
	if err != nil && !errors.Is(err, module.ErrAbsent) {
		return err
	}
	if d != nil {
		if body, ok := d.Service("adb"); ok {
			for _, k := range ds.ParseADB([]byte(body)) {
				keys = append(keys, k)
				sources = append(sources, name)
			}
		}
	}
	for _, f := range env.Find(adbKeyFiles...) {
		b, err := readCapped(env, f, 1<<20)
		if err != nil {
			env.Warn("%s: %v", f, err)
			continue
		}
		for _, k := range ds.ParseADBKeysFile(b) {
			keys = append(keys, k)
			sources = append(sources, f)
		}
	}
	if len(keys) == 0 && (d == nil || !hasService(d, "adb")) && len(env.Evidence.Glob(adbKeyFiles...)) == 0 {
		return module.Absent("dumpsys adb section or adb_keys file")
	}
	reported := map[string]bool{}
	for i, k := range keys {
		r := &model.Record{Source: sources[i], Summary: fmt.Sprintf("Trusted ADB key %s (%s, from %s)", k.User, k.Fingerprint, k.Source), Data: k}
		r.Stamp(k.LastConnected, "adb_last_connection")
		env.Emit(r)
		if id := k.Key; !reported[id] {
			reported[id] = true
			report(env, r, heuristics.TrustedADBKey(k.User, k.Fingerprint, k.Valid, k.LastConnected))
		}
	}
	return nil
}

func hasService(d *ds.Dump, s string) bool { _, ok := d.Services[s]; return ok }

func readCapped(env *module.Env, name string, max int64) ([]byte, error) {
	f, err := env.Evidence.FS.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return b, nil
}
