package calendar

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/sqlitex"
)

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
}

func eachEvent(ctx context.Context, db *sqlitex.DB, fn func(*Event) error) error {
	ic, err := iosdb.Need(ctx, db, "CalendarItem", "ROWID", "summary", "start_date")
	if err != nil {
		return err
	}
	p := func(c string) string { return iosdb.Pick(ic, "c", c) }
	email, phone, comment, puuid, plm, join := "NULL", "NULL", "NULL", "NULL", "NULL", ""
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	if tables["Participant"] && ic["organizer_id"] {
		pc, err := db.Columns(ctx, "Participant")
		if err != nil {
			return err
		}
		if pc["ROWID"] {
			join = " LEFT JOIN Participant p ON p.ROWID = c.organizer_id"
			email, phone, comment = iosdb.Pick(pc, "p", "email"), iosdb.Pick(pc, "p", "phone_number"), iosdb.Pick(pc, "p", "comment")
			puuid, plm = iosdb.Pick(pc, "p", "UUID"), iosdb.Pick(pc, "p", "last_modified")
		}
	}
	q := fmt.Sprintf(`SELECT c.ROWID AS id, c.summary AS summary, %s AS description, c.start_date AS start_date,
		%s AS end_date, %s AS all_day, %s AS calendar_id, %s AS url, %s AS last_modified, %s AS creation_date,
		%s AS external_id, %s AS unique_identifier, %s AS hidden, %s AS uuid,
		%s AS email, %s AS phone, %s AS comment, %s AS puuid, %s AS plm
		FROM CalendarItem c%s ORDER BY c.ROWID`,
		p("description"), p("end_date"), p("all_day"), p("calendar_id"), p("url"), p("last_modified"),
		p("creation_date"), p("external_id"), p("unique_identifier"), p("hidden"), p("UUID"),
		email, phone, comment, puuid, plm, join)
	return iosdb.Each(ctx, db, q, func(row iosdb.Row) error {
		return fn(&Event{
			ID: iosdb.Int(row.Get("id")), Summary: iosdb.Str(row.Get("summary")), Description: iosdb.Str(row.Get("description")),
			Start: iosdb.AppleTime(row.Get("start_date")), End: iosdb.AppleTime(row.Get("end_date")),
			AllDay: iosdb.Int(row.Get("all_day")) == 1, CalendarID: iosdb.Int(row.Get("calendar_id")),
			URL: iosdb.Str(row.Get("url")), LastModified: iosdb.AppleTime(row.Get("last_modified")),
			Created: iosdb.AppleTime(row.Get("creation_date")), ExternalID: iosdb.Str(row.Get("external_id")),
			UniqueIdentifier: iosdb.Str(row.Get("unique_identifier")), Hidden: iosdb.Int(row.Get("hidden")) == 1,
			UUID: iosdb.Str(row.Get("uuid")), OrganizerEmail: strings.TrimPrefix(iosdb.Str(row.Get("email")), "mailto:"),
			OrganizerPhone: iosdb.Str(row.Get("phone")), OrganizerComment: iosdb.Str(row.Get("comment")),
			OrganizerUUID: iosdb.Str(row.Get("puuid")), OrganizerChanged: iosdb.AppleTime(row.Get("plm")),
		})
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
	r.Add(model.KindEmail, e.OrganizerEmail, "organizer_email")
	if strings.Contains(e.URL, "://") {
		r.Add(model.KindURL, e.URL, "url")
	}
	return r
}
