package shortcuts

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/plistx"
	"github.com/huella-project/huella/internal/sqlitex"
	"github.com/huella-project/huella/internal/urlx"
)

func read(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	return eachShortcut(ctx, db, func(s *Shortcut, actionErr error) error {
		if actionErr != nil {
			env.Warn("%s: shortcut %d (%s): %v", db.Name, s.ID, s.Name, actionErr)
		}
		env.Emit(s.record(db.Name))
		return nil
	})
}

// Shortcut is one ZSHORTCUT row with its decoded actions.
type Shortcut struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	Modified    time.Time `json:"modified,omitzero"`
	Actions     []string  `json:"actions,omitempty"` // action identifiers, e.g. is.workflow.actions.openurl
	URLs        []string  `json:"urls,omitempty"`

	raw model.RawDates // creation and modification dates that are no plausible date, kept as stored
}

// Bounds for one shortcut's actions: a hostile blob must not make us hold
// or walk more than this.
const (
	maxActions    = 10_000
	maxURLs       = 1_000
	maxStringWalk = 100_000
)

func eachShortcut(ctx context.Context, db *sqlitex.DB, fn func(*Shortcut, error) error) error {
	c, err := sqlitex.Need(ctx, db, "ZSHORTCUT", "Z_PK", "ZNAME")
	if err != nil {
		return err
	}
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	// The actions are read by rowid, one shortcut at a time, from a map of
	// shortcut -> action rowids built in one pass: the tables are joined
	// here, in Go, never by SQLite (see sqlitex.Index), and the action blobs,
	// up to 16 MiB each, are not all held at once.
	var actions map[int64][]int64
	if tables["ZSHORTCUTACTIONS"] {
		ac, err := db.Columns(ctx, "ZSHORTCUTACTIONS")
		if err != nil {
			return err
		}
		if ac["ZSHORTCUT"] && ac["ZDATA"] {
			actions = map[int64][]int64{}
			n := 0
			err := sqlitex.Each(ctx, db, "SELECT ZSHORTCUT AS s, rowid AS r FROM ZSHORTCUTACTIONS", func(r sqlitex.Row) error {
				if r.Get("s") == nil || n >= sqlitex.MaxJoinRows {
					return nil
				}
				n++
				k := r.Int("s")
				actions[k] = append(actions[k], r.Int("r"))
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	p := func(col string) string { return sqlitex.Pick(c, "s", col) }
	q := fmt.Sprintf(`SELECT s.Z_PK AS id, %s AS name, %s AS description, %s AS created, %s AS modified
		FROM ZSHORTCUT s ORDER BY s.Z_PK`,
		sqlitex.Col("s", "ZNAME"), p("ZACTIONSDESCRIPTION"), p("ZCREATIONDATE"), p("ZMODIFICATIONDATE"))
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		s := &Shortcut{ID: row.Int("id"), Name: row.Text("name"), Description: row.Text("description")}
		var err error
		s.Created, err = sqlitex.AppleTimeChecked(row.Get("created"))
		s.raw.Add("shortcut_created", err)
		s.Modified, err = sqlitex.AppleTimeChecked(row.Get("modified"))
		s.raw.Add("shortcut_modified", err)
		rows := actions[s.ID]
		if len(rows) == 0 {
			return fn(s, nil)
		}
		// One record per actions row, as the outer join this replaces gave;
		// each blob is read by rowid when needed.
		for _, rid := range rows {
			cp := *s
			b, err := sqlitex.BlobAt(ctx, db, "ZSHORTCUTACTIONS", "ZDATA", maxActionsBlob, rid)
			if err != nil {
				return err
			}
			var aerr error
			if len(b) > 0 {
				cp.Actions, cp.URLs, aerr = ParseActions(b)
			}
			if err := fn(&cp, aerr); err != nil {
				return err
			}
		}
		return nil
	})
}

// maxActionsBlob is the largest actions plist read (ParseActions' limit).
const maxActionsBlob = 16 << 20

// ParseActions decodes a ZDATA blob: a plist array of actions, each a
// dictionary with WFWorkflowActionIdentifier and WFWorkflowActionParameters.
// Links are taken from every string anywhere in the parameters.
func ParseActions(blob []byte) (ids, urls []string, err error) {
	v, err := plistx.Decode(blob, plistx.Limits{MaxBytes: maxActionsBlob, MaxNodes: 500_000})
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
	r.KeepRaw(s.raw)
	for _, u := range s.URLs {
		r.Add(model.KindURL, u, "urls")
	}
	return r
}
