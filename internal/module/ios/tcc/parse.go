package tcc

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/sqlitex"
)

// Grant is one row of the access table.
type Grant struct {
	Service      string    `json:"service"`
	Client       string    `json:"client"`
	ClientType   string    `json:"client_type"` // "bundle_id" or "absolute_path"
	Auth         string    `json:"auth"`        // denied, unknown, allowed, limited
	AuthReason   string    `json:"auth_reason,omitempty"`
	PromptCount  int64     `json:"prompt_count,omitempty"`
	LastModified time.Time `json:"last_modified,omitzero"`
	Schema       int       `json:"schema_version"` // 1, 2 or 3 (iOS 14+ uses auth_value)

	modErr error // last_modified is no plausible date: the record keeps the raw value
}

var authValues = map[int64]string{0: "denied", 1: "unknown", 2: "allowed", 3: "limited"}

var authReasons = map[int64]string{
	1: "error", 2: "user_consent", 3: "user_set", 4: "system_set", 5: "service_policy",
	6: "mdm_policy", 7: "override_policy", 8: "missing_usage_string", 9: "prompt_timeout",
	10: "preflight_unknown", 11: "entitled", 12: "app_type_policy",
}

func eachGrant(ctx context.Context, db *sqlitex.DB, fn func(*Grant) error) error {
	c, err := sqlitex.Need(ctx, db, "access", "service", "client")
	if err != nil {
		return err
	}
	version := 0
	switch {
	case c["auth_value"]:
		version = 3
	case c["allowed"] && c["last_modified"]:
		version = 2
	case c["allowed"]:
		version = 1
	default:
		return &sqlitex.SchemaError{DB: db.Name, Table: "access", Column: "auth_value"}
	}
	p := func(col string) string { return sqlitex.Pick(c, "", col) }
	q := fmt.Sprintf(`SELECT service, client, %s AS client_type, %s AS auth_value, %s AS allowed,
		%s AS auth_reason, %s AS prompt_count, %s AS last_modified FROM access`,
		p("client_type"), p("auth_value"), p("allowed"), p("auth_reason"), p("prompt_count"), p("last_modified"))
	return sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		g := &Grant{Service: row.Text("service"), Client: row.Text("client"), Schema: version,
			PromptCount: row.Int("prompt_count")}
		g.LastModified, g.modErr = sqlitex.UnixTimeChecked(row.Get("last_modified"))
		g.ClientType = "bundle_id"
		if row.Int("client_type") != 0 {
			g.ClientType = "absolute_path"
		}
		if version == 3 {
			v := row.Int("auth_value")
			if s, ok := authValues[v]; ok {
				g.Auth = s
			} else {
				g.Auth = fmt.Sprintf("value %d", v)
			}
			if row.Get("auth_reason") != nil {
				g.AuthReason = authReasons[row.Int("auth_reason")]
				if g.AuthReason == "" {
					g.AuthReason = "unknown"
				}
			}
		} else if row.Int("allowed") == 1 {
			g.Auth = "allowed"
		} else {
			g.Auth = "denied"
		}
		return fn(g)
	})
}

func (g *Grant) record(src string) *model.Record {
	r := &model.Record{Source: src, Data: g}
	r.Summary = fmt.Sprintf("Access to %s by %s %s", strings.TrimPrefix(g.Service, "kTCCService"), g.Client, g.Auth)
	r.StampChecked(g.LastModified, g.modErr, "tcc_access")
	if g.ClientType == "absolute_path" || strings.HasPrefix(g.Client, "/") {
		r.Add(model.KindFilePath, g.Client, "client")
		r.Add(model.KindProcess, path.Base(g.Client), "client")
	} else {
		r.Add(model.KindProcess, g.Client, "client")
		if strings.Contains(g.Client, ".") {
			r.Add(model.KindAppID, g.Client, "client")
		}
	}
	return r
}
