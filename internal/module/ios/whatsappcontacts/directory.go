package whatsappcontacts

import (
	"context"
	"errors"
	"strings"

	"github.com/huella-project/huella/internal/module"
)

// Directory answers "who is this WhatsApp id?" from ContactsV2.sqlite.
type Directory struct {
	byLID   map[string]entry
	byPhone map[string]entry // digits only
}

type entry struct{ phone, name string }

// maxEntries bounds the directory held in memory.
const maxEntries = 1_000_000

// Load reads the directory. Its error wraps module.ErrAbsent when the
// database is not in the evidence, so callers can carry on without names;
// the returned Directory is usable (empty) even then.
func Load(ctx context.Context, env *module.Env) (*Directory, error) {
	d := &Directory{byLID: map[string]entry{}, byPhone: map[string]entry{}}
	db, err := env.OpenFirstDB("WhatsApp ContactsV2.sqlite", Paths...)
	if err != nil {
		return d, err
	}
	defer db.Close()
	n := 0
	errFull := errors.New("full")
	err = Each(ctx, db, func(c *Contact) error {
		if n++; n > maxEntries {
			return errFull
		}
		d.add(c)
		return nil
	})
	if errors.Is(err, errFull) {
		err = nil
	}
	return d, err
}

func (d *Directory) add(c *Contact) {
	phone := c.PhoneNumber
	if phone == "" {
		if u, ok := strings.CutSuffix(c.WhatsAppID, "@s.whatsapp.net"); ok {
			phone = u
		}
	}
	digits := Digits(phone)
	if digits != "" {
		phone = "+" + digits
	}
	e := entry{phone: phone, name: c.Name()}
	if lid := strings.TrimSuffix(c.LID, "@lid"); lid != "" {
		d.byLID[lid] = e
	}
	if digits != "" {
		d.byPhone[digits] = e
	}
}

// Len is how many accounts the directory knows.
func (d *Directory) Len() int { return len(d.byLID) + len(d.byPhone) }

// Resolve gives the phone number and name behind a WhatsApp id: an "@lid"
// through the contact's LID, a "@s.whatsapp.net" JID or a "+" number
// through the phone number. Group ids ("@g.us") are not people and stay
// unresolved. A JID whose number has no contact still yields "+digits".
func (d *Directory) Resolve(id string) (phone, name string) {
	if d == nil {
		return "", ""
	}
	id = strings.TrimSpace(id)
	switch {
	case strings.HasSuffix(id, "@lid"):
		e := d.byLID[strings.TrimSuffix(id, "@lid")]
		return e.phone, e.name
	case strings.HasSuffix(id, "@s.whatsapp.net"):
		digits := Digits(strings.TrimSuffix(id, "@s.whatsapp.net"))
		if digits == "" {
			return "", ""
		}
		if e, ok := d.byPhone[digits]; ok {
			return e.phone, e.name
		}
		return "+" + digits, ""
	case strings.HasPrefix(id, "+"):
		if e, ok := d.byPhone[Digits(id)]; ok {
			return "", e.name
		}
	}
	return "", ""
}

// Digits keeps the ASCII digits of a phone number or JID user part; it is ""
// when anything other than digits and phone punctuation is present.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune("+ -().\u00a0", r):
		default:
			return ""
		}
	}
	return b.String()
}
