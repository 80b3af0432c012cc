package shortcuts

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/sqlitex"
	"github.com/huella-project/huella/internal/urlx"
)

// Shortcut is one ZSHORTCUT row with its decoded actions.
type Shortcut struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	Modified    time.Time `json:"modified,omitzero"`
	Actions     []string  `json:"actions,omitempty"` // action identifiers, e.g. is.workflow.actions.openurl
	URLs        []string  `json:"urls,omitempty"`
}

// Bounds for one shortcut's actions: a hostile blob must not make us hold
// or walk more than this.
const (
	maxActions    = 10_000
	maxURLs       = 1_000
	maxStringWalk = 100_000
)

func eachShortcut(ctx context.Context, db *sqlitex.DB, fn func(*Shortcut, error) error) error {
	c, err := iosdb.Need(ctx, db, "ZSHORTCUT", "Z_PK", "ZNAME")
	if err != nil {
		return err
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	data, join := "NULL", ""
	if tables["ZSHORTCUTACTIONS"] {
		ac, err := db.Columns(ctx, "ZSHORTCUTACTIONS")
		if err != nil {
			return err
		}
		if ac["ZSHORTCUT"] && ac["ZDATA"] {
			data, join = "a.ZDATA", " LEFT JOIN ZSHORTCUTACTIONS a ON a.ZSHORTCUT = s.Z_PK"
		}
	}
	p := func(col string) string { return iosdb.Pick(c, "s", col) }
	q := fmt.Sprintf(`SELECT s.Z_PK AS id, s.ZNAME AS name, %s AS description, %s AS created, %s AS modified,
		%s AS data FROM ZSHORTCUT s%s ORDER BY s.Z_PK`,
		p("ZACTIONSDESCRIPTION"), p("ZCREATIONDATE"), p("ZMODIFICATIONDATE"), data, join)
	return iosdb.Each(ctx, db, q, func(row iosdb.Row) error {
		s := &Shortcut{ID: iosdb.Int(row.Get("id")), Name: iosdb.Str(row.Get("name")), Description: iosdb.Str(row.Get("description")),
			Created: iosdb.AppleTime(row.Get("created")), Modified: iosdb.AppleTime(row.Get("modified"))}
		var aerr error
		if b, ok := row.Get("data").([]byte); ok && len(b) > 0 {
			s.Actions, s.URLs, aerr = ParseActions(b)
		}
		return fn(s, aerr)
	})
}

// ParseActions decodes a ZDATA blob: a plist array of actions, each a
// dictionary with WFWorkflowActionIdentifier and WFWorkflowActionParameters.
// Links are taken from every string anywhere in the parameters.
func ParseActions(blob []byte) (ids, urls []string, err error) {
	v, err := plistx.Decode(blob, plistx.Limits{MaxBytes: 16 << 20, MaxNodes: 500_000})
	if err != nil {
		return nil, nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, nil, fmt.Errorf("actions plist is %T, not an array", v)
	}
	seen := map[string]bool{}
	walked := 0
	var walk func(any)
	walk = func(x any) {
		if walked >= maxStringWalk || len(urls) >= maxURLs {
			return
		}
		walked++
		switch y := x.(type) {
		case string:
			for _, l := range urlx.ExtractLinks(y) {
				if !seen[l] && len(urls) < maxURLs {
					seen[l] = true
					urls = append(urls, l)
				}
			}
		case []any:
			for _, e := range y {
				walk(e)
			}
		case map[string]any:
			for _, e := range y {
				walk(e)
			}
		}
	}
	for i, a := range list {
		if i >= maxActions {
			break
		}
		d, ok := a.(map[string]any)
		if !ok {
			continue
		}
		if id, ok := d["WFWorkflowActionIdentifier"].(string); ok {
			ids = append(ids, id)
		}
		walk(d["WFWorkflowActionParameters"])
	}
	return ids, urls, nil
}

func (s *Shortcut) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: s}
	r.Summary = fmt.Sprintf("Shortcut %q with %d actions", s.Name, len(s.Actions))
	if len(s.URLs) > 0 {
		r.Summary += fmt.Sprintf(", links %v", s.URLs)
	}
	r.Stamp(s.Created, "shortcut_created")
	r.Stamp(s.Modified, "shortcut_modified")
	for _, u := range s.URLs {
		r.Add(model.KindURL, u, "urls")
	}
	return r
}
