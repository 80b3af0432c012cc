package sqlitex

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/huella-project/huella/internal/source/evfile"
)

// A database of 0 bytes is one the acquisition left empty (it was in use):
// Open says "present but empty", naming it, instead of opening an empty
// database whose missing tables a module would call an unknown schema. A
// WAL beside it may hold the whole database: then SQLite reads it.
func TestOpenEmptyDatabase(t *testing.T) {
	db, wal := walPair(t)
	tmp := testTemp(t)
	cases := []struct {
		name  string
		fsys  fstest.MapFS
		empty bool
	}{
		{"empty, no WAL", fstest.MapFS{"sms.db": {}}, true},
		{"empty, empty WAL", fstest.MapFS{"sms.db": {}, "sms.db-wal": {}}, true},
		{"empty, WAL with pages", fstest.MapFS{"sms.db": {}, "sms.db-wal": {Data: wal}}, false},
		{"a database", fstest.MapFS{"sms.db": {Data: db}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Open(context.Background(), c.fsys, "sms.db", Options{Temp: tmp})
			if d != nil {
				d.Close()
			}
			var ee *evfile.EmptyError
			if got := errors.As(err, &ee); got != c.empty {
				t.Fatalf("err = %v, want empty=%v", err, c.empty)
			}
			if c.empty && ee.Name != "sms.db" {
				t.Errorf("names %q", ee.Name)
			}
		})
	}
}
