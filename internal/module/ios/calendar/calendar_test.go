package calendar

import (
	"errors"
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[0],
		`CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY, summary TEXT, description TEXT, start_date REAL, end_date REAL,
		 all_day INTEGER, calendar_id INTEGER, organizer_id INTEGER, url TEXT, last_modified REAL, creation_date REAL, UUID TEXT, hidden INTEGER)`,
		`CREATE TABLE Participant (ROWID INTEGER PRIMARY KEY, email TEXT, phone_number TEXT, UUID TEXT, last_modified REAL)`,
		`INSERT INTO Participant VALUES (1, 'mailto:organiser@example.org', NULL, 'P1', NULL), (2, 'icloud@attacker.example', NULL, 'P2', 700000000)`,
		`INSERT INTO CalendarItem VALUES
		 (1, 'Dentist', 'bring card', 703502100, 703505700, 0, 1, 1, NULL, 702930638, 702930606, 'U1', 0),
		 (2, 'Meeting', 'Notes', 500000000, 500003600, 0, 1, 2, 'https://lure.example/x', 700000000, 700000000, 'U2', 1),
		 (3, 'No organiser', NULL, 703502100, NULL, 1, 1, NULL, NULL, NULL, NULL, 'U3', 0)`)
	sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 3 {
		t.Fatalf("%d records", len(sink.Records))
	}
	tests := []struct {
		email  string
		stamps int
	}{{"organiser@example.org", 4}, {"icloud@attacker.example", 5}, {"", 1}}
	for i, tt := range tests {
		r := sink.Records[i]
		if r.Data.(*Event).OrganizerEmail != tt.email || len(r.Times) != tt.stamps {
			t.Errorf("event %d: %+v stamps %v", i, r.Data, moduletest.Descs(r))
		}
		if tt.email != "" && !moduletest.Has(r, model.KindEmail, tt.email) {
			t.Errorf("event %d lacks email observable", i)
		}
	}
	if !moduletest.Has(sink.Records[1], model.KindURL, "https://lure.example/x") {
		t.Error("url observable missing")
	}
	if rules := sink.Rules(); !slices.Equal(rules, []string{"ios.calendar.quadream_invite"}) || sink.Detections[0].Record != sink.Records[1] {
		t.Errorf("detections %+v", sink.Detections)
	}
}

func TestAbsentAndSchema(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[1], `CREATE TABLE Calendar (ROWID INTEGER PRIMARY KEY)`)
	var se *sqlitex.SchemaError
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); !errors.As(err, &se) {
		t.Errorf("%v", err)
	}
}

// TestImpossibleDatesKeptRaw: every date of an event (its own and its
// organiser's) that is no plausible date is kept as stored, not dropped.
func TestImpossibleDatesKeptRaw(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[0],
		`CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY, summary TEXT, start_date REAL, end_date REAL,
		 organizer_id INTEGER, last_modified REAL, creation_date REAL)`,
		`CREATE TABLE Participant (ROWID INTEGER PRIMARY KEY, email TEXT, last_modified REAL)`,
		`INSERT INTO Participant VALUES (1, 'mailto:o@example.org', 9.5e9)`,
		`INSERT INTO CalendarItem VALUES (1, 'Tampered', 9.5e9, -1e10, 1, 1e10, 9.6e9)`)
	sink := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSBackup, dir))
	if len(sink.Records) != 1 {
		t.Fatalf("%d records", len(sink.Records))
	}
	r := sink.Records[0]
	moduletest.KeepsRaw(t, r, map[string]string{
		"calendar_event_start": "9.5e+09", "calendar_event_end": "-1e+10", "calendar_event_modified": "1e+10",
		"calendar_event_created": "9.6e+09", "calendar_participant_modified": "9.5e+09"})
	if e := r.Data.(*Event); !e.Start.IsZero() || !e.End.IsZero() || !e.OrganizerChanged.IsZero() {
		t.Errorf("wrong dates kept: %+v", e)
	}
}
