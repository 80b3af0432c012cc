package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/samplegen"
)

// TestDumpLayoutsGiveTheSameRecords checks, through the command line, the
// same phone packed in every layout analysts receive (generated now: plain
// folder, a wrapping folder, UFED as folder, zip and tar.gz, older UFED,
// GrayKey's rooted zip, tar plain, with leading "/" and "./", tar.gz, the
// data partition alone) with no type given: each is recognised as an iOS
// file-system dump and every module writes the same records and the
// check the same findings as for the plain folder.
func TestDumpLayoutsGiveTheSameRecords(t *testing.T) {
	w := newWorld(t)
	base := t.TempDir()
	iocs := filepath.Join(base, "iocs.stix2")
	if err := samplegen.WriteSampleIndicators(iocs); err != nil {
		t.Fatal(err)
	}
	gen := func(l samplegen.DumpLayout) string {
		o := samplegen.DumpOptions{Options: samplegen.Scaled(150, 5), Paths: 1500, Layout: l}
		o.Plant = true
		p := filepath.Join(t.TempDir(), "evidence"+l.Ext())
		if _, err := samplegen.GenerateIOSDump(p, o); err != nil {
			t.Fatal(err)
		}
		return p
	}
	check := func(p string) (string, result) {
		out := filepath.Join(t.TempDir(), "out")
		return out, w.huella("", "check", p, "--iocs", iocs, "--no-report", "--quiet", "--output", out)
	}
	refOut, ref := check(gen(samplegen.DumpFolder))
	if ref.code != results.ExitFound {
		t.Fatalf("plain folder: exit %d\n%s", ref.code, ref.console())
	}
	refFiles := moduleFiles(t, refOut)
	if len(refFiles) < 7 || refFiles["ios.filesystem.json"] == nil || refFiles["ios.sms.json"] == nil {
		t.Fatalf("reference results: %v", keys(refFiles))
	}
	refDets := detectionKeys(t, refOut)
	for _, l := range samplegen.DumpLayouts {
		if l == samplegen.DumpFolder {
			continue
		}
		t.Run(string(l), func(t *testing.T) {
			out, r := check(gen(l))
			if r.code != results.ExitFound {
				t.Fatalf("exit %d, want %d (planted traces found)\n%s", r.code, results.ExitFound, r.console())
			}
			var info results.Info
			if err := results.ReadJSON(filepath.Join(out, "info.json"), &info); err != nil {
				t.Fatal(err)
			}
			if info.Evidence.Kind != "ios-fs" {
				t.Fatalf("recognised as %q", info.Evidence.Kind)
			}
			got := moduleFiles(t, out)
			for name, want := range refFiles {
				g := got[name]
				if l == samplegen.DumpVarOnly && name == "ios.filesystem.json" {
					// The data partition alone: the records under /private/var.
					want, g = underVar(t, want), underVar(t, g)
				}
				if !bytes.Equal(g, want) {
					t.Errorf("%s differs from the plain folder's (%d bytes, want %d)", name, len(g), len(want))
				}
			}
			if d := detectionKeys(t, out); !slices.Equal(d, refDets) {
				t.Errorf("findings differ:\n got %q\nwant %q", d, refDets)
			}
		})
	}
}

// moduleFiles reads every <module>.json of a results folder.
func moduleFiles(t *testing.T, out string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "ios.") && strings.HasSuffix(e.Name(), ".json") {
			b, err := os.ReadFile(filepath.Join(out, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			m[e.Name()] = b
		}
	}
	return m
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// underVar keeps the file-tree records below /private/var, re-encoded.
func underVar(t *testing.T, b []byte) []byte {
	t.Helper()
	var f results.ModuleFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, r := range f.Records {
		if strings.HasPrefix(r.Summary, "/private/var/") {
			keep = append(keep, r.Summary)
		}
	}
	return []byte(strings.Join(keep, "\n"))
}

// detectionKeys lists a run's findings as module, rule and value.
func detectionKeys(t *testing.T, out string) []string {
	t.Helper()
	var d results.Detections
	if err := results.ReadJSON(filepath.Join(out, "detections.json"), &d); err != nil {
		t.Fatal(err)
	}
	var ks []string
	for _, x := range d.Detections {
		v := ""
		if x.Observable != nil {
			v = x.Observable.Value
		}
		ks = append(ks, x.Module+" "+x.Rule+" "+v+" "+x.Severity.String())
	}
	slices.Sort(ks)
	return ks
}
