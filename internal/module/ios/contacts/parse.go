package contacts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/sqlitex"
)

func run(ctx context.Context, env *module.Env) error {
	return eachPerson(ctx, env, func(p *Person) error {
		env.Emit(p.record())
		return nil
	})
}

// Person is one address-book entry with its phone numbers and e-mails.
type Person struct {
	ID           int64    `json:"id"`
	First        string   `json:"first,omitempty"`
	Middle       string   `json:"middle,omitempty"`
	Last         string   `json:"last,omitempty"`
	Organization string   `json:"organization,omitempty"`
	Phones       []string `json:"phones,omitempty"`
	Emails       []string `json:"emails,omitempty"`
	Other        []string `json:"other,omitempty"` // URLs, social handles and other multi-values
	source       string
	created      any
	modified     any
}

// AddressBook multi-value property codes.
const (
	propPhone = 3
	propEmail = 4
)

// maxValuesPerPerson bounds one entry: a hostile database could attach
// millions of values to a single person.
const maxValuesPerPerson = 1000

func (p *Person) Name() string {
	n := strings.Join(nonEmpty(p.First, p.Middle, p.Last), " ")
	if n == "" {
		n = p.Organization
	}
	return n
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (p *Person) record() *model.Record {
	r := &model.Record{Source: p.source, Data: p}
	r.Summary = fmt.Sprintf("Contact %q: %s", p.Name(), strings.Join(append(append([]string{}, p.Phones...), p.Emails...), ", "))
	for _, e := range p.Emails {
		r.Add(model.KindEmail, e, "emails")
	}
	for _, o := range p.Other {
		if strings.Contains(o, "@") && !strings.Contains(o, "/") {
			r.Add(model.KindEmail, o, "other")
		}
	}
	created, err := sqlitex.AppleTimeChecked(p.created)
	r.StampChecked(created, err, "contact_created")
	modified, err := sqlitex.AppleTimeChecked(p.modified)
	r.StampChecked(modified, err, "contact_modified")
	return r
}

// eachPerson streams the address book one person at a time (rows come
// ordered by person, and consecutive rows are folded together).
func eachPerson(ctx context.Context, env *module.Env, fn func(*Person) error) error {
	db, err := env.OpenFirstDB("AddressBook.sqlitedb", Paths...)
	if err != nil {
		return err
	}
	defer db.Close()
	pc, err := sqlitex.Need(ctx, db, "ABPerson", "ROWID")
	if err != nil {
		return err
	}
	if _, err := sqlitex.Need(ctx, db, "ABMultiValue", "record_id", "property", "value"); err != nil {
		return err
	}
	// The values are read into a map and joined to the people here, in Go:
	// SQLite never joins (a crafted address book without indexes, or with
	// lying statistics, makes the join quadratic). Each person keeps its
	// first maxValuesPerPerson values, each at most maxValueLen bytes.
	type value struct {
		prop int64
		v    string
	}
	values := map[int64][]value{}
	rows := 0
	err = sqlitex.Each(ctx, db, `SELECT record_id AS id, property, `+sqlitex.Col("", "value")+` AS value FROM ABMultiValue`, func(r sqlitex.Row) error {
		if r.Get("id") == nil || rows >= sqlitex.MaxJoinRows {
			return nil
		}
		id := r.Int("id")
		v := strings.TrimSpace(r.Text("value"))
		if v == "" || len(values[id]) >= maxValuesPerPerson {
			return nil
		}
		if len(v) > maxValueLen {
			v = strings.ToValidUTF8(v[:maxValueLen], "")
		}
		rows++
		values[id] = append(values[id], value{r.Int("property"), v})
		return nil
	})
	if err != nil {
		return err
	}
	if rows >= sqlitex.MaxJoinRows {
		db.Note(fmt.Sprintf("%s: ABMultiValue holds more than %d values; the rest were left out", db.Name, sqlitex.MaxJoinRows))
	}
	q := fmt.Sprintf(`SELECT p.ROWID AS id, %s AS first, %s AS middle, %s AS last, %s AS org,
		%s AS created, %s AS modified FROM ABPerson p ORDER BY p.ROWID`,
		sqlitex.Pick(pc, "p", "First"), sqlitex.Pick(pc, "p", "Middle"), sqlitex.Pick(pc, "p", "Last"),
		sqlitex.Pick(pc, "p", "Organization"), sqlitex.Pick(pc, "p", "CreationDate"),
		sqlitex.Pick(pc, "p", "ModificationDate"))
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		id := row.Int("id")
		p := &Person{ID: id, First: row.Text("first"), Middle: row.Text("middle"),
			Last: row.Text("last"), Organization: row.Text("org"), source: db.Name,
			created: row.Get("created"), modified: row.Get("modified")}
		for _, v := range values[id] {
			switch v.prop {
			case propPhone:
				p.Phones = append(p.Phones, v.v)
			case propEmail:
				p.Emails = append(p.Emails, v.v)
			default:
				p.Other = append(p.Other, v.v)
			}
		}
		return fn(p)
	})
}

// maxValueLen bounds one phone number, e-mail or other value kept in
// memory for the join; real ones are tens of bytes.
const maxValueLen = 4096

// Known reads the address book and returns a matcher telling whether a
// message handle (phone number or e-mail) belongs to a contact. When the
// address book is absent the error wraps module.ErrAbsent and the matcher
// knows nobody, so callers can still run.
func Known(ctx context.Context, env *module.Env) (func(handle string) bool, error) {
	phones := map[string]bool{}
	emails := map[string]bool{}
	err := eachPerson(ctx, env, func(p *Person) error {
		for _, ph := range p.Phones {
			if k := PhoneKey(ph); k != "" {
				phones[k] = true
			}
		}
		for _, e := range p.Emails {
			emails[strings.ToLower(e)] = true
		}
		return nil
	})
	match := func(handle string) bool {
		h := strings.TrimSpace(handle)
		if strings.Contains(h, "@") {
			return emails[strings.ToLower(strings.TrimPrefix(h, "mailto:"))]
		}
		k := PhoneKey(h)
		return k != "" && phones[k]
	}
	return match, err
}

// Senders is Known for the message modules: a problem reading the address
// book other than its absence becomes a warning of the calling module, and
// ok says whether the matcher knows the whole address book (it may know
// part of it when the read failed half way).
func Senders(ctx context.Context, env *module.Env) (known func(handle string) bool, ok bool) {
	known, err := Known(ctx, env)
	if err != nil && !errors.Is(err, module.ErrAbsent) {
		env.Warn("address book unreadable, every sender is treated as unknown: %v", err)
	}
	return known, err == nil
}

// phoneKeyDigits is how many trailing digits identify a number. Handles and
// address-book entries differ in country and trunk prefixes ("+52 55 …",
// "044 55 …", "55…"), while the last eight digits are the subscriber number
// in nearly every numbering plan.
const phoneKeyDigits = 8

// PhoneKey reduces a phone number to the digits compared between handles and
// contacts; it is "" for values with too few digits to compare safely.
func PhoneKey(s string) string {
	s = strings.TrimPrefix(s, "tel:")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９': // full-width digits
			b.WriteRune('0' + (r - '０'))
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '\u00a0':
		default:
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return "" // a short code or alphanumeric sender, not a number
			}
		}
	}
	d := b.String()
	if len(d) < 6 {
		return ""
	}
	if len(d) > phoneKeyDigits {
		d = d[len(d)-phoneKeyDigits:]
	}
	return d
}
