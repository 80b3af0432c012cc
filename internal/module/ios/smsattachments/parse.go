package smsattachments

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/contacts"
	"github.com/huella-project/huella/internal/sqlitex"
)

func read(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	known, _ := contacts.Senders(ctx, env)
	return eachAttachment(ctx, db, func(a *Attachment) error {
		r := a.record(db.Name)
		env.Emit(r)
		env.Report(ios.ZeroClickAttachment(a.Filename, a.Outgoing), r)
		env.Report(ios.PassKitFromUnknown(a.MimeType, a.UTI, a.TransferName, a.Outgoing, a.Handle != "" && known(a.Handle)), r)
		return nil
	})
}

// Attachment is one row of sms.db's attachment table with its message.
type Attachment struct {
	ID           int64     `json:"id"`
	GUID         string    `json:"guid,omitempty"`
	Filename     string    `json:"filename,omitempty"` // as stored, often "~/Library/SMS/Attachments/…"
	TransferName string    `json:"transfer_name,omitempty"`
	MimeType     string    `json:"mime_type,omitempty"`
	UTI          string    `json:"uti,omitempty"`
	TotalBytes   int64     `json:"total_bytes,omitempty"`
	Outgoing     bool      `json:"outgoing"`
	Direction    string    `json:"direction"`
	Created      time.Time `json:"created,omitzero"`
	MessageID    int64     `json:"message_id,omitempty"`
	MessageDate  time.Time `json:"message_date,omitzero"`
	Service      string    `json:"service,omitempty"`
	Handle       string    `json:"handle,omitempty"`

	// Dates that are no plausible date: the record keeps the raw values.
	createdErr, messageErr error
}

// msgInfo is what an attachment takes from its message.
type msgInfo struct {
	date, service, handleID any
}

// eachAttachment streams attachments with their message. The join tables
// are read into maps and joined in Go, never by SQLite (see ios/sms).
func eachAttachment(ctx context.Context, db *sqlitex.DB, fn func(*Attachment) error) error {
	tables, err := db.Tables(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", db.Name, err)
	}
	if !tables["attachment"] {
		// Old or minimal sms.db files have no attachment table at all.
		return module.Absent("attachment table in " + db.Name)
	}
	ac, err := sqlitex.Need(ctx, db, "attachment", "ROWID", "filename")
	if err != nil {
		return err
	}
	var msgOf map[int64]int64 // attachment -> first message joined to it
	msgs := map[int64]msgInfo{}
	var handles map[int64]any
	if tables["message_attachment_join"] && tables["message"] {
		if msgOf, err = firstMessages(ctx, db); err != nil {
			return err
		}
		mc, err := db.Columns(ctx, "message")
		if err != nil {
			return err
		}
		want := map[int64]bool{}
		for _, m := range msgOf {
			want[m] = true
		}
		handleID := "NULL"
		if tables["handle"] && mc["handle_id"] {
			handleID = "handle_id"
		}
		err = sqlitex.Each(ctx, db, fmt.Sprintf(`SELECT ROWID AS id, %s AS service, %s AS date, %s AS handle_id FROM message`,
			sqlitex.Pick(mc, "", "service"), sqlitex.Pick(mc, "", "date"), handleID), func(r sqlitex.Row) error {
			if id := r.Int("id"); want[id] {
				msgs[id] = msgInfo{date: r.Get("date"), service: r.Get("service"), handleID: r.Get("handle_id")}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if handleID != "NULL" {
			handles, err = sqlitex.Index(ctx, db, `SELECT ROWID AS k, `+sqlitex.Col("", "id")+` AS v FROM handle`, func(r sqlitex.Row) (int64, any, bool) {
				return r.Int("k"), r.Get("v"), true
			})
			if err != nil {
				return err
			}
		}
	}
	p := func(c string) string { return sqlitex.Pick(ac, "a", c) }
	q := fmt.Sprintf(`SELECT a.ROWID AS id, %s AS guid, %s AS filename, %s AS transfer_name,
		%s AS mime_type, %s AS uti, %s AS total_bytes, %s AS is_outgoing, %s AS created
		FROM attachment a ORDER BY a.ROWID`,
		p("guid"), sqlitex.Col("a", "filename"), p("transfer_name"), p("mime_type"), p("uti"), p("total_bytes"), p("is_outgoing"),
		p("created_date"))
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		id := row.Int("id")
		a := &Attachment{ID: id, GUID: row.Text("guid"), Filename: row.Text("filename"),
			TransferName: row.Text("transfer_name"), MimeType: row.Text("mime_type"),
			UTI: row.Text("uti"), TotalBytes: row.Int("total_bytes"),
			Outgoing: row.Int("is_outgoing") == 1}
		a.Created, a.createdErr = sqlitex.AppleTimeChecked(row.Get("created"))
		if mid, ok := msgOf[id]; ok {
			if m, ok := msgs[mid]; ok {
				a.MessageID = mid
				a.MessageDate, a.messageErr = sqlitex.AppleTimeChecked(m.date)
				a.Service = sqlitex.Text(m.service)
				if h, ok := handles[sqlitex.Int(m.handleID)]; ok && m.handleID != nil {
					a.Handle = sqlitex.Text(h)
				}
			}
		}
		a.Direction = "received"
		if a.Outgoing {
			a.Direction = "sent"
		}
		return fn(a)
	})
}

// firstMessages maps each attachment to the first message joined to it (in
// the join table's order): an attachment is reported once.
func firstMessages(ctx context.Context, db *sqlitex.DB) (map[int64]int64, error) {
	out := map[int64]int64{}
	truncated := false
	err := sqlitex.Each(ctx, db, `SELECT attachment_id AS a, message_id AS m FROM message_attachment_join`, func(r sqlitex.Row) error {
		if r.Get("a") == nil || r.Get("m") == nil {
			return nil
		}
		a := r.Int("a")
		if _, ok := out[a]; ok {
			return nil
		}
		if len(out) >= sqlitex.MaxJoinRows {
			truncated = true
			return nil
		}
		out[a] = r.Int("m")
		return nil
	})
	if truncated {
		db.Note(fmt.Sprintf("%s: message_attachment_join holds more than %d attachments; the message of the rest is not given", db.Name, sqlitex.MaxJoinRows))
	}
	return out, err
}

// devicePath turns "~/Library/…" into the absolute path on the phone, which
// is what file:path indicators name.
func devicePath(p string) string {
	if strings.HasPrefix(p, "~/") {
		return "/private/var/mobile/" + p[2:]
	}
	return p
}

func (a *Attachment) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: a}
	name := a.TransferName
	if name == "" {
		name = a.Filename
	}
	party := a.Handle
	if party == "" {
		party = "unknown"
	}
	arrow := "from"
	if a.Outgoing {
		arrow = "to"
	}
	r.Summary = fmt.Sprintf("Attachment %q (%s, %d bytes) %s %s %s", name, a.MimeType, a.TotalBytes, a.Direction, arrow, party)
	t, err := a.Created, a.createdErr
	if t.IsZero() && err == nil {
		t, err = a.MessageDate, a.messageErr
	}
	r.StampChecked(t, err, "sms_attachment")
	r.Add(model.KindFilePath, devicePath(a.Filename), "filename")
	if strings.Contains(a.Handle, "@") {
		r.Add(model.KindEmail, a.Handle, "handle")
	}
	return r
}
