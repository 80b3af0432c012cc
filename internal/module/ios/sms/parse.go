package sms

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/huella-project/huella/internal/heuristics"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/rules"
	"github.com/huella-project/huella/internal/sqlitex"
)

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
}

func openDB(env *module.Env) (*sqlitex.DB, error) {
	return iosdb.Open(env, "sms.db", Paths...)
}

// eachMessage streams messages. Unlike an inner join on handle, messages
// without a handle (sent to groups, system messages) are kept.
func eachMessage(ctx context.Context, db *sqlitex.DB, fn func(*Message) error) error {
	mc, err := iosdb.Need(ctx, db, "message", "ROWID", "date", "is_from_me")
	if err != nil {
		return err
	}
	if !mc["text"] && !mc["attributedBody"] {
		return &iosdb.SchemaError{DB: db.Name, Table: "message", Column: "text"}
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	handle, join := "NULL", ""
	if tables["handle"] && mc["handle_id"] {
		hc, err := db.Columns(ctx, "handle")
		if err != nil {
			return err
		}
		if hc["ROWID"] && hc["id"] {
			handle, join = "h.id", "LEFT JOIN handle h ON h.ROWID = m.handle_id"
		}
	}
	chat, chatName, chatStyle, err := chatJoin(ctx, db, tables)
	if err != nil {
		return err
	}
	if chat != "NULL" {
		join += ` LEFT JOIN chat c ON c.ROWID = (SELECT j.chat_id FROM chat_message_join j WHERE j.message_id = m.ROWID ORDER BY j.chat_id LIMIT 1)`
	}
	p := func(c string) string { return iosdb.Pick(mc, "m", c) }
	q := fmt.Sprintf(`SELECT m.ROWID AS id, %s AS guid, %s AS text, %s AS body, %s AS service,
		%s AS account, %s AS subject, m.date AS date, %s AS date_read, %s AS date_delivered,
		m.is_from_me AS from_me, %s AS has_att, %s AS handle, %s AS chat, %s AS chat_name, %s AS chat_style
		FROM message m %s ORDER BY m.ROWID`,
		p("guid"), p("text"), p("attributedBody"), p("service"), p("account"), p("subject"),
		p("date_read"), p("date_delivered"), p("cache_has_attachments"), handle, chat, chatName, chatStyle, join)
	return iosdb.Each(ctx, db, q, func(row iosdb.Row) error {
		return fn(messageFrom(row))
	})
}

func messageFrom(row iosdb.Row) *Message {
	m := &Message{
		ID: iosdb.Int(row.Get("id")), GUID: iosdb.Str(row.Get("guid")), Service: iosdb.Str(row.Get("service")),
		Handle: iosdb.Str(row.Get("handle")), Account: iosdb.Str(row.Get("account")),
		Subject: iosdb.Str(row.Get("subject")), Text: iosdb.Str(row.Get("text")),
		Date: iosdb.AppleTime(row.Get("date")), DateRead: iosdb.AppleTime(row.Get("date_read")),
		DateDelivered:  iosdb.AppleTime(row.Get("date_delivered")),
		FromMe:         iosdb.Int(row.Get("from_me")) == 1,
		HasAttachments: iosdb.Int(row.Get("has_att")) == 1,
		Chat:           iosdb.Str(row.Get("chat")), ChatName: iosdb.Str(row.Get("chat_name")),
	}
	// Style 43 is a group conversation, 45 a one-to-one one; older
	// databases lack the column, where a "chat…" id or a name marks a group.
	switch st := row.Get("chat_style"); {
	case st != nil:
		m.GroupChat = iosdb.Int(st) == groupStyle
	default:
		m.GroupChat = m.ChatName != "" || strings.HasPrefix(m.Chat, "chat")
	}
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
	r.Summary = svc + " " + arrow + " " + party + in + ": " + strconv.Quote(oneLine(m.Text, 200))
	if m.FromMe {
		r.Stamp(m.Date, "sms_sent")
	} else {
		r.Stamp(m.Date, "sms_received")
	}
	r.Stamp(m.DateRead, "sms_read")
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
	return lureFindings(m.Text, m.Links, m.Handle, heuristics.SenderFromContacts(m.SenderKnown, m.FromMe))
}

func detection(f rules.Finding, r *model.Record) model.Detection { return f.Detection(r) }

func oneLine(s string, max int) string {
	if !singleSpaced(s) {
		s = strings.Join(strings.Fields(s), " ")
	}
	if utf8.RuneCountInString(s) > max {
		return string([]rune(s)[:max]) + "…"
	}
	return s
}

// singleSpaced says s is already what joining its fields would give, which
// is true of most messages, so they are not copied.
func singleSpaced(s string) bool {
	space := true // a leading space would be dropped
	for _, r := range s {
		switch {
		case r == ' ':
			if space {
				return false
			}
			space = true
		case unicode.IsSpace(r):
			return false
		default:
			space = false
		}
	}
	return !space || s == ""
}

// groupStyle is chat.style for group conversations.
const groupStyle = 43

// chatJoin selects the conversation of each message through
// chat_message_join, which is the only place a message sent to a group
// (handle_id 0) names who it went to.
func chatJoin(ctx context.Context, db *sqlitex.DB, tables map[string]bool) (id, name, style string, err error) {
	id, name, style = "NULL", "NULL", "NULL"
	if !tables["chat"] || !tables["chat_message_join"] {
		return
	}
	jc, err := db.Columns(ctx, "chat_message_join")
	if err != nil {
		return
	}
	cc, err := db.Columns(ctx, "chat")
	if err != nil {
		return
	}
	if !jc["chat_id"] || !jc["message_id"] || !cc["ROWID"] || !cc["chat_identifier"] {
		return
	}
	return "c.chat_identifier", iosdb.Pick(cc, "c", "display_name"), iosdb.Pick(cc, "c", "style"), nil
}
