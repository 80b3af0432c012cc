// Package hunt re-checks stored cases against indicators published after
// they were checked (a retro-hunt), without the evidence and without
// re-reading any results folder.
//
// For each case it takes only the indicators that are new since the case's
// last hunt (by STIX id, type and value; all of them with All), asks the
// store's key index which stored records could match them, and runs those
// records through scan.MatchRecord with exactly those indicators: the one
// matcher, so a hunt finding is the finding a fresh check would give.
// Findings the case already had (from its check or an earlier hunt) are not
// new. The hunt, what it checked and what it found are recorded per case.
package hunt

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/huella-project/huella/internal/casestore"
	"github.com/huella-project/huella/internal/indicators"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/scan"
)

// Options say what to hunt with and where.
type Options struct {
	Set   *indicators.Set // the indicators (all of them; the hunt picks the new ones)
	Files any             // description of the indicator files, recorded with the hunt
	All   bool            // re-check every case against every indicator
	Cases []string        // only these cases; all when empty
	// Keys opens cases stored as HMACs, by key id.
	Keys map[string]*casestore.HMACKey
}

// Status words of a case in a hunt.
const (
	StatusHunted   = "hunted"
	StatusUpToDate = "up to date" // no indicator is new for it
	StatusNoKey    = "needs key"  // stored as HMACs and the key was not given
	StatusPartial  = "partly"     // some indicators (CIDR) cannot be hunted in HMAC values
)

// CaseResult is one case's outcome.
type CaseResult struct {
	Case       casestore.Case
	Checked    int // indicators checked (new for this case)
	Candidates int // records the index pointed at
	New        []model.Detection
	Highest    model.Severity // of New; meaningful when len(New) > 0
	Status     string
	Note       string
}

// Result is the whole hunt.
type Result struct {
	Hunt                      int64
	Started, Finished         time.Time
	Indicators, NewIndicators int
	Cases                     []CaseResult
}

// Found reports whether any case has a new finding at high or critical
// severity (the hunt's exit status 1).
func (r *Result) Found() bool {
	for _, c := range r.Cases {
		if len(c.New) > 0 && c.Highest >= model.High {
			return true
		}
	}
	return false
}

// Incomplete reports a case that could not be hunted (fully).
func (r *Result) Incomplete() bool {
	for _, c := range r.Cases {
		if c.Status == StatusNoKey || c.Status == StatusPartial {
			return true
		}
	}
	return false
}

