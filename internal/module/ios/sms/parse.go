package sms

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/messages"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/contacts"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/sqlitex"
)

func read(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	known, contactsKnown := contacts.Senders(ctx, env)
	return eachMessage(ctx, db, func(m *Message) error {
		if contactsKnown && m.Handle != "" {
			k := known(m.Handle)
			m.SenderKnown = &k
		}
		r := m.record(db.Name)
		env.Emit(r)
		for _, f := range m.findings() {
			env.Detect(detection(f, r))
		}
		return nil
	})
}

// Message is one row of sms.db's message table.
type Message struct {
	ID             int64     `json:"id"`
	GUID           string    `json:"guid,omitempty"`
	Service        string    `json:"service,omitempty"`         // SMS, iMessage, RCS
	Handle         string    `json:"handle,omitempty"`          // the other party: phone number or e-mail
	Account        string    `json:"account,omitempty"`         // the local account used
	Chat           string    `json:"chat_identifier,omitempty"` // from chat_message_join: a group's "chat…" id, else the party
	ChatName       string    `json:"chat_name,omitempty"`       // a group's display name
	GroupChat      bool      `json:"group_chat,omitempty"`
	Direction      string    `json:"direction"` // "sent" or "received"
	FromMe         bool      `json:"from_me"`
	Text           string    `json:"text"`
	TextSource     string    `json:"text_source,omitempty"` // "attributedBody" when text was NULL
	Subject        string    `json:"subject,omitempty"`
	Date           time.Time `json:"date,omitzero"`
	DateRead       time.Time `json:"date_read,omitzero"`
	DateDelivered  time.Time `json:"date_delivered,omitzero"`
	HasAttachments bool      `json:"has_attachments,omitempty"`
	Links          []string  `json:"links,omitempty"`
	SenderKnown    *bool     `json:"sender_known,omitempty"` // nil when the address book was not available

	// dateErr and readErr keep a date column that is no plausible date;
	// the record carries the raw value (model.Record.StampChecked).
	dateErr, readErr error
	// raw keeps a delivery date that is no plausible date: it is not on
	// the timeline, but the record shows it as stored.
	raw model.RawDates
}

// eachMessage streams messages. Unlike an inner join on handle, messages
// without a handle (sent to groups, system messages) are kept.
//
// The handle, chat and chat_message_join tables are each read once into
// maps and joined here, in Go: SQLite is never asked to join, since a
// crafted sms.db whose chat_message_join has no index (or whose statistics
// lie) makes every join quadratic (40,000 messages took two minutes).
func eachMessage(ctx context.Context, db *sqlitex.DB, fn func(*Message) error) error {
	mc, err := sqlitex.Need(ctx, db, "message", "ROWID", "date", "is_from_me")
	if err != nil {
		return err
	}
	if !mc["text"] && !mc["attributedBody"] {
		return &sqlitex.SchemaError{DB: db.Name, Table: "message", Column: "text"}
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	var handles map[int64]any
	if tables["handle"] && mc["handle_id"] {
		hc, err := db.Columns(ctx, "handle")
		if err != nil {
			return err
		}
		if hc["ROWID"] && hc["id"] {
			handles, err = sqlitex.Index(ctx, db, `SELECT ROWID AS k, `+sqlitex.Col("", "id")+` AS v FROM handle`, func(r sqlitex.Row) (int64, any, bool) {
				return r.Int("k"), r.Get("v"), true
			})
			if err != nil {
				return err
			}
		}
	}
	chats, chatOf, err := loadChats(ctx, db, tables)
	if err != nil {
		return err
	}
	p := func(c string) string { return sqlitex.Pick(mc, "m", c) }
	handleID := "NULL"
	if handles != nil {
		handleID = "m.handle_id"
	}
	q := fmt.Sprintf(`SELECT m.ROWID AS id, %s AS guid, %s AS text, %s AS body, %s AS service,
		%s AS account, %s AS subject, m.date AS date, %s AS date_read, %s AS date_delivered,
		m.is_from_me AS from_me, %s AS has_att, %s AS handle_id
		FROM message m ORDER BY m.ROWID`,
		p("guid"), p("text"), p("attributedBody"), p("service"), p("account"), p("subject"),
		p("date_read"), p("date_delivered"), p("cache_has_attachments"), handleID)
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		m := messageFrom(row)
		if h, ok := handles[row.Int("handle_id")]; ok && row.Get("handle_id") != nil {
			m.Handle = sqlitex.Text(h)
		}
		if cid, ok := chatOf[m.ID]; ok {
			if c, ok := chats[cid]; ok {
				m.Chat, m.ChatName = c.id, c.name
				setGroup(m, c.style)
			}
		}
		return fn(m)
	})
}

// chatRow is what a message needs of its conversation.
type chatRow struct {
	id, name string
	style    any // nil when the column is absent
}

