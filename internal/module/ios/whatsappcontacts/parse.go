package whatsappcontacts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/sqlitex"
	"github.com/huella-project/huella/internal/urlx"
)

// Contact is one ZWAADDRESSBOOKCONTACT row.
type Contact struct {
	ID                   int64     `json:"row_pk"`
	WhatsAppID           string    `json:"whatsapp_id,omitempty"` // "14155550100@s.whatsapp.net"
	LID                  string    `json:"lid,omitempty"`         // "100000000000001@lid"
	PhoneNumber          string    `json:"phone_number,omitempty"`
	LocalizedPhoneNumber string    `json:"localized_phone_number,omitempty"`
	FullName             string    `json:"full_name,omitempty"`
	GivenName            string    `json:"given_name,omitempty"`
	LastName             string    `json:"last_name,omitempty"`
	UserName             string    `json:"user_name,omitempty"`
	BusinessName         string    `json:"business_name,omitempty"`
	AboutText            string    `json:"about_text,omitempty"`
	AboutEmoji           string    `json:"about_emoji,omitempty"`
	Notes                string    `json:"notes,omitempty"`
	DisappearingDuration *float64  `json:"disappearing_mode_duration,omitempty"` // seconds; nil when never set
	DisappearingOn       bool      `json:"disappearing_mode_is_on"`
	DisappearingLabel    string    `json:"disappearing_mode_label,omitempty"` // empty when the column does not exist
	DisappearingSet      time.Time `json:"disappearing_mode_timestamp,omitzero"`
	AboutChanged         time.Time `json:"about_timestamp,omitzero"`
	AboutExpires         time.Time `json:"about_expiration_timestamp,omitzero"`
	LastUpdated          time.Time `json:"last_updated,omitzero"`
	PhoneStatus          *int64    `json:"phone_status,omitempty"`
	SyncPolicy           *int64    `json:"sync_policy,omitempty"`
	Links                []string  `json:"links,omitempty"` // links in the about text or notes

	raw model.RawDates // dates that are no plausible date, kept as stored
}

// Name is the best human name the row has.
func (c *Contact) Name() string {
	for _, n := range []string{c.FullName, strings.TrimSpace(c.GivenName + " " + c.LastName), c.BusinessName, c.UserName} {
		if n != "" {
			return n
		}
	}
	return ""
}

// Party is how the contact is written in summaries: "jid (name)".
func (c *Contact) Party() string {
	id := c.WhatsAppID
	for _, alt := range []string{c.LID, c.PhoneNumber} {
		if id == "" {
			id = alt
		}
	}
	if n := c.Name(); n != "" {
		if id == "" {
			return n
		}
		return fmt.Sprintf("%s (%s)", id, n)
	}
	return id
}

// WhatsApp's preset timers; any other value is written in seconds.
var durationLabels = map[int64]string{
	0:       "off",
	86400:   "24 hours",
	604800:  "7 days",
	1209600: "14 days",
	2592000: "30 days",
	7776000: "90 days",
}

func durationLabel(d *float64) string {
	if d == nil {
		return "off"
	}
	if l, ok := durationLabels[int64(*d)]; ok && float64(int64(*d)) == *d {
		return l
	}
	return fmt.Sprintf("%g seconds", *d)
}

// maxTextBytes bounds each text column kept from a row.
const maxTextBytes = 64 << 10

func text(v any) string {
	s := sqlitex.Text(v)
	if len(s) > maxTextBytes {
		s = strings.ToValidUTF8(s[:maxTextBytes], "")
	}
	return strings.TrimRight(s, "\x00")
}

func optInt(v any) *int64 {
	if v == nil {
		return nil
	}
	n := sqlitex.Int(v)
	return &n
}

