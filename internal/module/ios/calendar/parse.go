package calendar

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/sqlitex"
)

func read(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	return eachEvent(ctx, db, func(e *Event) error {
		r := e.record(db.Name)
		env.Emit(r)
		env.Report(ios.QuaDreamCalendarEvent(e.Summary, e.Description, e.UUID), r)
		return nil
	})
}

// Event is one CalendarItem with its organiser.
type Event struct {
	ID               int64     `json:"id"`
	Summary          string    `json:"summary"`
	Description      string    `json:"description,omitempty"`
	Start            time.Time `json:"start,omitzero"`
	End              time.Time `json:"end,omitzero"`
	AllDay           bool      `json:"all_day,omitempty"`
	CalendarID       int64     `json:"calendar_id,omitempty"`
	URL              string    `json:"url,omitempty"`
	LastModified     time.Time `json:"last_modified,omitzero"`
	Created          time.Time `json:"created,omitzero"`
	ExternalID       string    `json:"external_id,omitempty"`
	UniqueIdentifier string    `json:"unique_identifier,omitempty"`
	Hidden           bool      `json:"hidden,omitempty"`
	UUID             string    `json:"uuid,omitempty"`
	OrganizerEmail   string    `json:"organizer_email,omitempty"`
	OrganizerPhone   string    `json:"organizer_phone,omitempty"`
	OrganizerComment string    `json:"organizer_comment,omitempty"`
	OrganizerUUID    string    `json:"organizer_uuid,omitempty"`
	OrganizerChanged time.Time `json:"organizer_last_modified,omitzero"`

	raw model.RawDates // dates that are no plausible date, kept as stored
}

func eachEvent(ctx context.Context, db *sqlitex.DB, fn func(*Event) error) error {
	ic, err := sqlitex.Need(ctx, db, "CalendarItem", "ROWID", "summary", "start_date")
	if err != nil {
		return err
	}
	p := func(c string) string { return sqlitex.Pick(ic, "c", c) }
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	// The organizers are read into a map and joined here, in Go: SQLite
	// never joins (a crafted Calendar.sqlitedb with lying statistics makes
	// even a rowid join quadratic).
	type participant struct{ email, phone, comment, uuid, lm any }
	var parts map[int64]participant
	organizer := "NULL"
	if tables["Participant"] && ic["organizer_id"] {
		pc, err := db.Columns(ctx, "Participant")
		if err != nil {
			return err
		}
		if pc["ROWID"] {
			organizer = "c.organizer_id"
			pp := func(c string) string { return sqlitex.Pick(pc, "", c) }
			parts, err = sqlitex.Index(ctx, db, fmt.Sprintf(`SELECT ROWID AS k, %s AS email, %s AS phone, %s AS comment, %s AS uuid, %s AS lm FROM Participant`,
				pp("email"), pp("phone_number"), pp("comment"), pp("UUID"), pp("last_modified")), func(r sqlitex.Row) (int64, participant, bool) {
				return r.Int("k"), participant{r.Get("email"), r.Get("phone"), r.Get("comment"), r.Get("uuid"), r.Get("lm")}, true
			})
			if err != nil {
				return err
			}
		}
	}
	q := fmt.Sprintf(`SELECT c.ROWID AS id, %s AS summary, %s AS description, c.start_date AS start_date,
		%s AS end_date, %s AS all_day, %s AS calendar_id, %s AS url, %s AS last_modified, %s AS creation_date,
		%s AS external_id, %s AS unique_identifier, %s AS hidden, %s AS uuid, %s AS organizer
		FROM CalendarItem c ORDER BY c.ROWID`,
		sqlitex.Col("c", "summary"), p("description"), p("end_date"), p("all_day"), p("calendar_id"), p("url"), p("last_modified"),
		p("creation_date"), p("external_id"), p("unique_identifier"), p("hidden"), p("UUID"), organizer)
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		var o participant
		if org := row.Get("organizer"); org != nil {
			o = parts[sqlitex.Int(org)]
		}
		e := &Event{
			ID: row.Int("id"), Summary: row.Text("summary"), Description: row.Text("description"),
			AllDay: row.Int("all_day") == 1, CalendarID: row.Int("calendar_id"),
			URL: row.Text("url"), ExternalID: row.Text("external_id"),
			UniqueIdentifier: row.Text("unique_identifier"), Hidden: row.Int("hidden") == 1,
			UUID: row.Text("uuid"), OrganizerEmail: strings.TrimPrefix(sqlitex.Text(o.email), "mailto:"),
			OrganizerPhone: sqlitex.Text(o.phone), OrganizerComment: sqlitex.Text(o.comment),
			OrganizerUUID: sqlitex.Text(o.uuid),
		}
		at := func(v any, desc string) time.Time {
			t, err := sqlitex.AppleTimeChecked(v)
			e.raw.Add(desc, err)
			return t
		}
		e.Start = at(row.Get("start_date"), "calendar_event_start")
		e.End = at(row.Get("end_date"), "calendar_event_end")
		e.LastModified = at(row.Get("last_modified"), "calendar_event_modified")
		e.Created = at(row.Get("creation_date"), "calendar_event_created")
		e.OrganizerChanged = at(o.lm, "calendar_participant_modified")
		return fn(e)
	})
}

func (e *Event) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: e}
	r.Summary = fmt.Sprintf("Calendar event %q", e.Summary)
	if e.OrganizerEmail != "" {
		r.Summary += " organised by " + e.OrganizerEmail
	}
	r.Stamp(e.Start, "calendar_event_start")
	r.Stamp(e.End, "calendar_event_end")
	r.Stamp(e.LastModified, "calendar_event_modified")
	r.Stamp(e.Created, "calendar_event_created")
	r.Stamp(e.OrganizerChanged, "calendar_participant_modified")
	r.KeepRaw(e.raw)
	r.Add(model.KindEmail, e.OrganizerEmail, "organizer_email")
	if strings.Contains(e.URL, "://") {
		r.Add(model.KindURL, e.URL, "url")
	}
	return r
}
