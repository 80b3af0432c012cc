package iosversions

import (
	"testing"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func TestModule(t *testing.T) {
	dir := t.TempDir()
	moduletest.File(t, dir, "private/var/db/analyticsd/Analytics-Journal-2023-02-01.ips", []byte(`{"timestamp":"2023-02-01 10:00:00.000000 +0100","os_version":"iPhone OS 16.3 (20D47)","bug_type":"211"}`+"\n{}"))
	moduletest.File(t, dir, "private/var/db/analyticsd/Analytics-Journal-2023-01-01.ips", []byte(`{"timestamp":"2023-01-01 10:00:00.000000 +0100","os_version":"iPhone OS 16.2 (20C65)","bug_type":"211"}`))
	moduletest.File(t, dir, "private/var/db/analyticsd/Analytics-Journal-broken.ips", []byte(`{"timestamp":"x"}`))
	s, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if err == nil {
		t.Error("the journal without os_version should be reported")
	}
	if len(s.Records) != 2 {
		t.Fatalf("records = %d", len(s.Records))
	}
	first, second := s.Records[0].Data.(*Version), s.Records[1].Data.(*Version)
	if first.OSVersion != "iPhone OS 16.2 (20C65)" || second.OSVersion != "iPhone OS 16.3 (20D47)" || s.Records[1].Summary != "iOS version iPhone OS 16.3 (20D47) (was iPhone OS 16.2 (20C65))" {
		t.Errorf("got %+v / %+v (%s)", first, second, s.Records[1].Summary)
	}
	if got := s.Records[0].Times[0].Time.Format("2006-01-02T15:04Z07:00"); got != "2023-01-01T09:00Z" {
		t.Errorf("time = %s", got)
	}
	clean, err := moduletest.Run(t, Def(), moduletest.Evidence(t, source.IOSFS, t.TempDir()))
	if err == nil || len(clean.Records) != 0 {
		t.Errorf("clean twin: %v, %d records", err, len(clean.Records))
	}
}

// TestImpossibleDateKeptRaw: a journal dated in year 2999 keeps the date as
// written on its record, off the timeline.
func TestImpossibleDateKeptRaw(t *testing.T) {
	dir := t.TempDir()
	moduletest.File(t, dir, "private/var/db/analyticsd/Analytics-Journal-2999-01-01.ips", []byte(`{"timestamp":"2999-01-01 10:00:00.000000 +0100","os_version":"iPhone OS 16.3 (20D47)","bug_type":"211"}`))
	s := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSFS, dir))
	if len(s.Records) != 1 {
		t.Fatalf("records = %d", len(s.Records))
	}
	moduletest.KeepsRaw(t, s.Records[0], map[string]string{"ios_version": "2999-01-01 10:00:00.000000 +0100"})
}
