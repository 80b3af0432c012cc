// Package cachefiles is the ios.cache_files module: every CFNetwork
// Cache.db in a file-system dump. Apps cache what they fetch there, so a
// link opened inside an app (and the exploit stages it pulled) can survive
// after the app's history is gone.
package cachefiles

import (
	"context"
	"fmt"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/ios/iosdb"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

var Patterns = []string{"**/Cache.db"}

// maxRowsPerDB bounds one hostile database; real ones hold a few thousand.
const maxRowsPerDB = 1_000_000

// Def is the ios.cache_files module.
func Def() module.Def {
	return module.Def{
		Name:        "ios.cache_files",
		Description: "CFNetwork caches (every Cache.db): URLs apps fetched, with the time of each response.",
		Kinds:       []source.Kind{source.IOSFS},
		Paths:       Patterns,
		Run:         run,
	}
}

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
}

func run(ctx context.Context, env *module.Env) error {
	return iosdb.EachFile(ctx, env, "Cache.db", Patterns, readDB)
}

func readDB(ctx context.Context, env *module.Env, name string) error {
	db, err := env.OpenDB(name)
	if err != nil {
		return err
	}
	defer db.Close()
	cols, err := iosdb.Need(ctx, db, "cfurl_cache_response", "entry_ID", "request_key")
	if err != nil {
		return err
	}
	q := "SELECT entry_ID, " + iosdb.Pick(cols, "", "version") + ", " + iosdb.Pick(cols, "", "hash_value") + ", " +
		iosdb.Pick(cols, "", "storage_policy") + ", " + iosdb.Col("", "request_key") + ", " + iosdb.Pick(cols, "", "time_stamp") + ", " +
		iosdb.Pick(cols, "", "partition") + " FROM cfurl_cache_response ORDER BY entry_ID LIMIT " + fmt.Sprint(maxRowsPerDB+1)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: reading cfurl_cache_response: %w", name, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var v [7]any
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]); err != nil {
			return fmt.Errorf("%s: reading cfurl_cache_response: %w", name, err)
		}
		for i := 4; i < len(v); i++ {
			v[i] = db.Cell(v[i], "cfurl_cache_response")
		}
		if n++; n > maxRowsPerDB {
			env.Warn("%s: more than %d cached responses; the rest was not read", name, maxRowsPerDB)
			break
		}
		resp := Response{CacheFile: name, EntryID: iosdb.Int(v[0]), Version: iosdb.Int(v[1]), HashValue: iosdb.Int(v[2]),
			StoragePolicy: iosdb.Int(v[3]), URL: iosdb.Str(v[4]), RawTimestamp: iosdb.Str(v[5]), Partition: iosdb.Str(v[6])}
		resp.Time = cacheTime(v[5])
		r := &model.Record{Source: name, Data: &resp, Summary: fmt.Sprintf("%s recorded a visit to %s", name, resp.URL)}
		r.Add(model.KindURL, resp.URL, "request_key")
		r.Stamp(resp.Time, "cache_response")
		env.Emit(r)
	}
	return rows.Err()
}

// cacheTime reads time_stamp, a UTC "YYYY-MM-DD HH:MM:SS" text column (a
// number in a few old caches, taken as Mac absolute time).
func cacheTime(v any) time.Time {
	switch x := v.(type) {
	case string:
		for _, l := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04:05.999999"} {
			if t, err := time.Parse(l, x); err == nil {
				return t.UTC()
			}
		}
	case []byte:
		return cacheTime(string(x))
	case int64, float64:
		return sqlitex.AppleTime(iosdb.Float(x))
	}
	return time.Time{}
}
