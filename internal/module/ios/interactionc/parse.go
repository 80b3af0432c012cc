package interactionc

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/whatsappcontacts"
	"github.com/huella-project/huella/internal/sqlitex"
)

func read(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	return eachInteraction(ctx, db, whatsappIDs(ctx, env), func(i *Interaction) error {
		env.Emit(i.record(db.Name))
		return nil
	})
}

func readContacts(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	return eachContact(ctx, db, whatsappIDs(ctx, env), func(c *Contact) error {
		env.Emit(c.record(db.Name))
		return nil
	})
}

// whatsappIDs loads WhatsApp's address book, without which WhatsApp ids
// simply stay unresolved (nil).
func whatsappIDs(ctx context.Context, env *module.Env) resolver {
	dir, err := whatsappcontacts.Load(ctx, env)
	switch {
	case err == nil:
		return dir.Resolve
	case !errors.Is(err, module.ErrAbsent):
		env.Warn("WhatsApp contacts unreadable, WhatsApp ids stay unresolved: %v", err)
	}
	return nil
}

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

	startErr error          // ZSTARTDATE is no plausible date: the record keeps the raw value
	raw      model.RawDates // so are the end and creation dates that are none
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

// eachInteraction streams the interactions. The contacts, attachments and
// the Core Data join tables are each read once into maps and joined here,
// in Go: SQLite is never asked to join or to run a correlated subquery,
// which a crafted interactionC.db without indexes (or with lying
// statistics) turns quadratic.
func eachInteraction(ctx context.Context, db *sqlitex.DB, resolve resolver, fn func(*Interaction) error) error {
	ic, err := sqlitex.Need(ctx, db, "ZINTERACTIONS", "Z_PK", "ZSTARTDATE", "ZBUNDLEID")
	if err != nil {
		return err
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	p := func(c string) string { return sqlitex.Pick(ic, "i", c) }
	var contacts map[int64]Party
	var cc map[string]bool
	if tables["ZCONTACTS"] {
		if cc, err = db.Columns(ctx, "ZCONTACTS"); err != nil {
			return err
		}
		if cc["Z_PK"] {
			pc := func(c string) string { return sqlitex.Pick(cc, "", c) }
			contacts, err = sqlitex.Index(ctx, db, fmt.Sprintf(`SELECT Z_PK AS k, %s AS name, %s AS ident, %s AS pid FROM ZCONTACTS`,
				pc("ZDISPLAYNAME"), pc("ZIDENTIFIER"), pc("ZPERSONID")), func(r sqlitex.Row) (int64, Party, bool) {
				return r.Int("k"), Party{DisplayName: r.Text("name"), Identifier: r.Text("ident"), PersonID: r.Text("pid")}, true
			})
			if err != nil {
				return err
			}
		}
	}
	sender := "NULL"
	if contacts != nil && ic["ZSENDER"] {
		sender = "i.ZSENDER"
	}
	var recips map[int64][]int64
	if contacts != nil {
		if recips, err = links(ctx, db, tables, "INTERACTIONRECIPIENT", "RECIPIENTS"); err != nil {
			return err
		}
	}
	atts, attsOf, err := loadAttachments(ctx, db, tables)
	if err != nil {
		return err
	}
	q := fmt.Sprintf(`SELECT i.Z_PK AS id, %s AS bundle, %s AS target, %s AS account, %s AS direction,
		i.ZSTARTDATE AS start, %s AS end_date, %s AS created, %s AS rcount, %s AS domain, %s AS grp, %s AS url,
		%s AS response, %s AS loc, %s AS intent, %s AS mech, %s AS sender
		FROM ZINTERACTIONS i ORDER BY i.ZSTARTDATE, i.Z_PK`,
		sqlitex.Col("i", "ZBUNDLEID"), p("ZTARGETBUNDLEID"), p("ZACCOUNT"), p("ZDIRECTION"), p("ZENDDATE"), p("ZCREATIONDATE"),
		p("ZRECIPIENTCOUNT"), p("ZDOMAINIDENTIFIER"), p("ZGROUPNAME"), p("ZCONTENTURL"), p("ZISRESPONSE"),
		p("ZLOCATIONUUID"), p("ZDERIVEDINTENTIDENTIFIER"), p("ZMECHANISM"), sender)
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		it := &Interaction{RecordType: "interaction", ID: row.Int("id"), BundleID: row.Text("bundle"),
			TargetBundleID: row.Text("target"), Account: row.Text("account"),
			RecipientCount:   row.Int("rcount"),
			DomainIdentifier: row.Text("domain"), GroupName: row.Text("grp"), ContentURL: row.Text("url"),
			IsResponse: row.Int("response") == 1, LocationUUID: row.Text("loc"),
			DerivedIntentID: row.Text("intent"), Mechanism: row.Int("mech")}
		it.Start, it.startErr = sqlitex.AppleTimeChecked(row.Get("start"))
		var err error
		it.End, err = sqlitex.AppleTimeChecked(row.Get("end_date"))
		it.raw.Add("interaction_end", err)
		it.Created, err = sqlitex.AppleTimeChecked(row.Get("created"))
		it.raw.Add("interaction_record_created", err)
		switch d := row.Get("direction"); {
		case d == nil:
		case sqlitex.Int(d) == 0:
			it.Direction = "INCOMING"
		case sqlitex.Int(d) == 1:
			it.Direction = "OUTGOING"
		default:
			it.Direction = sqlitex.Text(d)
		}
		if sv := row.Get("sender"); sv != nil {
			if s, ok := contacts[sqlitex.Int(sv)]; ok && s != (Party{}) {
				it.Sender = &s
			}
		}
		for _, pk := range firstLinked(recips[it.ID], contacts, maxRecipients) {
			c := contacts[pk]
			it.Recipients = append(it.Recipients, Party{DisplayName: clip(c.DisplayName), Identifier: clip(c.Identifier), PersonID: clip(c.PersonID)})
		}
		for _, pk := range firstLinked(attsOf[it.ID], atts, maxAttachments) {
			it.Attachments = append(it.Attachments, atts[pk])
		}
		if resolve != nil && whatsappBundles[it.BundleID] {
			it.resolve(resolve)
		}
		return fn(it)
	})
}

