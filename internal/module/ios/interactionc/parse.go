package interactionc

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Party is a contact row of interactionC.db, with the phone number and name
// WhatsApp's address book gives a bare WhatsApp id.
type Party struct {
	DisplayName   string `json:"display_name,omitempty"`
	Identifier    string `json:"identifier,omitempty"` // phone, e-mail, WhatsApp JID…
	PersonID      string `json:"person_id,omitempty"`
	ResolvedPhone string `json:"resolved_phone_number,omitempty"`
	ResolvedName  string `json:"resolved_name,omitempty"`
}

func (p Party) String() string {
	name, id := p.DisplayName, p.Identifier
	if name == "" {
		name = p.ResolvedName
	}
	if p.ResolvedPhone != "" {
		id = p.ResolvedPhone
	}
	switch {
	case name != "" && id != "":
		return fmt.Sprintf("%s (%s)", name, id)
	case id != "":
		return id
	}
	return name
}

// Attachment is a ZATTACHMENT row linked to an interaction.
type Attachment struct {
	ContentText  string `json:"content_text,omitempty"`
	UTI          string `json:"uti,omitempty"`
	ContentURL   string `json:"content_url,omitempty"`
	Size         int64  `json:"size,omitempty"`
	PhotoLocalID string `json:"photo_local_id,omitempty"`
	ID           string `json:"attachment_id,omitempty"` // hex of the identifier blob
	CloudID      string `json:"cloud_id,omitempty"`
}

// Interaction is one ZINTERACTIONS row.
type Interaction struct {
	RecordType          string       `json:"record_type"` // "interaction"
	ID                  int64        `json:"id"`
	BundleID            string       `json:"bundle_id"`
	TargetBundleID      string       `json:"target_bundle_id,omitempty"`
	Account             string       `json:"account,omitempty"`
	Direction           string       `json:"direction"` // INCOMING, OUTGOING or the raw value
	Mechanism           int64        `json:"mechanism,omitempty"`
	Start               time.Time    `json:"start,omitzero"`
	End                 time.Time    `json:"end,omitzero"`
	Created             time.Time    `json:"created,omitzero"`
	Sender              *Party       `json:"sender,omitempty"`
	Recipients          []Party      `json:"recipients,omitempty"`
	RecipientCount      int64        `json:"recipient_count,omitempty"`
	DomainIdentifier    string       `json:"domain_identifier,omitempty"`
	DomainResolvedPhone string       `json:"domain_resolved_phone_number,omitempty"`
	DomainResolvedName  string       `json:"domain_resolved_name,omitempty"`
	GroupName           string       `json:"group_name,omitempty"`
	ContentURL          string       `json:"content_url,omitempty"`
	LocationUUID        string       `json:"location_uuid,omitempty"`
	DerivedIntentID     string       `json:"derived_intent_id,omitempty"`
	IsResponse          bool         `json:"is_response,omitempty"`
	Attachments         []Attachment `json:"attachments,omitempty"`

	startErr error // ZSTARTDATE is no plausible date: the record keeps the raw value
}

// lateCreation is how far the row's creation may trail its event before the
// gap is put on the timeline: rows written long after the fact are worth a look.
const lateCreation = time.Hour

// Bounds on what one interaction carries; Core Data join tables in a
// hostile database could tie millions of rows to one interaction.
const (
	maxRecipients  = 100
	maxAttachments = 20
	maxText        = 4096
)

// resolver maps a WhatsApp id to a phone number and name (nil: no names).
type resolver func(id string) (phone, name string)

// whatsappBundles are the apps whose identifiers are WhatsApp ids.
var whatsappBundles = map[string]bool{"net.whatsapp.WhatsApp": true, "net.whatsapp.WhatsAppSMB": true}

