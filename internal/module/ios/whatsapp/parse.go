package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/distinct"
	"github.com/huella-project/huella/internal/sqlitex"
	"github.com/huella-project/huella/internal/urlx"
)

func read(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	// LID.sqlite sits beside ChatStorage.sqlite; in backups it may be on disk
	// without a Manifest.db row, which the backup FS resolves by name.
	pairs, err := lidPairs(ctx, env, path.Join(path.Dir(db.Name), "LID.sqlite"), db)
	if err != nil && !errors.Is(err, module.ErrAbsent) {
		env.Warn("LID pairs unreadable, @lid accounts stay unresolved: %v", err)
	}
	lids := map[string]string{}
	for _, p := range pairs {
		lids[p.LID] = p.PhoneNumber
		env.Emit(p.record())
	}
	if err := eachMessage(ctx, db, func(m *Message) error {
		env.Emit(m.record(db.Name))
		return nil
	}); err != nil {
		return err
	}
	return eachSession(ctx, db, lids, func(s *Session) error {
		env.Emit(s.record(db.Name))
		return nil
	})
}

// Message is one ZWAMESSAGE row with the link-bearing columns of its media
// and link-preview rows.
type Message struct {
	RecordType string    `json:"record_type"` // "message"
	ID         int64     `json:"id"`
	SessionID  int64     `json:"session_id,omitempty"`
	From       string    `json:"from_jid,omitempty"`
	To         string    `json:"to_jid,omitempty"`
	FromMe     bool      `json:"from_me"`
	Text       string    `json:"text"`
	Date       time.Time `json:"date,omitzero"`
	MediaURL   string    `json:"media_url,omitempty"`
	Preview    []string  `json:"preview,omitempty"` // link-preview texts (matched text, content, title)
	Links      []string  `json:"links,omitempty"`

	dateErr error // ZMESSAGEDATE is no plausible date: the record keeps the raw value
}

// Session is one ZWACHATSESSION row with statistics over its messages.
type Session struct {
	RecordType           string    `json:"record_type"` // "chat_session"
	ID                   int64     `json:"id"`
	ContactJID           string    `json:"contact_jid"`
	PartnerName          string    `json:"partner_name,omitempty"`
	SessionType          int64     `json:"session_type"`
	Archived             bool      `json:"archived,omitempty"`
	Removed              bool      `json:"removed,omitempty"`
	MessageCounter       int64     `json:"message_counter"`
	LastMessageDate      time.Time `json:"last_message_date,omitzero"`
	GroupCreated         time.Time `json:"group_creation_date,omitzero"`
	FirstStoredMessage   time.Time `json:"first_stored_message_date,omitzero"`
	LastStoredMessage    time.Time `json:"last_stored_message_date,omitzero"`
	StoredMessageCount   int64     `json:"stored_message_count"`
	PartnerResolvedPhone string    `json:"partner_resolved_phone_number,omitempty"`

	raw model.RawDates // dates that are no plausible date, kept as stored
}

// LIDPair maps an anonymous WhatsApp LID to a phone number.
type LIDPair struct {
	RecordType  string    `json:"record_type"` // "lid_phone_number_pair"
	LID         string    `json:"lid"`
	PhoneNumber string    `json:"phone_number"`
	Timestamp   time.Time `json:"pair_timestamp,omitzero"`
	source      string
	tsErr       error // ZTIMESTAMP is no plausible date: the record keeps it as stored
}

// WhatsApp's own media hosts carry every photo and voice note; they are not
// links anyone sent.
var ownMedia = []string{"https://mmg-fna.whatsapp.net/", "https://mmg.whatsapp.net/"}

func links(texts ...string) []string {
	var out distinct.List[string]
	for _, t := range texts {
	next:
		for _, l := range urlx.ExtractLinks(t) {
			for _, m := range ownMedia {
				if strings.HasPrefix(l, m) {
					continue next
				}
			}
			out.Add(l)
		}
	}
	return out.Values()
}

// maxJoinBytes bounds the preview texts held in memory to join in Go.
const maxJoinBytes = 256 << 20

