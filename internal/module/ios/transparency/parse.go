package transparency

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/sysdiag"
	"github.com/huella-project/huella/internal/timestamp"
)

// Device is one device of the account.
type Device struct {
	Key       string `json:"key"`
	Serial    string `json:"serial,omitempty"`
	Model     string `json:"model,omitempty"`
	OSVersion string `json:"os_version,omitempty"`
	Name      string `json:"name,omitempty"`
}

// Log is the part of transparency.log read.
type Log struct {
	FirstSeen time.Time `json:"account_first_seen,omitzero"`
	Devices   []Device  `json:"devices"`

	firstSeenErr error // accountFirstSeen is no plausible date: the record keeps it as written
}

// Parse reads transparency.log: a JSON object whose stateMachine holds
// "devices" (an object of device objects with serial, model, osVersion and
// name) and "accountFirstSeen" ("2023-04-11 09:38:27 +0000").
func Parse(b []byte) (*Log, error) {
	var doc struct {
		StateMachine struct {
			AccountFirstSeen string                     `json:"accountFirstSeen"`
			Devices          map[string]json.RawMessage `json:"devices"`
		} `json:"stateMachine"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("not a transparency log: %w", err)
	}
	l := &Log{}
	t, err := timestamp.ParseText(doc.StateMachine.AccountFirstSeen, "2006-01-02 15:04:05 -0700")
	l.FirstSeen, l.firstSeenErr = t.UTC(), err
	keys := slices.Sorted(maps.Keys(doc.StateMachine.Devices))
	for _, k := range keys {
		if len(l.Devices) >= maxDevices {
			break
		}
		var d struct {
			Serial    string `json:"serial"`
			Model     string `json:"model"`
			OSVersion string `json:"osVersion"`
			Name      string `json:"name"`
		}
		if json.Unmarshal(doc.StateMachine.Devices[k], &d) != nil {
			continue
		}
		l.Devices = append(l.Devices, Device{Key: k, Serial: d.Serial, Model: d.Model, OSVersion: d.OSVersion, Name: d.Name})
	}
	return l, nil
}

func run(ctx context.Context, env *module.Env) error {
	return sysdiag.EachBytes(ctx, env, "transparency.log", Paths, limit, func(name string, b []byte) error {
		if len(b) == 0 {
			return nil // an account without Contact Key Verification writes an empty file
		}
		l, err := Parse(b)
		if err != nil {
			env.Unreadable(name, err)
			return nil
		}
		if !l.FirstSeen.IsZero() || l.firstSeenErr != nil {
			r := &model.Record{Source: name, Data: l, Summary: fmt.Sprintf("The Apple account has %d device(s) registered", len(l.Devices))}
			r.StampChecked(l.FirstSeen, l.firstSeenErr, "account_first_seen")
			env.Emit(r)
		}
		for _, d := range l.Devices {
			env.Emit(&model.Record{Source: name, Data: d,
				Summary: fmt.Sprintf("Device %s (%s, %s, serial %s) is registered to the Apple account", cmp.Or(d.Name, "-"), cmp.Or(d.Model, "-"), cmp.Or(d.OSVersion, "-"), cmp.Or(d.Serial, "-"))})
		}
		return nil
	})
}