// eachInteraction streams the interactions in one query: recipients and
// attachments come back as JSON arrays from correlated subqueries, because
// the connection is single and a nested query per row would force holding
// every interaction in memory first.
func eachInteraction(ctx context.Context, db *sqlitex.DB, resolve resolver, fn func(*Interaction) error) error {
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
	recip, err := recipientsJSON(ctx, db, tables, cc)
	if err != nil {
		return err
	}
	atts, err := attachmentsJSON(ctx, db, tables)
	if err != nil {
		return err
	}
	q := fmt.Sprintf(`SELECT i.Z_PK AS id, i.ZBUNDLEID AS bundle, %s AS target, %s AS account, %s AS direction,
		i.ZSTARTDATE AS start, %s AS end_date, %s AS created, %s AS rcount, %s AS domain, %s AS grp, %s AS url,
		%s AS response, %s AS loc, %s AS intent, %s AS mech, %s AS sname, %s AS sid, %s AS spid,
		%s AS recipients, %s AS attachments
		FROM ZINTERACTIONS i%s ORDER BY i.ZSTARTDATE, i.Z_PK`,
		p("ZTARGETBUNDLEID"), p("ZACCOUNT"), p("ZDIRECTION"), p("ZENDDATE"), p("ZCREATIONDATE"),
		p("ZRECIPIENTCOUNT"), p("ZDOMAINIDENTIFIER"), p("ZGROUPNAME"), p("ZCONTENTURL"), p("ZISRESPONSE"),
		p("ZLOCATIONUUID"), p("ZDERIVEDINTENTIDENTIFIER"), p("ZMECHANISM"),
		sname, sid, spid, recip, atts, join)
	return iosdb.Each(ctx, db, q, func(row iosdb.Row) error {
		it := &Interaction{RecordType: "interaction", ID: iosdb.Int(row.Get("id")), BundleID: iosdb.Str(row.Get("bundle")),
			TargetBundleID: iosdb.Str(row.Get("target")), Account: iosdb.Str(row.Get("account")),
			End:     iosdb.AppleTime(row.Get("end_date")),
			Created: iosdb.AppleTime(row.Get("created")), RecipientCount: iosdb.Int(row.Get("rcount")),
			DomainIdentifier: iosdb.Str(row.Get("domain")), GroupName: iosdb.Str(row.Get("grp")), ContentURL: iosdb.Str(row.Get("url")),
			IsResponse: iosdb.Int(row.Get("response")) == 1, LocationUUID: iosdb.Str(row.Get("loc")),
			DerivedIntentID: iosdb.Str(row.Get("intent")), Mechanism: iosdb.Int(row.Get("mech"))}
		it.Start, it.startErr = iosdb.AppleTimeChecked(row.Get("start"))
		switch d := row.Get("direction"); {
		case d == nil:
		case iosdb.Int(d) == 0:
			it.Direction = "INCOMING"
		case iosdb.Int(d) == 1:
			it.Direction = "OUTGOING"
		default:
			it.Direction = iosdb.Str(d)
		}
		if s := (Party{DisplayName: iosdb.Str(row.Get("sname")), Identifier: iosdb.Str(row.Get("sid")), PersonID: iosdb.Str(row.Get("spid"))}); s != (Party{}) {
			it.Sender = &s
		}
		if err := decodeJSON(row.Get("recipients"), &it.Recipients); err != nil {
			return fmt.Errorf("%s: interaction %d: recipients: %w", db.Name, it.ID, err)
		}
		if err := decodeJSON(row.Get("attachments"), &it.Attachments); err != nil {
			return fmt.Errorf("%s: interaction %d: attachments: %w", db.Name, it.ID, err)
		}
		if resolve != nil && whatsappBundles[it.BundleID] {
			it.resolve(resolve)
		}
		return fn(it)
	})
}

func decodeJSON[T any](v any, into *[]T) error {
	s := iosdb.Str(v)
	if s == "" || s == "[]" {
		return nil
	}
	return json.Unmarshal([]byte(s), into)
}

func (it *Interaction) resolve(resolve resolver) {
	fill := func(p *Party) {
		if p.Identifier != "" {
			p.ResolvedPhone, p.ResolvedName = resolve(p.Identifier)
		}
	}
	if it.Sender != nil {
		fill(it.Sender)
	}
	for i := range it.Recipients {
		fill(&it.Recipients[i])
	}
	if it.DomainIdentifier != "" {
		it.DomainResolvedPhone, it.DomainResolvedName = resolve(it.DomainIdentifier)
	}
}

// text is a column as bounded text inside a JSON object (json_object
// refuses blobs, which Core Data sometimes stores strings as).
func text(cols map[string]bool, alias, col string) string {
	return fmt.Sprintf("substr(CAST(%s AS TEXT), 1, %d)", iosdb.Pick(cols, alias, col), maxText)
}

// joinTable finds a Core Data many-to-many table. Its name and columns carry
// entity numbers that change between versions (Z_2INTERACTIONRECIPIENT with
// Z_2RECIPIENTS and Z_3INTERACTIONRECIPIENT; Z_1INTERACTIONS with
// Z_1ATTACHMENTS and Z_3INTERACTIONS).
func joinTable(ctx context.Context, db *sqlitex.DB, tables map[string]bool, suffix, otherSuffix string) (table, interaction, other string, err error) {
	for t := range tables {
		if !strings.HasPrefix(t, "Z_") || !strings.HasSuffix(t, suffix) {
			continue
		}
		cols, err := db.Columns(ctx, t)
		if err != nil {
			return "", "", "", err
		}
		interaction, other = "", ""
		for c := range cols {
			switch {
			case strings.HasSuffix(c, suffix):
				interaction = c
			case strings.HasSuffix(c, otherSuffix):
				other = c
			}
		}
		if interaction != "" && other != "" {
			return t, interaction, other, nil
		}
	}
	return "", "", "", nil
}

