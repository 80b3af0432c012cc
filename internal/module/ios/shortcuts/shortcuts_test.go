package shortcuts

import (
	"errors"
	"slices"
	"testing"

	"howett.net/plist"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

func actions(t testing.TB) []byte {
	b, err := plist.Marshal([]any{
		map[string]any{"WFWorkflowActionIdentifier": "is.workflow.actions.openurl",
			"WFWorkflowActionParameters": map[string]any{"WFInput": map[string]any{"Value": map[string]any{"string": "https://evil.example/1234567s"}}}},
		map[string]any{"WFWorkflowActionIdentifier": "is.workflow.actions.gettext",
			"WFWorkflowActionParameters": map[string]any{"WFTextActionText": []any{"see bit.ly/abc", "https://evil.example/1234567s"}}},
	}, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	p := moduletest.SQLite(t, dir, Paths[0],
		`CREATE TABLE ZSHORTCUT (Z_PK INTEGER PRIMARY KEY, ZNAME VARCHAR, ZACTIONSDESCRIPTION VARCHAR, ZCREATIONDATE TIMESTAMP, ZMODIFICATIONDATE TIMESTAMP)`,
		`CREATE TABLE ZSHORTCUTACTIONS (Z_PK INTEGER PRIMARY KEY, ZSHORTCUT INTEGER, ZDATA BLOB)`,
		`INSERT INTO ZSHORTCUT VALUES (1, 'Open news', 'Open URL', 600000000, 600000500), (2, 'Empty', NULL, 600000000, NULL), (3, 'Broken', NULL, NULL, NULL)`)
	moduletest.Exec(t, p, `INSERT INTO ZSHORTCUTACTIONS VALUES (1, 1, ?), (3, 3, ?)`, actions(t), []byte("bplist00garbage"))
	sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) != 3 || len(sink.Warnings) != 1 {
		t.Fatalf("%d records, warnings %v", len(sink.Records), sink.Warnings)
	}
	s := sink.Records[0].Data.(*Shortcut)
	if !slices.Equal(s.Actions, []string{"is.workflow.actions.openurl", "is.workflow.actions.gettext"}) {
		t.Errorf("actions %v", s.Actions)
	}
	if !slices.Equal(s.URLs, []string{"https://evil.example/1234567s", "bit.ly/abc"}) {
		t.Errorf("urls %v", s.URLs)
	}
	if !moduletest.Has(sink.Records[0], model.KindURL, "https://evil.example/1234567s") {
		t.Errorf("observables %+v", sink.Records[0].Observables)
	}
	if d := moduletest.Descs(sink.Records[0]); !slices.Equal(d, []string{"shortcut_created", "shortcut_modified"}) {
		t.Errorf("stamps %v", d)
	}
}

func TestAbsentAndSchema(t *testing.T) {
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, t.TempDir()); !errors.Is(err, module.ErrAbsent) {
		t.Errorf("%v", err)
	}
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[1], `CREATE TABLE ZSHORTCUT (Z_PK INTEGER PRIMARY KEY)`)
	var se *sqlitex.SchemaError
	if _, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir); !errors.As(err, &se) {
		t.Errorf("%v", err)
	}
}

func FuzzParseActions(f *testing.F) {
	f.Add(actions(f))
	f.Add([]byte("bplist00"))
	f.Add([]byte(`<plist><array><dict><key>WFWorkflowActionParameters</key><string>http://a.b/c</string></dict></array></plist>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, urls, err := ParseActions(b)
		if err != nil && (ids != nil || urls != nil) {
			t.Fatal("results with error")
		}
		if len(urls) > maxURLs || len(ids) > maxActions {
			t.Fatal("bounds exceeded")
		}
	})
}

// TestImpossibleDatesKeptRaw: creation and modification dates that are no
// plausible date are kept as stored on the shortcut's record.
func TestImpossibleDatesKeptRaw(t *testing.T) {
	dir := t.TempDir()
	moduletest.SQLite(t, dir, Paths[0],
		`CREATE TABLE ZSHORTCUT (Z_PK INTEGER PRIMARY KEY, ZNAME VARCHAR, ZCREATIONDATE TIMESTAMP, ZMODIFICATIONDATE TIMESTAMP)`,
		`INSERT INTO ZSHORTCUT VALUES (1, 'Tampered', 9500000000, -2000000000)`)
	s := moduletest.MustRun(t, Def(), moduletest.Evidence(t, source.IOSBackup, dir))
	if len(s.Records) != 1 {
		t.Fatalf("%d records", len(s.Records))
	}
	moduletest.KeepsRaw(t, s.Records[0], map[string]string{"shortcut_created": "9500000000", "shortcut_modified": "-2000000000"})
}
