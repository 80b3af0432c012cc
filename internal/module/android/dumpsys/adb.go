package dumpsys

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/huella-project/huella/internal/android/dumpsystext"
	"github.com/huella-project/huella/internal/heuristics/android"
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
	var keys []dumpsystext.ADBKey
	var sources []string
	d, name, err := Load(ctx, env, "adb")
	if err != nil && !errors.Is(err, module.ErrAbsent) {
		return err
	}
	if d != nil {
		if body, ok := d.Service("adb"); ok {
			for _, k := range dumpsystext.ParseADB([]byte(body)) {
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
		for _, k := range dumpsystext.ParseADBKeysFile(b) {
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
	fromKeystore := func(i int) int {
		if keys[i].Source == "keystore" {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(fromKeystore(a), fromKeystore(b)) })
	reported := map[string]bool{}
	for _, i := range order {
		k := keys[i]
		if reported[k.Key] {
			continue
		}
		reported[k.Key] = true
		if inContext {
			report(env, recs[i], android.TrustedADBKeyInContext(k.Key, k.User, k.Fingerprint, k.Valid, k.LastConnected, acq))
		} else {
			report(env, recs[i], android.TrustedADBKey(k.User, k.Fingerprint, k.Valid, k.LastConnected))
		}
	}
	if inContext && acq.HostKey == "" && len(recs) > 0 {
		report(env, recs[0], android.ADBHostKeyMissing(len(reported)))
	}
	return nil
}

// acquisition is the androidqf context trusted keys are judged in: the
// start time and host key from acquisition.json. Other evidence has none,
// and every trusted key is then reported for the examiner to recognise.
func acquisition(env *module.Env) (android.ADBAcquisition, bool) {
	ev := env.Evidence
	if ev.Kind != source.AndroidQF || ev.Device.Acquired == nil {
		return android.ADBAcquisition{}, false
	}
	return android.ADBAcquisition{Started: *ev.Device.Acquired, HostKey: ev.Device.Extra[androidqf.ExtraADBHostKey]}, true
}

func hasService(d *dumpsystext.Dump, s string) bool { _, ok := d.Services[s]; return ok }

// adbKeys bounds an adb_keys file: one line per trusted computer.
var adbKeys = evfile.Limit{Kind: "adb_keys file", Max: 1 << 20}