// loadChats reads the chat table and, from chat_message_join, the
// conversation of each message (the lowest chat id when a message is in
// several, as iOS and MVT take it).
func loadChats(ctx context.Context, db *sqlitex.DB, tables map[string]bool) (map[int64]chatRow, map[int64]int64, error) {
	if !tables["chat"] || !tables["chat_message_join"] {
		return nil, nil, nil
	}
	jc, err := db.Columns(ctx, "chat_message_join")
	if err != nil {
		return nil, nil, nil
	}
	cc, err := db.Columns(ctx, "chat")
	if err != nil {
		return nil, nil, nil
	}
	if !jc["chat_id"] || !jc["message_id"] || !cc["ROWID"] || !cc["chat_identifier"] {
		return nil, nil, nil
	}
	chats, err := sqlitex.Index(ctx, db, fmt.Sprintf(`SELECT ROWID AS k, %s AS id, %s AS name, %s AS style FROM chat`,
		sqlitex.Col("", "chat_identifier"), sqlitex.Pick(cc, "", "display_name"), sqlitex.Pick(cc, "", "style")),
		func(r sqlitex.Row) (int64, chatRow, bool) {
			return r.Int("k"), chatRow{id: r.Text("id"), name: r.Text("name"), style: r.Get("style")}, true
		})
	if err != nil {
		return nil, nil, err
	}
	chatOf := map[int64]int64{}
	truncated := false
	err = sqlitex.Each(ctx, db, `SELECT message_id AS m, chat_id AS c FROM chat_message_join`, func(r sqlitex.Row) error {
		if r.Get("m") == nil || r.Get("c") == nil {
			return nil
		}
		m, c := r.Int("m"), r.Int("c")
		if prev, ok := chatOf[m]; ok {
			chatOf[m] = min(prev, c)
			return nil
		}
		if len(chatOf) >= sqlitex.MaxJoinRows {
			truncated = true
			return nil
		}
		chatOf[m] = c
		return nil
	})
	if truncated {
		db.Note(fmt.Sprintf("%s: chat_message_join holds more than %d messages; the conversation of the rest is not given", db.Name, sqlitex.MaxJoinRows))
	}
	return chats, chatOf, err
}

func messageFrom(row sqlitex.Row) *Message {
	m := &Message{
		ID: row.Int("id"), GUID: row.Text("guid"), Service: row.Text("service"),
		Handle: row.Text("handle"), Account: row.Text("account"),
		Subject: row.Text("subject"), Text: row.Text("text"),
		FromMe:         row.Int("from_me") == 1,
		HasAttachments: row.Int("has_att") == 1,
	}
	m.Date, m.dateErr = sqlitex.AppleTimeChecked(row.Get("date"))
	m.DateRead, m.readErr = sqlitex.AppleTimeChecked(row.Get("date_read"))
	var err error
	m.DateDelivered, err = sqlitex.AppleTimeChecked(row.Get("date_delivered"))
	m.raw.Add("sms_delivered", err)
	if m.Text == "" {
		if b, ok := row.Get("body").([]byte); ok {
			if s, ok := BodyText(b); ok {
				m.Text, m.TextSource = s, "attributedBody"
			}
		}
	}
	m.Direction = "received"
	if m.FromMe {
		m.Direction = "sent"
	}
	m.Links = extractLinks(m.Text + "\n" + m.Subject)
	return m
}

// setGroup says whether the message's conversation is a group. Style 43
// is a group conversation, 45 a one-to-one one; older databases lack the
// column, where a "chat…" id or a name marks a group.
func setGroup(m *Message, style any) {
	if style != nil {
		m.GroupChat = sqlitex.Int(style) == groupStyle
		return
	}
	m.GroupChat = m.ChatName != "" || strings.HasPrefix(m.Chat, "chat")
}

// accountAddress strips the "e:"/"p:" kind prefix iOS puts on account ids.
func accountAddress(a string) string {
	if len(a) > 2 && a[1] == ':' {
		return a[2:]
	}
	return a
}

func (m *Message) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: m}
	party := m.Handle
	group := m.ChatName
	if group == "" {
		group = m.Chat
	}
	if party == "" && m.GroupChat {
		party, group = "group "+group, ""
	}
	if party == "" {
		party = m.Chat
	}
	if party == "" {
		party = "unknown"
	}
	arrow := "from"
	if m.FromMe {
		arrow = "to"
	}
	svc := m.Service
	if svc == "" {
		svc = "message"
	}
	in := ""
	if m.GroupChat && group != "" {
		in = " in group " + group
	}
	r.Summary = svc + " " + arrow + " " + party + in + ": " + strconv.Quote(model.OneLine(m.Text, 200))
	if m.FromMe {
		r.StampChecked(m.Date, m.dateErr, "sms_sent")
	} else {
		r.StampChecked(m.Date, m.dateErr, "sms_received")
	}
	r.StampChecked(m.DateRead, m.readErr, "sms_read")
	r.KeepRaw(m.raw)
	for _, l := range m.Links {
		r.Add(model.KindURL, l, "links")
	}
	if strings.Contains(m.Handle, "@") {
		r.Add(model.KindEmail, m.Handle, "handle")
	}
	if !m.GroupChat && m.Chat != m.Handle && strings.Contains(m.Chat, "@") {
		r.Add(model.KindEmail, m.Chat, "chat_identifier")
	}
	if a := accountAddress(m.Account); strings.Contains(a, "@") {
		r.Add(model.KindEmail, a, "account")
	}
	return r
}

// findings runs the message heuristics (threat notifications, lure score).
func (m *Message) findings() []rules.Finding {
	return lureFindings(m.Text, m.Links, m.Handle, messages.SenderFromContacts(m.SenderKnown, m.FromMe))
}

func detection(f rules.Finding, r *model.Record) model.Detection { return f.Detection(r) }

// groupStyle is chat.style for group conversations.
const groupStyle = 43