// Each streams the contacts of an open ContactsV2.sqlite. Only the table and
// its key are required: the columns present differ between app versions.
func Each(ctx context.Context, db *sqlitex.DB, fn func(*Contact) error) error {
	c, err := sqlitex.Need(ctx, db, "ZWAADDRESSBOOKCONTACT", "Z_PK")
	if err != nil {
		return err
	}
	if !c["ZWHATSAPPID"] && !c["ZPHONENUMBER"] && !c["ZLID"] {
		return &sqlitex.SchemaError{DB: db.Name, Table: "ZWAADDRESSBOOKCONTACT", Column: "ZWHATSAPPID"}
	}
	hasDuration := c["ZDISAPPEARINGMODEDURATION"]
	cols := []string{"ZWHATSAPPID", "ZLID", "ZPHONENUMBER", "ZLOCALIZEDPHONENUMBER", "ZFULLNAME", "ZGIVENNAME",
		"ZLASTNAME", "ZUSERNAME", "ZBUSINESSNAME", "ZABOUTTEXT", "ZABOUTEMOJI", "ZNOTES", "ZDISAPPEARINGMODEDURATION",
		"ZDISAPPEARINGMODETIMESTAMP", "ZABOUTTIMESTAMP", "ZABOUTEXPIRATIONTIMESTAMP", "ZLASTUPDATED", "ZPHONESTATUS", "ZSYNCPOLICY"}
	sel := make([]string, 0, len(cols)+1)
	sel = append(sel, "Z_PK AS pk")
	for _, col := range cols {
		sel = append(sel, sqlitex.Pick(c, "", col)+` AS "`+col+`"`)
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM ZWAADDRESSBOOKCONTACT ORDER BY Z_PK"
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		ct := &Contact{ID: row.Int("pk"), WhatsAppID: text(row.Get("ZWHATSAPPID")), LID: text(row.Get("ZLID")),
			PhoneNumber: text(row.Get("ZPHONENUMBER")), LocalizedPhoneNumber: text(row.Get("ZLOCALIZEDPHONENUMBER")),
			FullName: text(row.Get("ZFULLNAME")), GivenName: text(row.Get("ZGIVENNAME")), LastName: text(row.Get("ZLASTNAME")),
			UserName: text(row.Get("ZUSERNAME")), BusinessName: text(row.Get("ZBUSINESSNAME")),
			AboutText: text(row.Get("ZABOUTTEXT")), AboutEmoji: text(row.Get("ZABOUTEMOJI")), Notes: text(row.Get("ZNOTES")),
			PhoneStatus: optInt(row.Get("ZPHONESTATUS")), SyncPolicy: optInt(row.Get("ZSYNCPOLICY"))}
		at := func(col, desc string) time.Time {
			t, err := sqlitex.AppleTimeChecked(row.Get(col))
			ct.raw.Add(desc, err)
			return t
		}
		ct.DisappearingSet = at("ZDISAPPEARINGMODETIMESTAMP", "disappearing_mode_set")
		ct.AboutChanged = at("ZABOUTTIMESTAMP", "about_changed")
		ct.AboutExpires = at("ZABOUTEXPIRATIONTIMESTAMP", "about_expiration")
		ct.LastUpdated = at("ZLASTUPDATED", "contact_last_updated")
		if v := row.Get("ZDISAPPEARINGMODEDURATION"); v != nil {
			d := sqlitex.Float(v)
			ct.DisappearingDuration = &d
		}
		ct.DisappearingOn = ct.DisappearingDuration != nil && *ct.DisappearingDuration > 0
		if hasDuration {
			ct.DisappearingLabel = durationLabel(ct.DisappearingDuration)
		}
		ct.Links = linksIn(ct.AboutText, ct.Notes)
		return fn(ct)
	})
}

// maxLinks bounds the links kept per contact.
const maxLinks = 20

func linksIn(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, l := range urlx.ExtractLinks(t) {
			if !seen[l] && len(out) < maxLinks {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	return out
}

func (c *Contact) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: c}
	var b strings.Builder
	fmt.Fprintf(&b, "WhatsApp contact %s", c.Party())
	if c.LID != "" && c.LID != c.WhatsAppID {
		fmt.Fprintf(&b, ", LID %s", c.LID)
	}
	if c.DisappearingOn {
		fmt.Fprintf(&b, ", disappearing messages set to %s", c.DisappearingLabel)
	}
	if c.AboutText != "" {
		fmt.Fprintf(&b, ", about changed to %q", model.OneLine(c.AboutText, 200))
		if !c.AboutExpires.IsZero() {
			b.WriteString(" (scheduled to expire)")
		}
	}
	r.Summary = b.String()
	r.Stamp(c.DisappearingSet, "disappearing_mode_set")
	r.Stamp(c.AboutChanged, "about_changed")
	r.Stamp(c.AboutExpires, "about_expiration")
	r.Stamp(c.LastUpdated, "contact_last_updated")
	r.KeepRaw(c.raw)
	for _, l := range c.Links {
		r.Add(model.KindURL, l, "links")
	}
	return r
}