func recipientsJSON(ctx context.Context, db *sqlitex.DB, tables, cc map[string]bool) (string, error) {
	if cc == nil || !cc["Z_PK"] {
		return "NULL", nil
	}
	t, inter, contact, err := joinTable(ctx, db, tables, "INTERACTIONRECIPIENT", "RECIPIENTS")
	if err != nil || t == "" {
		return "NULL", err
	}
	return fmt.Sprintf(`(SELECT json_group_array(json_object('display_name', %s, 'identifier', %s, 'person_id', %s))
		FROM (SELECT c.* FROM "%s" j JOIN ZCONTACTS c ON c.Z_PK = j."%s" WHERE j."%s" = i.Z_PK ORDER BY c.Z_PK LIMIT %d) c)`,
		text(cc, "c", "ZDISPLAYNAME"), text(cc, "c", "ZIDENTIFIER"), text(cc, "c", "ZPERSONID"),
		t, contact, inter, maxRecipients), nil
}

func attachmentsJSON(ctx context.Context, db *sqlitex.DB, tables map[string]bool) (string, error) {
	if !tables["ZATTACHMENT"] {
		return "NULL", nil
	}
	ac, err := db.Columns(ctx, "ZATTACHMENT")
	if err != nil || !ac["Z_PK"] {
		return "NULL", err
	}
	t, inter, att, err := joinTable(ctx, db, tables, "INTERACTIONS", "ATTACHMENTS")
	if err != nil || t == "" {
		return "NULL", err
	}
	return fmt.Sprintf(`(SELECT json_group_array(json_object('content_text', %s, 'uti', %s, 'content_url', %s,
		'size', CAST(%s AS INTEGER), 'photo_local_id', %s, 'attachment_id', substr(hex(%s), 1, %d), 'cloud_id', %s))
		FROM (SELECT a.* FROM "%s" j JOIN ZATTACHMENT a ON a.Z_PK = j."%s" WHERE j."%s" = i.Z_PK ORDER BY a.Z_PK LIMIT %d) a)`,
		text(ac, "a", "ZCONTENTTEXT"), text(ac, "a", "ZUTI"), text(ac, "a", "ZCONTENTURL"), iosdb.Pick(ac, "a", "ZSIZEINBYTES"),
		text(ac, "a", "ZPHOTOLOCALIDENTIFIER"), iosdb.Pick(ac, "a", "ZIDENTIFIER"), maxText, text(ac, "a", "ZCLOUDIDENTIFIER"),
		t, att, inter, maxAttachments), nil
}

func (it *Interaction) parties() (from, to string) {
	from, to = "unknown", "unknown"
	if it.Sender != nil {
		from = it.Sender.String()
	}
	var rs []string
	for _, r := range it.Recipients {
		if s := r.String(); s != "" {
			rs = append(rs, s)
		}
	}
	if len(rs) > 0 {
		to = strings.Join(rs, ", ")
	} else if it.DomainIdentifier != "" {
		to = Party{Identifier: it.DomainIdentifier, ResolvedPhone: it.DomainResolvedPhone, ResolvedName: it.DomainResolvedName}.String()
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
	r.StampChecked(it.Start, it.startErr, "interaction_start")
	if !it.End.Equal(it.Start) {
		r.Stamp(it.End, "interaction_end")
	}
	if !it.Created.IsZero() && !it.Start.IsZero() {
		if gap := it.Created.Sub(it.Start); gap >= lateCreation || gap <= -lateCreation {
			r.Stamp(it.Created, "interaction_record_created")
		}
	}
	if it.Sender != nil {
		addEmail(r, *it.Sender, "sender.identifier")
	}
	for _, p := range it.Recipients {
		addEmail(r, p, "recipients.identifier")
	}
	addURL(r, it.ContentURL, "content_url")
	for _, a := range it.Attachments {
		addURL(r, a.ContentURL, "attachments.content_url")
	}
	return r
}

func addEmail(r *model.Record, p Party, field string) {
	if isEmail(p.Identifier) {
		r.Add(model.KindEmail, strings.TrimPrefix(p.Identifier, "mailto:"), field)
	}
}

func addURL(r *model.Record, u, field string) {
	if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		r.Add(model.KindURL, u, field)
	}
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
