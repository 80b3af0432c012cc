package casestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
)

// Finding is a stored finding: from the check (Hunt 0) or from a hunt.
type Finding struct {
	RunID     int64
	Hunt      int64
	Detection model.Detection
}

// FindingKey identifies a finding within a case, so a hunt can tell what is
// new: the module, rule, indicator, observable (as stored: the value, or
// its HMAC), record time and artifact; for findings without an indicator,
// also the reason.
func FindingKey(d model.Detection, storedValue string) string {
	h := sha256.New()
	w := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	w(d.Module)
	w(string(d.Kind))
	w(d.Rule)
	if d.Indicator != nil {
		w(d.Indicator.ID)
		w(d.Indicator.Type)
		w(d.Indicator.Value)
	} else {
		w(d.Reason)
	}
	if d.Observable != nil {
		w(string(d.Observable.Kind))
		w(storedValue)
		w(d.Observable.Field)
	}
	if d.Time != nil {
		w(d.Time.UTC().Format(time.RFC3339Nano))
	}
	if d.Record != nil {
		w(d.Record.Source)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// observedValue is the stored form of a detection's observable.
func observedValue(d model.Detection, key *HMACKey) string {
	if d.Observable == nil {
		return ""
	}
	if key == nil {
		return d.Observable.Value
	}
	o := *d.Observable
	return keyer{key: key}.storedValue(o, indicators.ObservableKeys(o))
}

// storable is the detection as the store keeps it. Without --keep-records
// the record keeps only where and when (module, artifact, times, its
// observables): no summary (message text, page title) and no data. In an
// HMAC-stored case the observed value is replaced by its HMAC, and the
// reason, which quotes it, by one that does not.
func storable(d model.Detection, keep bool, key *HMACKey, stored string) model.Detection {
	if d.Record != nil && !keep {
		r := &model.Record{Module: d.Record.Module, Source: d.Record.Source, Times: d.Record.Times}
		if key == nil {
			r.Observables = d.Record.Observables
		}
		d.Record = r
	}
	if len(d.Related) > 0 && !keep {
		rel := make([]model.Event, len(d.Related))
		for i, e := range d.Related {
			e.Summary = ""
			if key != nil {
				e.Hosts, e.Processes = nil, nil
			}
			rel[i] = e
		}
		d.Related = rel
	}
	if key != nil {
		d.Params = nil // the rule's quoted values
		if d.Observable != nil {
			o := *d.Observable
			o.Value = stored
			d.Observable = &o
		}
		if d.Record != nil && keep {
			r := *d.Record
			r.Summary, r.Data, r.Observables = "", nil, nil
			d.Record = &r
		}
		switch {
		case d.Indicator != nil:
			d.Reason = fmt.Sprintf("A value stored as an HMAC matches a published indicator of %s (%s %q, from %s).",
				d.Indicator.Campaign, d.Indicator.Type, d.Indicator.Value, d.Indicator.File)
		default:
			d.Reason = "Rule " + d.Rule + " (the details are withheld: this case stores HMACs, not values)."
		}
	}
	return d
}

// insertFinding stores d unless the case already has it; ok reports a new
// finding. hunt is nil for the check's own findings.
func (s *Store) insertFinding(ctx context.Context, t *session, caseID, runID int64, hunt *int64, d model.Detection, keep bool, key *HMACKey, stored string) (bool, error) {
	fkey := FindingKey(d, stored)
	body, err := json.Marshal(storable(d, keep, key, stored))
	if err != nil {
		return false, err
	}
	var h any
	if hunt != nil {
		h = *hunt
	}
	r, err := t.ExecContext(ctx, `INSERT INTO findings (case_id, run_id, fkey, hunt_id, severity, kind, detection)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id, fkey) DO NOTHING`,
		caseID, runID, fkey, h, int(d.Severity), string(d.Kind), string(body))
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n > 0, err
}

// Findings lists a case's stored findings, most severe first.
func (s *Store) Findings(ctx context.Context, caseID int64) ([]Finding, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT run_id, COALESCE(hunt_id, 0), detection FROM findings WHERE case_id = $1 ORDER BY severity DESC, id", caseID)
	if err != nil {
		return nil, err
	}
	var out []Finding
	if err := forRows(rows, func() error {
		var f Finding
		var body string
		if err := rows.Scan(&f.RunID, &f.Hunt, &body); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(body), &f.Detection); err != nil {
			return fmt.Errorf("stored finding: %w", err)
		}
		out = append(out, f)
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}