// Run hunts and records the hunt in the store.
func Run(ctx context.Context, st *casestore.Store, o Options) (*Result, error) {
	unlock, err := st.LockHunts(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	res := &Result{Started: time.Now().UTC()}
	cases, err := st.HuntCases(ctx, o.Cases)
	if err != nil {
		return nil, err
	}
	res.Hunt, err = st.BeginHunt(ctx, o.All, o.Files)
	if err != nil {
		return nil, err
	}
	refs := o.Set.Refs()
	sort.Slice(refs, func(i, j int) bool { return casestore.IndicatorID(refs[i]) < casestore.IndicatorID(refs[j]) })
	first, err := st.RegisterIndicators(ctx, res.Hunt, refs)
	if err != nil {
		return nil, err
	}
	res.Indicators = len(refs)
	for _, r := range refs {
		if first[casestore.IndicatorID(r)] == res.Hunt {
			res.NewIndicators++
		}
	}
	// Cases last hunted at the same point, stored the same way, share one
	// indicator subset and one index probe.
	type group struct {
		since int64
		keyID string
	}
	groups := map[group][]int{}
	var order []group
	for i, c := range cases {
		g := group{since: c.HuntedThrough, keyID: c.HMACKeyID}
		if o.All {
			g.since = 0
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], i)
	}
	out := make([]CaseResult, len(cases))
	outcomes := make([]casestore.HuntCaseOutcome, len(cases))
	for _, g := range order {
		var sub []model.IndicatorRef
		for _, r := range refs {
			if first[casestore.IndicatorID(r)] > g.since {
				sub = append(sub, r)
			}
		}
		idx := groups[g]
		var key *casestore.HMACKey
		if g.keyID != "" {
			key = o.Keys[g.keyID]
		}
		for _, i := range idx {
			out[i] = CaseResult{Case: cases[i].Case, Checked: len(sub), Status: StatusHunted}
			outcomes[i] = casestore.HuntCaseOutcome{CaseID: cases[i].ID, Keep: cases[i].KeepRecords, HMAC: key, Checked: len(sub), Covered: true}
		}
		switch {
		case g.keyID != "" && key == nil:
			for _, i := range idx {
				out[i].Status, out[i].Checked, out[i].Note = StatusNoKey, 0, "stored as HMACs with key "+g.keyID+": give --hmac-key-file"
				outcomes[i].Covered, outcomes[i].Checked = false, 0
			}
			continue
		case len(sub) == 0:
			for _, i := range idx {
				out[i].Status = StatusUpToDate
			}
			continue
		}
		set := indicators.Compile(sub)
		probe := casestore.ProbeFor(set.Keys(), key)
		if probe.Skipped > 0 {
			for _, i := range idx {
				out[i].Status = StatusPartial
				out[i].Note = fmt.Sprintf("%d CIDR indicator(s) cannot be looked up in HMAC-stored values", probe.Skipped)
			}
		}
		byCase := map[int64]int{}
		var targets []casestore.Target
		for _, i := range idx {
			byCase[cases[i].ID] = i
			targets = append(targets, cases[i].Targets...)
		}
		known := map[int64]map[string]bool{}
		_, err := st.Candidates(ctx, targets, probe, func(c casestore.Candidate) error {
			i := byCase[c.CaseID]
			out[i].Candidates++
			outcomes[i].Candidates++
			if known[c.CaseID] == nil {
				k, err := st.KnownFindings(ctx, c.CaseID)
				if err != nil {
					return err
				}
				known[c.CaseID] = k
			}
			for _, f := range match(set, c, key != nil, probe) {
				fk := casestore.FindingKey(f.Detection, f.Stored)
				if known[c.CaseID][fk] {
					continue
				}
				known[c.CaseID][fk] = true
				out[i].New = append(out[i].New, f.Detection)
				outcomes[i].New = append(outcomes[i].New, f)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	totals := casestore.HuntTotals{Indicators: res.Indicators, NewIndicators: res.NewIndicators, Cases: len(cases)}
	for i := range out {
		if len(out[i].New) > 0 {
			out[i].Highest = model.Informational
			for _, d := range out[i].New {
				out[i].Highest = max(out[i].Highest, d.Severity)
			}
			outcomes[i].Highest = out[i].Highest.String()
		}
		outcomes[i].Status = out[i].Status
		totals.NewFindings += len(out[i].New)
	}
	if err := st.FinishHunt(ctx, res.Hunt, outcomes, totals); err != nil {
		return nil, err
	}
	res.Cases = out
	res.Finished = time.Now().UTC()
	return res, nil
}

// match runs the one matcher over a candidate record. A record of an
// HMAC-stored case cannot show its values; each observable whose keys the
// probe hit is shown as the text of the key that matched (the indicator's
// own domain, address, name...), which the matcher then checks like any
// observed value.
func match(set *indicators.Set, c casestore.Candidate, hmac bool, p casestore.Probe) []casestore.NewFinding {
	rec := c.Record
	stored := c.Stored
	if hmac {
		var obs []model.Observable
		stored = nil
		for i, o := range rec.Observables {
			for _, code := range c.Codes[i] {
				lk, ok := p.Text[code]
				if !ok {
					continue
				}
				obs = append(obs, model.Observable{Kind: kindOf(lk.Space, o.Kind), Value: lk.Text, Field: o.Field})
				stored = append(stored, c.Stored[i])
			}
		}
		rec.Observables = obs
	}
	dets := scan.MatchRecord(set, &rec)
	out := make([]casestore.NewFinding, 0, len(dets))
	for _, d := range dets {
		sv := d.Observable.Value
		for i, o := range rec.Observables {
			if o == *d.Observable {
				sv = stored[i]
				break
			}
		}
		out = append(out, casestore.NewFinding{RunID: c.RunID, Detection: d, Stored: sv})
	}
	return out
}

// kindOf is the observable kind a key of a space is matched as.
func kindOf(space string, stored model.Kind) model.Kind {
	switch space {
	case indicators.SpaceDomain:
		return model.KindDomain
	case indicators.SpaceURL:
		return model.KindURL
	case indicators.SpaceIP:
		return model.KindIP
	case indicators.SpaceProcess:
		return model.KindProcess
	case indicators.SpacePath:
		return model.KindFilePath
	}
	return stored
}
