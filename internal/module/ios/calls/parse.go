package calls

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Call is one ZCALLRECORD row.
type Call struct {
	ID        int64     `json:"id"`
	Date      time.Time `json:"date,omitzero"`
	Duration  float64   `json:"duration_seconds"`
	Address   string    `json:"address,omitempty"` // number or FaceTime account
	Name      string    `json:"name,omitempty"`
	Location  string    `json:"location,omitempty"`
	Provider  string    `json:"provider,omitempty"` // com.apple.Telephony, com.apple.FaceTime, an app's bundle id
	Direction string    `json:"direction"`          // "outgoing" or "incoming"
	Answered  bool      `json:"answered"`
	CallType  int64     `json:"call_type,omitempty"`

	dateErr error // ZDATE is no plausible date: the record keeps the raw value
}

func eachCall(ctx context.Context, db *sqlitex.DB, fn func(*Call) error) error {
	c, err := sqlitex.Need(ctx, db, "ZCALLRECORD", "Z_PK", "ZDATE", "ZADDRESS")
	if err != nil {
		return err
	}
	p := func(col string) string { return sqlitex.Pick(c, "", col) }
	q := fmt.Sprintf(`SELECT Z_PK AS id, ZDATE AS date, %s AS duration, %s AS address, %s AS name,
		%s AS location, %s AS provider, %s AS originated, %s AS answered, %s AS call_type
		FROM ZCALLRECORD ORDER BY ZDATE`,
		p("ZDURATION"), sqlitex.Col("", "ZADDRESS"), p("ZNAME"), p("ZLOCATION"), p("ZSERVICE_PROVIDER"), p("ZORIGINATED"),
		p("ZANSWERED"), p("ZCALLTYPE"))
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		call := &Call{ID: row.Int("id"),
			Duration: row.Float("duration"), Address: strings.TrimRight(row.Text("address"), "\x00"),
			Name: row.Text("name"), Location: row.Text("location"), Provider: row.Text("provider"),
			Answered: row.Int("answered") == 1, CallType: row.Int("call_type")}
		call.Date, call.dateErr = sqlitex.AppleTimeChecked(row.Get("date"))
		call.Direction = "incoming"
		if row.Int("originated") == 1 {
			call.Direction = "outgoing"
		}
		return fn(call)
	})
}

func (c *Call) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: c}
	who := c.Address
	if who == "" {
		who = "unknown"
	}
	arrow := "from"
	if c.Direction == "outgoing" {
		arrow = "to"
	}
	r.Summary = fmt.Sprintf("%s call %s %s using %s, %.0f seconds", c.Direction, arrow, who, c.Provider, c.Duration)
	r.StampChecked(c.Date, c.dateErr, "call")
	if strings.Contains(c.Address, "@") {
		r.Add(model.KindEmail, c.Address, "address")
	}
	return r
}
