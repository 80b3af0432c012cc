package dumpsys

import (
	"context"
	"errors"
	"fmt"
	"slices"

	ds "github.com/huella-project/huella/internal/android/dumpsys"
	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/androidqf"
	"github.com/huella-project/huella/internal/source/evfile"
)

// adbKeyFiles are copies of the phone's trusted-key list a bugreport or an
// acquisition may hold.
var adbKeyFiles = []string{"**/adb_keys"}

// runADBKeys lists the computers trusted for USB debugging, from the adb
// section and from adb_keys files.
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
		b, err := env.ReadFile(f, adbKeys)
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
	acq, inContext := acquisition(env)
	recs := make([]*model.Record, len(keys))
	for i, k := range keys {
		r := &model.Record{Source: sources[i], Summary: fmt.Sprintf("Trusted ADB key %s (%s, from %s)", k.User, k.Fingerprint, k.Source), Data: k}
		last, err := k.LastConnection()
		r.StampChecked(last, err, "adb_last_connection")
		env.Emit(r)
		recs[i] = r
	}
	// Each key is judged once, from its keystore entry when there is one:
	// only the keystore knows when the computer last connected.
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmpBool(keys[b].Source == "keystore", keys[a].Source == "keystore")
	})
	reported := map[string]bool{}
	for _, i := range order {
		k := keys[i]
		if reported[k.Key] {
			continue
		}
		reported[k.Key] = true
		if inContext {
			report(env, recs[i], heuristics.TrustedADBKeyInContext(k.Key, k.User, k.Fingerprint, k.Valid, k.LastConnected, acq))
		} else {
			report(env, recs[i], heuristics.TrustedADBKey(k.User, k.Fingerprint, k.Valid, k.LastConnected))
		}
	}
	if inContext && acq.HostKey == "" && len(recs) > 0 {
		report(env, recs[0], heuristics.ADBHostKeyMissing(len(reported)))
	}
	return nil
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// acquisition is the androidqf context trusted keys are judged in: the
// start time and host key from acquisition.json. Other evidence has none,
// and every trusted key is then reported for the examiner to recognise.
func acquisition(env *module.Env) (heuristics.ADBAcquisition, bool) {
	ev := env.Evidence
	if ev.Kind != source.AndroidQF || ev.Device.Acquired == nil {
		return heuristics.ADBAcquisition{}, false
	}
	return heuristics.ADBAcquisition{Started: *ev.Device.Acquired, HostKey: ev.Device.Extra[androidqf.ExtraADBHostKey]}, true
}

func hasService(d *ds.Dump, s string) bool { _, ok := d.Services[s]; return ok }

// adbKeys bounds an adb_keys file: one line per trusted computer.
var adbKeys = evfile.Limit{Kind: "adb_keys file", Max: 1 << 20}
