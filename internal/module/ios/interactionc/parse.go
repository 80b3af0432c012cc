package interactionc

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Party is a contact row of interactionC.db.
type Party struct {
	DisplayName string `json:"display_name,omitempty"`
	Identifier  string `json:"identifier,omitempty"` // phone, e-mail, WhatsApp JID…
	PersonID    string `json:"person_id,omitempty"`
}

func (p Party) String() string {
	switch {
	case p.DisplayName != "" && p.Identifier != "":
		return fmt.Sprintf("%s (%s)", p.DisplayName, p.Identifier)
	case p.Identifier != "":
		return p.Identifier
	}
	return p.DisplayName
}

// Interaction is one ZINTERACTIONS row.
type Interaction struct {
	ID               int64     `json:"id"`
	BundleID         string    `json:"bundle_id"`
	TargetBundleID   string    `json:"target_bundle_id,omitempty"`
	Account          string    `json:"account,omitempty"`
	Direction        string    `json:"direction"` // INCOMING, OUTGOING or the raw value
	Start            time.Time `json:"start,omitzero"`
	End              time.Time `json:"end,omitzero"`
	Created          time.Time `json:"created,omitzero"`
	Sender           *Party    `json:"sender,omitempty"`
	Recipients       []Party   `json:"recipients,omitempty"`
	RecipientCount   int64     `json:"recipient_count,omitempty"`
	DomainIdentifier string    `json:"domain_identifier,omitempty"`
	GroupName        string    `json:"group_name,omitempty"`
	ContentURL       string    `json:"content_url,omitempty"`
	IsResponse       bool      `json:"is_response,omitempty"`
}

// lateCreation is how far the row's creation may trail its event before the
// gap is put on the timeline: rows written long after the fact are worth a look.
const lateCreation = time.Hour

// maxRecipients bounds the recipients kept per interaction.
const maxRecipients = 100

