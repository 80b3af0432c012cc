package smsattachments

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/sqlitex"
)

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

func eachAttachment(ctx context.Context, db *sqlitex.DB, fn func(*Attachment) error) error {
	tables, err := db.Tables(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", db.Name, err)
	}
	if !tables["attachment"] {
		// Old or minimal sms.db files have no attachment table at all.
		return module.Absent("attachment table in " + db.Name)
	}
	ac, err := iosdb.Need(ctx, db, "attachment", "ROWID", "filename")
	if err != nil {
		return err
	}
	p := func(c string) string { return iosdb.Pick(ac, "a", c) }
	msg, handle, service, mdate, joins := "NULL", "NULL", "NULL", "NULL", ""
	if tables["message_attachment_join"] && tables["message"] {
		joins = " LEFT JOIN message_attachment_join j ON j.attachment_id = a.ROWID LEFT JOIN message m ON m.ROWID = j.message_id"
		msg = "m.ROWID"
		mc, err := db.Columns(ctx, "message")
		if err != nil {
			return err
		}
		service, mdate = iosdb.Pick(mc, "m", "service"), iosdb.Pick(mc, "m", "date")
		if tables["handle"] && mc["handle_id"] {
			joins += " LEFT JOIN handle h ON h.ROWID = m.handle_id"
			handle = "h.id"
		}
	}
	q := fmt.Sprintf(`SELECT a.ROWID AS id, %s AS guid, a.filename AS filename, %s AS transfer_name,
		%s AS mime_type, %s AS uti, %s AS total_bytes, %s AS is_outgoing, %s AS created,
		%s AS message_id, %s AS message_date, %s AS service, %s AS handle
		FROM attachment a%s ORDER BY a.ROWID`,
		p("guid"), p("transfer_name"), p("mime_type"), p("uti"), p("total_bytes"), p("is_outgoing"),
		p("created_date"), msg, mdate, service, handle, joins)
	lastID := int64(-1)
	return iosdb.Each(ctx, db, q, func(row iosdb.Row) error {
		id := iosdb.Int(row.Get("id"))
		if id == lastID {
			return nil // an attachment joined to several messages: report it once
		}
		lastID = id
		a := &Attachment{ID: id, GUID: iosdb.Str(row.Get("guid")), Filename: iosdb.Str(row.Get("filename")),
			TransferName: iosdb.Str(row.Get("transfer_name")), MimeType: iosdb.Str(row.Get("mime_type")),
			UTI: iosdb.Str(row.Get("uti")), TotalBytes: iosdb.Int(row.Get("total_bytes")),
			Outgoing:  iosdb.Int(row.Get("is_outgoing")) == 1,
			MessageID: iosdb.Int(row.Get("message_id")),
			Service:   iosdb.Str(row.Get("service")), Handle: iosdb.Str(row.Get("handle"))}
		a.Created, a.createdErr = iosdb.AppleTimeChecked(row.Get("created"))
		a.MessageDate, a.messageErr = iosdb.AppleTimeChecked(row.Get("message_date"))
		a.Direction = "received"
		if a.Outgoing {
			a.Direction = "sent"
		}
		return fn(a)
	})
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
