package netext

import (
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func on() *bool { b := true; return &b }

var clean = []Config{
	{Name: "Screen Time", Identifier: "A-1", Kind: "content_filter", App: "com.apple.ScreenTimeAgent", Enabled: on()},
	{Name: "Private Relay", Identifier: "A-2", Kind: "relay", Providers: []string{"com.apple.networkserviceproxy"}},
}

var planted = []Config{
	{Name: "Guard", Identifier: "B-1", Kind: "content_filter", App: "com.example.guard", Providers: []string{"com.example.guard.filter"},
		Servers: []string{"https://filter.demospy.example/rules"}, Enabled: on()},
	{Name: "Corp DNS", Identifier: "B-2", Kind: "dns_proxy", Servers: []string{"10.0.0.53"}},
}

func TestParse(t *testing.T) {
	got, err := Parse(Build(append(clean, planted...)))
	if err != nil || len(got) != 4 {
		t.Fatalf("%v %+v", err, got)
	}
	byName := map[string]Config{}
	for _, c := range got {
		byName[c.Name] = c
	}
	g := byName["Guard"]
	if g.Kind != "content_filter" || g.App != "com.example.guard" || g.Providers[0] != "com.example.guard.filter" ||
		g.Servers[0] != "https://filter.demospy.example/rules" || g.Enabled == nil || !*g.Enabled {
		t.Errorf("%+v", g)
	}
	if byName["Private Relay"].App != "com.apple.networkserviceproxy" {
		t.Errorf("provider not taken as the app: %+v", byName["Private Relay"])
	}
	// A plain (not archived) plist with the same shape reads the same.
	if _, err := Parse([]byte(`<?xml version="1.0"?><plist version="1.0"><dict><key>x</key><dict><key>Name</key><string>V</string><key>VPN</key><dict><key>Enabled</key><true/></dict></dict></dict></plist>`)); err != nil {
		t.Error(err)
	}
}

func TestModule(t *testing.T) {
	for _, c := range []struct {
		name  string
		cfgs  []Config
		rules string
	}{
		{"clean", clean, ""},
		{"planted", append(clean, planted...), "ios.netext.configured,ios.netext.configured"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev := moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{
				"logs/Networking/com.apple.networkextension.plist":       string(Build(c.cfgs)),
				"logs/Networking/com.apple.networkextension.cache.plist": string(Build(c.cfgs)),
			})
			s := moduletest.MustRun(t, Def(), ev)
			if len(s.Records) != 2*len(c.cfgs) || strings.Join(s.Rules(), ",") != c.rules {
				t.Fatalf("%d records %v", len(s.Records), s.Rules())
			}
			if c.rules != "" {
				sev := map[string]model.Severity{}
				for _, d := range s.Detections {
					sev[d.Params["name"]] = d.Severity
				}
				if sev["Guard"] != model.Medium || sev["Corp DNS"] != model.Low {
					t.Errorf("%v", sev)
				}
				if got := s.Observables(model.KindDomain); !strings.Contains(strings.Join(got, ","), "filter.demospy.example") {
					t.Errorf("domains %v", got)
				}
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Build(planted))
	f.Add([]byte("bplist00garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfgs, _ := Parse(b)
		if len(cfgs) > maxConfigs {
			t.Fatalf("%d configurations", len(cfgs))
		}
		for _, c := range cfgs {
			if c.Name == "" || c.Kind == "" || len(c.Providers) > 16 || len(c.Servers) > 16 {
				t.Fatalf("bad configuration %+v", c)
			}
		}
	})
}

// A file-system dump holds the settings in private/var/preferences beside
// other networkextension plists (necp, uuidcache) that are not read.
func TestFileSystemDump(t *testing.T) {
	on := true
	cfgs := []Config{{Name: "Guard", Kind: "content_filter", App: "com.example.guard", Enabled: &on}}
	ev := moduletest.MapEvidence(t, source.IOSFS, map[string]string{
		"private/var/preferences/com.apple.networkextension.plist":           string(Build(cfgs)),
		"private/var/preferences/com.apple.networkextension.necp.plist":      "not a configuration list",
		"private/var/preferences/com.apple.networkextension.uuidcache.plist": "not a configuration list",
	})
	s := moduletest.MustRun(t, Def(), ev)
	if len(s.Records) != 1 || len(s.Detections) != 1 || len(s.Warnings) != 0 {
		t.Fatalf("%d records %v warnings %v", len(s.Records), s.Rules(), s.Warnings)
	}
}