// eachMessage streams messages with their media URL and link previews. The
// media and data items are read into maps and joined here, in Go, never by
// SQLite (a crafted ChatStorage.sqlite without indexes, or with lying
// statistics, makes SQL joins quadratic). A message with several media items
// repeats its previews once per item, as the SQL join this replaces did.
func eachMessage(ctx context.Context, db *sqlitex.DB, fn func(*Message) error) error {
	c, err := sqlitex.Need(ctx, db, "ZWAMESSAGE", "Z_PK", "ZTEXT", "ZMESSAGEDATE")
	if err != nil {
		return err
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	p := func(col string) string { return sqlitex.Pick(c, "m", col) }
	type media struct {
		url any
		n   int // media items of the message
	}
	medias := map[int64]*media{}
	if tables["ZWAMEDIAITEM"] {
		mc, err := db.Columns(ctx, "ZWAMEDIAITEM")
		if err != nil {
			return err
		}
		if mc["ZMESSAGE"] && mc["ZMEDIAURL"] {
			err := sqlitex.Each(ctx, db, "SELECT ZMESSAGE AS m, "+sqlitex.Col("", "ZMEDIAURL")+" AS url FROM ZWAMEDIAITEM", func(r sqlitex.Row) error {
				if r.Get("m") == nil {
					return nil
				}
				id := r.Int("m")
				if mi := medias[id]; mi != nil {
					mi.n++
				} else if len(medias) < sqlitex.MaxJoinRows {
					medias[id] = &media{url: r.Get("url"), n: 1}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	previews := map[int64][][]string{}
	if tables["ZWAMESSAGEDATAITEM"] {
		dc, err := db.Columns(ctx, "ZWAMESSAGEDATAITEM")
		if err != nil {
			return err
		}
		if dc["ZMESSAGE"] {
			pd := func(col string) string { return sqlitex.Pick(dc, "", col) }
			kept, rows, full := 0, 0, false
			err := sqlitex.Each(ctx, db, fmt.Sprintf(`SELECT ZMESSAGE AS m, %s AS matched, %s AS c1, %s AS c2, %s AS title, %s AS summary FROM ZWAMESSAGEDATAITEM`,
				pd("ZMATCHEDTEXT"), pd("ZCONTENT1"), pd("ZCONTENT2"), pd("ZTITLE"), pd("ZSUMMARY")), func(r sqlitex.Row) error {
				if r.Get("m") == nil || full {
					return nil
				}
				var item []string
				for _, k := range []string{"matched", "c1", "c2", "title", "summary"} {
					item = append(item, sqlitex.Text(r.Get(k)))
					kept += len(item[len(item)-1])
				}
				if rows++; rows > sqlitex.MaxJoinRows || kept > maxJoinBytes {
					full = true
					db.Note(fmt.Sprintf("%s: ZWAMESSAGEDATAITEM holds more than %d rows or %d bytes of text; the previews of the rest were left out", db.Name, sqlitex.MaxJoinRows, maxJoinBytes))
					return nil
				}
				id := r.Int("m")
				previews[id] = append(previews[id], item)
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	q := fmt.Sprintf(`SELECT m.Z_PK AS id, %s AS session, %s AS from_jid, %s AS to_jid, %s AS text,
		m.ZMESSAGEDATE AS date, %s AS from_me FROM ZWAMESSAGE m ORDER BY m.Z_PK`,
		p("ZCHATSESSION"), p("ZFROMJID"), p("ZTOJID"), sqlitex.Col("m", "ZTEXT"), p("ZISFROMME"))
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		id := row.Int("id")
		m := &Message{RecordType: "message", ID: id, SessionID: row.Int("session"),
			From: row.Text("from_jid"), To: row.Text("to_jid"), Text: row.Text("text"),
			FromMe: row.Int("from_me") == 1}
		m.Date, m.dateErr = sqlitex.AppleTimeChecked(row.Get("date"))
		copies := 1
		if mi := medias[id]; mi != nil {
			m.MediaURL, copies = sqlitex.Text(mi.url), mi.n
		}
	fill:
		for range copies {
			for _, item := range previews[id] {
				for _, s := range item {
					if len(m.Preview) >= 20 {
						break fill
					}
					if s != "" {
						m.Preview = append(m.Preview, s)
					}
				}
			}
		}
		return emitMessage(m, fn)
	})
}

func emitMessage(m *Message, fn func(*Message) error) error {
	m.Links = links(append([]string{m.Text, m.MediaURL}, m.Preview...)...)
	return fn(m)
}

func (m *Message) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: m}
	who := m.From
	if m.FromMe {
		who = "local user to " + m.To
	}
	r.Summary = fmt.Sprintf("WhatsApp message %q from %s", model.OneLine(m.Text, 200), who)
	if len(m.Links) > 0 {
		r.Summary += " - Embedded links: " + strings.Join(m.Links, ", ")
	}
	if m.FromMe {
		r.StampChecked(m.Date, m.dateErr, "whatsapp_message_sent")
	} else {
		r.StampChecked(m.Date, m.dateErr, "whatsapp_message_received")
	}
	for _, l := range m.Links {
		r.Add(model.KindURL, l, "links")
	}
	return r
}

func eachSession(ctx context.Context, db *sqlitex.DB, lids map[string]string, fn func(*Session) error) error {
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	if !tables["ZWACHATSESSION"] {
		return nil // messages were read; older stores keep sessions elsewhere
	}
	c, err := sqlitex.Need(ctx, db, "ZWACHATSESSION", "Z_PK", "ZCONTACTJID")
	if err != nil {
		return err
	}
	// The group's creation and each session's message statistics are read
	// with one query per table and joined here (see eachMessage).
	p := func(col string) string { return sqlitex.Pick(c, "s", col) }
	var groups map[int64]any
	group := "NULL"
	if tables["ZWAGROUPINFO"] && c["ZGROUPINFO"] {
		gc, err := db.Columns(ctx, "ZWAGROUPINFO")
		if err != nil {
			return err
		}
		if gc["Z_PK"] && gc["ZCREATIONDATE"] {
			group = "s.ZGROUPINFO"
			groups, err = sqlitex.Index(ctx, db, "SELECT Z_PK AS k, ZCREATIONDATE AS v FROM ZWAGROUPINFO", func(r sqlitex.Row) (int64, any, bool) {
				return r.Int("k"), r.Get("v"), r.Get("k") != nil
			})
			if err != nil {
				return err
			}
		}
	}
	mc, err := db.Columns(ctx, "ZWAMESSAGE")
	if err != nil {
		return err
	}
	type stat struct {
		first, last any
		n           int64
	}
	var stats map[int64]stat
	if mc["ZCHATSESSION"] {
		// One pass over the messages, grouped (sorted, never joined).
		stats, err = sqlitex.Index(ctx, db, `SELECT ZCHATSESSION AS k, min(ZMESSAGEDATE) AS first, max(ZMESSAGEDATE) AS last, count(*) AS n FROM ZWAMESSAGE GROUP BY ZCHATSESSION`,
			func(r sqlitex.Row) (int64, stat, bool) {
				return r.Int("k"), stat{r.Get("first"), r.Get("last"), r.Int("n")}, r.Get("k") != nil
			})
		if err != nil {
			return err
		}
	}
	q := fmt.Sprintf(`SELECT s.Z_PK AS id, %s AS jid, %s AS name, %s AS type, %s AS archived, %s AS removed,
		%s AS counter, %s AS last_date, %s AS grp FROM ZWACHATSESSION s ORDER BY s.Z_PK`,
		sqlitex.Col("s", "ZCONTACTJID"), p("ZPARTNERNAME"), p("ZSESSIONTYPE"), p("ZARCHIVED"), p("ZREMOVED"), p("ZMESSAGECOUNTER"),
		p("ZLASTMESSAGEDATE"), group)
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		id := row.Int("id")
		var created any
		if g := row.Get("grp"); g != nil {
			created = groups[sqlitex.Int(g)]
		}
		st := stats[id]
		s := &Session{RecordType: "chat_session", ID: id, ContactJID: row.Text("jid"),
			PartnerName: row.Text("name"), SessionType: row.Int("type"),
			Archived: row.Int("archived") == 1, Removed: row.Int("removed") == 1,
			MessageCounter: row.Int("counter"), StoredMessageCount: st.n}
		at := func(v any, desc string) time.Time {
			t, err := sqlitex.AppleTimeChecked(v)
			s.raw.Add(desc, err)
			return t
		}
		s.LastMessageDate = at(row.Get("last_date"), "chat_last_message")
		s.GroupCreated = at(created, "group_created")
		s.FirstStoredMessage = at(st.first, "chat_first_message")
		s.LastStoredMessage = at(st.last, "chat_last_stored_message")
		if lid, ok := strings.CutSuffix(s.ContactJID, "@lid"); ok {
			if ph := lids[lid]; ph != "" {
				s.PartnerResolvedPhone = "+" + strings.TrimPrefix(ph, "+")
			}
		}
		return fn(s)
	})
}

func (s *Session) party() string {
	p := s.PartnerName
	if p == "" {
		p = s.ContactJID
	}
	if s.PartnerResolvedPhone != "" {
		return fmt.Sprintf("'%s' (%s)", p, s.PartnerResolvedPhone)
	}
	return fmt.Sprintf("'%s' (%s)", p, s.ContactJID)
}

func (s *Session) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: s}
	r.Summary = fmt.Sprintf("WhatsApp chat with %s, %d stored messages", s.party(), s.StoredMessageCount)
	r.Stamp(s.GroupCreated, "group_created")
	r.Stamp(s.FirstStoredMessage, "chat_first_message")
	last := s.LastMessageDate
	if last.IsZero() {
		last = s.LastStoredMessage
	}
	r.Stamp(last, "chat_last_message")
	r.KeepRaw(s.raw)
	return r
}

// lidPairs reads ZWAPHONENUMBERLIDPAIR from LID.sqlite, else from
// ChatStorage.sqlite (older versions kept the table there).
func lidPairs(ctx context.Context, env *module.Env, lidPath string, chat *sqlitex.DB) ([]*LIDPair, error) {
	if found := env.Find(lidPath); len(found) > 0 {
		db, err := env.OpenDB(found[0])
		if err != nil {
			return nil, err
		}
		defer db.Close()
		return readPairs(ctx, db)
	}
	tables, err := chat.Tables(ctx)
	if err != nil {
		return nil, err
	}
	if !tables["ZWAPHONENUMBERLIDPAIR"] {
		return nil, module.Absent("LID.sqlite")
	}
	return readPairs(ctx, chat)
}

// maxPairs bounds the LID map held in memory.
const maxPairs = 1_000_000

func readPairs(ctx context.Context, db *sqlitex.DB) ([]*LIDPair, error) {
	c, err := sqlitex.Need(ctx, db, "ZWAPHONENUMBERLIDPAIR", "ZLID", "ZPHONENUMBER")
	if err != nil {
		return nil, err
	}
	var out []*LIDPair
	q := fmt.Sprintf(`SELECT %s AS lid, %s AS phone, %s AS ts FROM ZWAPHONENUMBERLIDPAIR LIMIT %d`,
		sqlitex.Col("", "ZLID"), sqlitex.Col("", "ZPHONENUMBER"), sqlitex.Pick(c, "", "ZTIMESTAMP"), maxPairs)
	err = sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		p := &LIDPair{RecordType: "lid_phone_number_pair", LID: strings.TrimSuffix(row.Text("lid"), "@lid"),
			PhoneNumber: row.Text("phone"), source: db.Name}
		p.Timestamp, p.tsErr = sqlitex.AppleTimeChecked(row.Get("ts"))
		out = append(out, p)
		return nil
	})
	return out, err
}

func (p *LIDPair) record() *model.Record {
	r := &model.Record{Source: p.source, Data: p}
	r.Summary = fmt.Sprintf("WhatsApp associated LID %s with phone number %s", p.LID, p.PhoneNumber)
	r.StampChecked(p.Timestamp, p.tsErr, "lid_pair_recorded")
	return r
}