func eachInteraction(ctx context.Context, db *sqlitex.DB, fn func(*Interaction) error) error {
	ic, err := iosdb.Need(ctx, db, "ZINTERACTIONS", "Z_PK", "ZSTARTDATE", "ZBUNDLEID")
	if err != nil {
		return err
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	p := func(c string) string { return iosdb.Pick(ic, "i", c) }
	sname, sid, spid, join := "NULL", "NULL", "NULL", ""
	var cc map[string]bool
	if tables["ZCONTACTS"] {
		if cc, err = db.Columns(ctx, "ZCONTACTS"); err != nil {
			return err
		}
		if cc["Z_PK"] && ic["ZSENDER"] {
			join = " LEFT JOIN ZCONTACTS s ON s.Z_PK = i.ZSENDER"
			sname, sid, spid = iosdb.Pick(cc, "s", "ZDISPLAYNAME"), iosdb.Pick(cc, "s", "ZIDENTIFIER"), iosdb.Pick(cc, "s", "ZPERSONID")
		}
	}
	recip, err := recipientQuery(ctx, db, tables, cc)
	if err != nil {
		return err
	}
	q := fmt.Sprintf(`SELECT i.Z_PK AS id, i.ZBUNDLEID AS bundle, %s AS target, %s AS account, %s AS direction,
		i.ZSTARTDATE AS start, %s AS end_date, %s AS created, %s AS rcount, %s AS domain, %s AS grp, %s AS url,
		%s AS response, %s AS sname, %s AS sid, %s AS spid
		FROM ZINTERACTIONS i%s ORDER BY i.ZSTARTDATE, i.Z_PK`,
		p("ZTARGETBUNDLEID"), p("ZACCOUNT"), p("ZDIRECTION"), p("ZENDDATE"), p("ZCREATIONDATE"),
		p("ZRECIPIENTCOUNT"), p("ZDOMAINIDENTIFIER"), p("ZGROUPNAME"), p("ZCONTENTURL"), p("ZISRESPONSE"),
		sname, sid, spid, join)
	// Rows are collected first: recipients need a second query per row and
	// SQLite connections here are single (SetMaxOpenConns(1)).
	var list []*Interaction
	err = iosdb.Each(ctx, db, q, func(row iosdb.Row) error {
		it := &Interaction{ID: iosdb.Int(row["id"]), BundleID: iosdb.Str(row["bundle"]), TargetBundleID: iosdb.Str(row["target"]),
			Account: iosdb.Str(row["account"]), Start: iosdb.AppleTime(row["start"]), End: iosdb.AppleTime(row["end_date"]),
			Created: iosdb.AppleTime(row["created"]), RecipientCount: iosdb.Int(row["rcount"]),
			DomainIdentifier: iosdb.Str(row["domain"]), GroupName: iosdb.Str(row["grp"]), ContentURL: iosdb.Str(row["url"]),
			IsResponse: iosdb.Int(row["response"]) == 1}
		switch d := row["direction"]; {
		case d == nil:
		case iosdb.Int(d) == 0:
			it.Direction = "INCOMING"
		case iosdb.Int(d) == 1:
			it.Direction = "OUTGOING"
		default:
			it.Direction = iosdb.Str(d)
		}
		if s := (Party{DisplayName: iosdb.Str(row["sname"]), Identifier: iosdb.Str(row["sid"]), PersonID: iosdb.Str(row["spid"])}); s != (Party{}) {
			it.Sender = &s
		}
		list = append(list, it)
		return nil
	})
	if err != nil {
		return err
	}
	for _, it := range list {
		if recip != "" {
			err := iosdb.Each(ctx, db, recip, func(row iosdb.Row) error {
				if len(it.Recipients) < maxRecipients {
					it.Recipients = append(it.Recipients, Party{DisplayName: iosdb.Str(row["name"]), Identifier: iosdb.Str(row["ident"]), PersonID: iosdb.Str(row["pid"])})
				}
				return nil
			}, it.ID)
			if err != nil {
				return err
			}
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

// recipientQuery builds the lookup through Core Data's many-to-many table,
// whose name and columns carry entity numbers that change between versions
// (Z_2INTERACTIONRECIPIENT with Z_2RECIPIENTS and Z_3INTERACTIONRECIPIENT).
func recipientQuery(ctx context.Context, db *sqlitex.DB, tables map[string]bool, cc map[string]bool) (string, error) {
	if cc == nil || !cc["Z_PK"] {
		return "", nil
	}
	for t := range tables {
		if !strings.HasPrefix(t, "Z_") || !strings.HasSuffix(t, "INTERACTIONRECIPIENT") {
			continue
		}
		cols, err := db.Columns(ctx, t)
		if err != nil {
			return "", err
		}
		var contact, interaction string
		for c := range cols {
			switch {
			case strings.HasSuffix(c, "INTERACTIONRECIPIENT"):
				interaction = c
			case strings.HasSuffix(c, "RECIPIENTS"):
				contact = c
			}
		}
		if contact == "" || interaction == "" {
			continue
		}
		return fmt.Sprintf(`SELECT %s AS name, %s AS ident, %s AS pid FROM "%s" j JOIN ZCONTACTS c ON c.Z_PK = j."%s" WHERE j."%s" = ?`,
			iosdb.Pick(cc, "c", "ZDISPLAYNAME"), iosdb.Pick(cc, "c", "ZIDENTIFIER"), iosdb.Pick(cc, "c", "ZPERSONID"),
			t, contact, interaction), nil
	}
	return "", nil
}

func (it *Interaction) parties() (from, to string) {
	from, to = "unknown", "unknown"
	if it.Sender != nil {
		from = it.Sender.String()
	}
	if len(it.Recipients) > 0 {
		var rs []string
		for _, r := range it.Recipients {
			rs = append(rs, r.String())
		}
		to = strings.Join(rs, ", ")
	} else if it.DomainIdentifier != "" {
		to = it.DomainIdentifier
	}
	switch it.Direction {
	case "INCOMING":
		to = "local user"
	case "OUTGOING":
		from = "local user"
	}
	return from, to
}

func (it *Interaction) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: it}
	from, to := it.parties()
	r.Summary = fmt.Sprintf("[%s] %s from %s to %s", it.BundleID, it.Direction, from, to)
	if it.GroupName != "" {
		r.Summary += fmt.Sprintf(" (group: %s)", it.GroupName)
	}
	r.Stamp(it.Start, "interaction_start")
	if !it.End.Equal(it.Start) {
		r.Stamp(it.End, "interaction_end")
	}
	if !it.Created.IsZero() && !it.Start.IsZero() {
		if gap := it.Created.Sub(it.Start); gap >= lateCreation || gap <= -lateCreation {
			r.Stamp(it.Created, "interaction_record_created")
		}
	}
	add := func(p Party, field string) {
		if isEmail(p.Identifier) {
			r.Add(model.KindEmail, strings.TrimPrefix(p.Identifier, "mailto:"), field)
		}
	}
	if it.Sender != nil {
		add(*it.Sender, "sender.identifier")
	}
	for _, p := range it.Recipients {
		add(p, "recipients.identifier")
	}
	if strings.HasPrefix(it.ContentURL, "http://") || strings.HasPrefix(it.ContentURL, "https://") {
		r.Add(model.KindURL, it.ContentURL, "content_url")
	}
	return r
}

// isEmail excludes WhatsApp JIDs, which contain '@' but are not addresses.
func isEmail(s string) bool {
	if !strings.Contains(s, "@") {
		return false
	}
	for _, suf := range []string{"@lid", "@s.whatsapp.net", "@g.us", "@broadcast", "@newsletter"} {
		if strings.HasSuffix(s, suf) {
			return false
		}
	}
	return true
}