// firstLinked returns the linked keys that exist in rows, lowest first, at
// most max of them: the Core Data order, bounded.
func firstLinked[V any](keys []int64, rows map[int64]V, max int) []int64 {
	if len(keys) == 0 {
		return nil
	}
	var out []int64
	for _, k := range keys {
		if _, ok := rows[k]; ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out[:min(len(out), max)]
}

// clip bounds one text of a linked row.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxText {
		return s
	}
	return string([]rune(s)[:maxText])
}

// links reads a Core Data many-to-many table (found by joinTable) into
// interaction -> linked keys, bounded by sqlitex.MaxJoinRows rows in all.
func links(ctx context.Context, db *sqlitex.DB, tables map[string]bool, suffix, otherSuffix string) (map[int64][]int64, error) {
	t, inter, other, err := joinTable(ctx, db, tables, suffix, otherSuffix)
	if err != nil || t == "" {
		return nil, err
	}
	out := map[int64][]int64{}
	n := 0
	err = sqlitex.Each(ctx, db, fmt.Sprintf(`SELECT "%s" AS i, "%s" AS o FROM "%s"`, inter, other, t), func(r sqlitex.Row) error {
		if r.Get("i") == nil || r.Get("o") == nil {
			return nil
		}
		if n++; n > sqlitex.MaxJoinRows {
			return nil
		}
		i := r.Int("i")
		out[i] = append(out[i], r.Int("o"))
		return nil
	})
	if n > sqlitex.MaxJoinRows {
		db.Note(fmt.Sprintf("%s: %s holds more than %d links; the rest were left out", db.Name, t, sqlitex.MaxJoinRows))
	}
	return out, err
}

// loadAttachments reads ZATTACHMENT and its link to interactions.
func loadAttachments(ctx context.Context, db *sqlitex.DB, tables map[string]bool) (map[int64]Attachment, map[int64][]int64, error) {
	if !tables["ZATTACHMENT"] {
		return nil, nil, nil
	}
	ac, err := db.Columns(ctx, "ZATTACHMENT")
	if err != nil || !ac["Z_PK"] {
		return nil, nil, err
	}
	linked, err := links(ctx, db, tables, "INTERACTIONS", "ATTACHMENTS")
	if err != nil || linked == nil {
		return nil, nil, err
	}
	pa := func(c string) string { return sqlitex.Pick(ac, "", c) }
	atts, err := sqlitex.Index(ctx, db, fmt.Sprintf(`SELECT Z_PK AS k, %s AS text, %s AS uti, %s AS url, %s AS size, %s AS photo, %s AS ident, %s AS cloud FROM ZATTACHMENT`,
		pa("ZCONTENTTEXT"), pa("ZUTI"), pa("ZCONTENTURL"), pa("ZSIZEINBYTES"), pa("ZPHOTOLOCALIDENTIFIER"), pa("ZIDENTIFIER"), pa("ZCLOUDIDENTIFIER")),
		func(r sqlitex.Row) (int64, Attachment, bool) {
			a := Attachment{ContentText: clip(r.Text("text")), UTI: clip(r.Text("uti")), ContentURL: clip(r.Text("url")),
				Size: r.Int("size"), PhotoLocalID: clip(r.Text("photo")), CloudID: clip(r.Text("cloud"))}
			if v := r.Get("ident"); v != nil {
				a.ID = hexOf(v)
			}
			return r.Int("k"), a, true
		})
	return atts, linked, err
}

// hexOf is SQLite's hex() of a value, cut to maxText characters: the
// identifier is a blob, shown as upper-case hex.
func hexOf(v any) string {
	var b []byte
	switch x := v.(type) {
	case []byte:
		b = x
	default:
		b = []byte(sqlitex.Text(v))
	}
	if len(b) > maxText/2 {
		b = b[:maxText/2]
	}
	return strings.ToUpper(hex.EncodeToString(b))
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
	r.KeepRaw(it.raw)
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
