package datausage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/datausage"
	"github.com/huella-project/huella/internal/module/ios/netusage"
	"github.com/huella-project/huella/internal/module/ios/safarihistory"
	"github.com/huella-project/huella/internal/module/ios/safaristate"
	"github.com/huella-project/huella/internal/module/ios/webkit"
	"github.com/huella-project/huella/internal/module/moduletest"
)

// mvt.md §7 test_datausage.py: 41 rows from SQL plus one placeholder for the
// deleted process 5 (MVT also reports it as a finding), CumulativeUsageTracker on 2 rows,
// and the earliest first-use at 2019-08-27 15:08:09.
func TestMVTDataUsage(t *testing.T) {
	ev := moduletest.MVTBackup(t)
	s, err := moduletest.Run(t, datausage.Def(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 42 {
		t.Errorf("records = %d, want 42", len(s.Records))
	}
	// MVT reports the gap as a low finding; here it is a placeholder record
	// only: ids of deleted rows are ordinary churn on real phones, and no
	// usage row points at process 5.
	if len(s.Detections) != 0 {
		t.Fatalf("detections = %+v, want none (a gap without usage rows is not a finding)", s.Detections)
	}
	var cut, missing int
	var earliest time.Time
	for _, r := range s.Records {
		u := r.Data.(*netusage.Usage)
		if u.Status == netusage.StatusMissing && u.MissingIDs == "5" {
			missing++
		}
		for _, o := range r.Observables {
			if o.Kind == model.KindProcess && o.Value == "CumulativeUsageTracker" {
				cut++
			}
		}
		if !u.FirstSeen.IsZero() && (earliest.IsZero() || u.FirstSeen.Before(earliest)) {
			earliest = u.FirstSeen
		}
	}
	if missing != 1 || cut != 2 {
		t.Errorf("missing placeholders = %d, CumulativeUsageTracker rows = %d; want 1 and 2", missing, cut)
	}
	if got := earliest.Format("2006-01-02 15:04:05"); got != "2019-08-27 15:08:09" {
		t.Errorf("earliest first use = %s", got)
	}
}

// test_safari_browserstate.py: one tab, the Wikipedia NSO Group page.
func TestMVTSafariBrowserState(t *testing.T) {
	s, err := moduletest.Run(t, safaristate.Def(), moduletest.MVTBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 1 || len(s.Records[0].Times) != 1 || len(s.Detections) != 0 {
		t.Fatalf("records = %d, detections = %d; want 1 tab with 1 event", len(s.Records), len(s.Detections))
	}
	if tab := s.Records[0].Data.(*safaristate.Tab); tab.URL != "https://en.wikipedia.org/wiki/NSO_Group" {
		t.Errorf("tab url = %q", tab.URL)
	}
}

// test_safari_history.py: the backup's History.db is listed but not stored.
func TestMVTSafariHistoryAbsent(t *testing.T) {
	s, err := moduletest.Run(t, safarihistory.Def(), moduletest.MVTBackup(t))
	if !errors.Is(err, module.ErrAbsent) || len(s.Records) != 0 {
		t.Fatalf("err = %v, records = %d; want absent and none", err, len(s.Records))
	}
}

// test_webkit_resource_load_statistics.py: google.com with a user
// interaction time, gstatic.com with none.
func TestMVTWebKitResourceLoadStatistics(t *testing.T) {
	s, err := moduletest.Run(t, moduletest.Find(t, webkit.Defs(), "ios.webkit_resource_load_statistics"), moduletest.MVTBackup(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Records) != 2 || len(s.Detections) != 0 {
		t.Fatalf("records = %d, want 2", len(s.Records))
	}
	got := map[string]*webkit.ObservedDomain{}
	for _, r := range s.Records {
		d := r.Data.(*webkit.ObservedDomain)
		got[d.Domain] = d
	}
	if g := got["google.com"]; g == nil || g.MostRecentInteraction.IsZero() || g.App != "com.google.chrome.ios" {
		t.Errorf("google.com = %+v", g)
	}
	if g := got["gstatic.com"]; g == nil || !g.MostRecentInteraction.IsZero() {
		t.Errorf("gstatic.com = %+v", g)
	}
}
