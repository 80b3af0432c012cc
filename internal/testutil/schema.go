package testutil

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaBase is the $id prefix of every schema in schema/.
const schemaBase = "https://huella.invalid/schema/"

var (
	schemaOnce sync.Once
	schemas    map[string]*jsonschema.Schema
	schemaErr  error
)

// loadSchemas compiles every schema/*.schema.json of the repository, with
// formats (date-time) asserted.
func loadSchemas() (map[string]*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		dir := filepath.Join(RepoRoot(), "schema")
		files, err := filepath.Glob(filepath.Join(dir, "*.schema.json"))
		if err != nil || len(files) == 0 {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				schemaErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				schemaErr = err
				return
			}
			if err := c.AddResource(schemaBase+filepath.Base(f), doc); err != nil {
				schemaErr = err
				return
			}
		}
		schemas = map[string]*jsonschema.Schema{}
		for _, f := range files {
			s, err := c.Compile(schemaBase + filepath.Base(f))
			if err != nil {
				schemaErr = err
				return
			}
			schemas[filepath.Base(f)] = s
		}
	})
	return schemas, schemaErr
}

// ValidateResults checks every file of a results folder against schema/:
// info.json, detections.json, recheck.json, each <module>.json and each
// line of timeline.jsonl. It returns how many documents it validated.
func ValidateResults(t testing.TB, dir string) int {
	t.Helper()
	sc, err := loadSchemas()
	if err != nil {
		t.Fatalf("schemas: %v", err)
	}
	validate := func(schema, name string, b []byte) {
		t.Helper()
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s: not JSON: %v", name, err)
			return
		}
		if err := sc[schema].Validate(doc); err != nil {
			t.Errorf("%s does not match %s:\n%v", name, schema, err)
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		name := e.Name()
		p := filepath.Join(dir, name)
		switch {
		case name == "timeline.jsonl":
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 1<<20), 64<<20)
			line := 0
			for sc.Scan() {
				line++
				validate("timeline-event.schema.json", name+":"+itoa(line), sc.Bytes())
				n++
			}
			f.Close()
		case !strings.HasSuffix(name, ".json"):
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			schema := "module.schema.json"
			switch name {
			case "info.json":
				schema = "info.schema.json"
			case "detections.json":
				schema = "detections.schema.json"
			case "recheck.json":
				schema = "recheck.schema.json"
			}
			if _, ok := sc[schema]; !ok {
				t.Fatalf("no schema %s", schema)
			}
			validate(schema, name, b)
			n++
		}
	}
	return n
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
