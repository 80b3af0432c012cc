package sqlitex_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source/scratch"
	"github.com/huella-project/huella/internal/sqlitex"
)

func openTestDB(t *testing.T, stmts ...string) *sqlitex.DB {
	t.Helper()
	dir := t.TempDir()
	moduletest.SQLite(t, dir, "t.db", stmts...)
	tmp, err := scratch.New(t.TempDir(), "huella-", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tmp.Close() })
	db, err := sqlitex.Open(context.Background(), os.DirFS(dir), "t.db", sqlitex.Options{Temp: tmp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestEachRows(t *testing.T) {
	db := openTestDB(t,
		`CREATE TABLE m (id INTEGER PRIMARY KEY, txt TEXT, body BLOB, n REAL)`,
		`INSERT INTO m VALUES (1, 'one', x'0102', 1.5), (2, NULL, NULL, NULL), (3, 'three', x'', 3)`)
	type got struct {
		ID   any
		Text any
		Body any
		N    any
		Gone any
	}
	cases := []struct {
		name  string
		query string
		want  []got
	}{
		{"aliases", `SELECT id AS id, txt AS text, body AS body, n AS n FROM m ORDER BY id`, []got{
			{int64(1), "one", []byte{1, 2}, 1.5, nil},
			{int64(2), nil, nil, nil, nil},             // NULLs after a full row: nothing leaks from the reused buffer
			{int64(3), "three", []byte(nil), 3.0, nil}, // an empty blob comes back as a nil slice, not NULL
		}},
		{"last of two same-named columns wins", `SELECT 0 AS id, id AS id, txt AS text, NULL AS body, NULL AS n FROM m WHERE id = 1`, []got{
			{int64(1), "one", nil, nil, nil},
		}},
		{"no rows", `SELECT id FROM m WHERE id > 9`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var rows []got
			err := sqlitex.Each(context.Background(), db, c.query, func(r sqlitex.Row) error {
				rows = append(rows, got{r.Get("id"), r.Get("text"), r.Get("body"), r.Get("n"), r.Get("gone")})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rows, c.want) {
				t.Fatalf("rows %#v, want %#v", rows, c.want)
			}
		})
	}
}

// TestEachKeepsValues proves a value taken from a row survives the next
// row: blobs are copied out of the reused buffer.
func TestEachKeepsValues(t *testing.T) {
	db := openTestDB(t, `CREATE TABLE m (b BLOB)`, `INSERT INTO m VALUES (x'aa'), (x'bb')`)
	var kept [][]byte
	err := sqlitex.Each(context.Background(), db, `SELECT b FROM m ORDER BY rowid`, func(r sqlitex.Row) error {
		kept = append(kept, r.Get("b").([]byte))
		return nil
	})
	if err != nil || len(kept) != 2 || kept[0][0] != 0xaa || kept[1][0] != 0xbb {
		t.Fatalf("kept %x, err %v", kept, err)
	}
}

func TestEachErrors(t *testing.T) {
	db := openTestDB(t, `CREATE TABLE m (id INTEGER)`, `INSERT INTO m VALUES (1), (2)`)
	stop := errors.New("stop")
	calls := 0
	err := sqlitex.Each(context.Background(), db, `SELECT id FROM m`, func(sqlitex.Row) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("callback error: %v after %d calls", err, calls)
	}
	if err := sqlitex.Each(context.Background(), db, `SELECT nope FROM m`, func(sqlitex.Row) error { return nil }); err == nil {
		t.Fatal("bad query: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sqlitex.Each(ctx, db, `SELECT id FROM m`, func(sqlitex.Row) error { return nil }); err == nil {
		t.Fatal("cancelled context: no error")
	}
}

// TestTimeColumns: integer columns convert exactly (a nanosecond value is
// beyond float64's 53 bits), REAL and text columns by value, and a value
// outside 1970–2100 is the zero time with an error keeping it.
func TestTimeColumns(t *testing.T) {
	for _, c := range []struct {
		v    any
		want time.Time
		bad  bool
	}{
		{int64(700_000_000_123_456_789), time.Date(2023, 3, 8, 20, 26, 40, 123_456_789, time.UTC), false},
		{float64(700_000_000.5), time.Date(2023, 3, 8, 20, 26, 40, 500_000_000, time.UTC), false},
		{"700000000", time.Date(2023, 3, 8, 20, 26, 40, 0, time.UTC), false},
		{nil, time.Time{}, false},
		{int64(9_500_000_000), time.Time{}, true},
		{float64(1e300), time.Time{}, true},
	} {
		got, err := sqlitex.AppleTimeChecked(c.v)
		if !got.Equal(c.want) || (err != nil) != c.bad {
			t.Errorf("AppleTimeChecked(%#v) = %v, %v; want %v", c.v, got, err, c.want)
		}
	}
	for _, c := range []struct {
		v    any
		want time.Time
		bad  bool
	}{
		{int64(1_700_000_000_123_456_789), time.Date(2023, 11, 14, 22, 13, 20, 123_456_789, time.UTC), false},
		{int64(1_700_000_000_123), time.Date(2023, 11, 14, 22, 13, 20, 123_000_000, time.UTC), false},
		{int64(-5), time.Time{}, true},
	} {
		got, err := sqlitex.UnixTimeChecked(c.v)
		if !got.Equal(c.want) || (err != nil) != c.bad {
			t.Errorf("UnixTimeChecked(%#v) = %v, %v; want %v", c.v, got, err, c.want)
		}
	}
}
