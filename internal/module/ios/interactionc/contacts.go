package interactionc

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Contact is one ZCONTACTS row with the counters and dates CoreDuet keeps per
// party. They survive the deletion of the conversations themselves, so they
// date first contact with an account that no longer appears anywhere else.
type Contact struct {
	RecordType             string    `json:"record_type"` // "contact"
	ID                     int64     `json:"id"`
	Party                  Party     `json:"party"`
	CustomID               string    `json:"custom_id,omitempty"`
	IncomingSenderCount    int64     `json:"incoming_sender_count,omitempty"`
	IncomingRecipientCount int64     `json:"incoming_recipient_count,omitempty"`
	OutgoingRecipientCount int64     `json:"outgoing_recipient_count,omitempty"`
	Created                time.Time `json:"creation_date,omitzero"`
	FirstIncomingSender    time.Time `json:"first_incoming_sender_date,omitzero"`
	LastIncomingSender     time.Time `json:"last_incoming_sender_date,omitzero"`
	FirstIncomingRecipient time.Time `json:"first_incoming_recipient_date,omitzero"`
	LastIncomingRecipient  time.Time `json:"last_incoming_recipient_date,omitzero"`
	FirstOutgoingRecipient time.Time `json:"first_outgoing_recipient_date,omitzero"`
	LastOutgoingRecipient  time.Time `json:"last_outgoing_recipient_date,omitzero"`

	raw model.RawDates // dates that are no plausible date, kept as stored
}

var contactDates = []string{"ZCREATIONDATE", "ZFIRSTINCOMINGSENDERDATE", "ZLASTINCOMINGSENDERDATE",
	"ZFIRSTINCOMINGRECIPIENTDATE", "ZLASTINCOMINGRECIPIENTDATE", "ZFIRSTOUTGOINGRECIPIENTDATE", "ZLASTOUTGOINGRECIPIENTDATE"}

// eachContact streams the ZCONTACTS rows that carry at least one date; rows
// without dates say nothing the interactions do not already say.
func eachContact(ctx context.Context, db *sqlitex.DB, resolve resolver, fn func(*Contact) error) error {
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	if !tables["ZCONTACTS"] {
		return nil
	}
	cc, err := db.Columns(ctx, "ZCONTACTS")
	if err != nil {
		return err
	}
	if !cc["Z_PK"] {
		return nil
	}
	p := func(c string) string { return sqlitex.Pick(cc, "", c) }
	var any []string
	for _, d := range contactDates {
		if cc[d] {
			any = append(any, d+" IS NOT NULL")
		}
	}
	if len(any) == 0 {
		return nil
	}
	q := fmt.Sprintf(`SELECT Z_PK AS id, %s AS name, %s AS ident, %s AS pid, %s AS custom, %s AS isc, %s AS irc, %s AS orc,
		%s AS created, %s AS fis, %s AS lis, %s AS fir, %s AS lir, %s AS forc, %s AS lorc
		FROM ZCONTACTS WHERE %s ORDER BY Z_PK`,
		p("ZDISPLAYNAME"), p("ZIDENTIFIER"), p("ZPERSONID"), p("ZCUSTOMIDENTIFIER"), p("ZINCOMINGSENDERCOUNT"),
		p("ZINCOMINGRECIPIENTCOUNT"), p("ZOUTGOINGRECIPIENTCOUNT"), p(contactDates[0]), p(contactDates[1]),
		p(contactDates[2]), p(contactDates[3]), p(contactDates[4]), p(contactDates[5]), p(contactDates[6]),
		strings.Join(any, " OR "))
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		c := &Contact{RecordType: "contact", ID: row.Int("id"),
			Party:               Party{DisplayName: row.Text("name"), Identifier: row.Text("ident"), PersonID: row.Text("pid")},
			CustomID:            row.Text("custom"),
			IncomingSenderCount: row.Int("isc"), IncomingRecipientCount: row.Int("irc"),
			OutgoingRecipientCount: row.Int("orc")}
		at := func(col, desc string) time.Time {
			t, err := sqlitex.AppleTimeChecked(row.Get(col))
			c.raw.Add(desc, err)
			return t
		}
		c.Created = at("created", "contacts_creation_date")
		c.FirstIncomingSender, c.LastIncomingSender = at("fis", "first_incoming_sender_date"), at("lis", "last_incoming_sender_date")
		c.FirstIncomingRecipient, c.LastIncomingRecipient = at("fir", "first_incoming_recipient_date"), at("lir", "last_incoming_recipient_date")
		c.FirstOutgoingRecipient, c.LastOutgoingRecipient = at("forc", "first_outgoing_recipient_date"), at("lorc", "last_outgoing_recipient_date")
		// Only WhatsApp ids are resolved: ZCONTACTS does not say which app
		// a bare phone number belongs to.
		if id := c.Party.Identifier; resolve != nil && (strings.HasSuffix(id, "@lid") || strings.HasSuffix(id, "@s.whatsapp.net")) {
			c.Party.ResolvedPhone, c.Party.ResolvedName = resolve(id)
		}
		return fn(c)
	})
}

func (c *Contact) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: c}
	r.Summary = fmt.Sprintf("Interactions with %s: %d incoming as sender, %d incoming as recipient, %d outgoing",
		c.Party, c.IncomingSenderCount, c.IncomingRecipientCount, c.OutgoingRecipientCount)
	r.Stamp(c.Created, "contacts_creation_date")
	r.Stamp(c.FirstIncomingSender, "first_incoming_sender_date")
	r.Stamp(c.LastIncomingSender, "last_incoming_sender_date")
	r.Stamp(c.FirstIncomingRecipient, "first_incoming_recipient_date")
	r.Stamp(c.LastIncomingRecipient, "last_incoming_recipient_date")
	r.Stamp(c.FirstOutgoingRecipient, "first_outgoing_recipient_date")
	r.Stamp(c.LastOutgoingRecipient, "last_outgoing_recipient_date")
	r.KeepRaw(c.raw)
	addEmail(r, c.Party, "party.identifier")
	return r
}
