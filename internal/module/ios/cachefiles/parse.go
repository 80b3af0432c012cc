package cachefiles

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/sqlitex"
	"github.com/huella-project/huella/internal/timestamp"
)

// maxRowsPerDB bounds one hostile database; real ones hold a few thousand.
const maxRowsPerDB = 1_000_000

// Response is one cfurl_cache_response row.
type Response struct {
	CacheFile     string    `json:"cache_file"`
	EntryID       int64     `json:"entry_id"`
	Version       int64     `json:"version,omitempty"`
	HashValue     int64     `json:"hash_value,omitempty"`
	StoragePolicy int64     `json:"storage_policy,omitempty"`
	URL           string    `json:"url"`
	RawTimestamp  string    `json:"timestamp,omitempty"`
	Time          time.Time `json:"time,omitzero"`
	Partition     string    `json:"partition,omitempty"`

	timeErr error // time_stamp is no plausible date: the record keeps it as stored
}

func readDB(ctx context.Context, env *module.Env, db *sqlitex.DB) error {
	name := db.Name
	cols, err := sqlitex.Need(ctx, db, "cfurl_cache_response", "entry_ID", "request_key")
	if err != nil {
		return err
	}
	p := func(c string) string { return sqlitex.Pick(cols, "", c) }
	q := fmt.Sprintf(`SELECT entry_ID AS id, %s AS version, %s AS hash, %s AS policy, %s AS url, %s AS ts, %s AS part
		FROM cfurl_cache_response ORDER BY entry_ID LIMIT %d`,
		p("version"), p("hash_value"), p("storage_policy"), sqlitex.Col("", "request_key"), p("time_stamp"), p("partition"), maxRowsPerDB+1)
	n := 0
	err = sqlitex.Each(ctx, db, q, func(row sqlitex.Row) error {
		if n++; n > maxRowsPerDB {
			env.Warn("%s: more than %d cached responses; the rest was not read", name, maxRowsPerDB)
			return sqlitex.Stop
		}
		resp := Response{CacheFile: name, EntryID: row.Int("id"), Version: row.Int("version"), HashValue: row.Int("hash"),
			StoragePolicy: row.Int("policy"), URL: row.Text("url"), RawTimestamp: row.Text("ts"), Partition: row.Text("part")}
		resp.Time, resp.timeErr = cacheTime(row.Get("ts"))
		r := &model.Record{Source: name, Data: &resp, Summary: fmt.Sprintf("%s recorded a visit to %s", name, resp.URL)}
		r.Add(model.KindURL, resp.URL, "request_key")
		r.StampChecked(resp.Time, resp.timeErr, "cache_response")
		env.Emit(r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: reading cfurl_cache_response: %w", name, err)
	}
	return nil
}

// cacheTime reads time_stamp, a UTC "YYYY-MM-DD HH:MM:SS" text column (a
// number in a few old caches, taken as Mac absolute time). A value that is
// no plausible date is the zero time and an error keeping it.
func cacheTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case string:
		return timestamp.ParseText(x, "2006-01-02 15:04:05", "2006-01-02 15:04:05.999999")
	case []byte:
		return cacheTime(string(x))
	case int64, float64:
		return sqlitex.AppleTimeChecked(x)
	}
	return time.Time{}, nil
}
