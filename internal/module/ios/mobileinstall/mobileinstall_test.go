package mobileinstall

import (
	"strings"
	"testing"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

const storeInstall = `Mon Apr  7 06:13:34 2025 [234] <notice> (0x16b48f000) -[MIClientConnection _doInstallationForURL:identity:domain:options:completion:]: Install of "/private/var/containers/Shared/SystemGroup/x/PromiseStaging/B6/Signal.app" type Placeholder (LSInstallType = MIInstallationDomainDefault, Domain: 1) requested by installcoordinationd (pid 960 (501/501))
Mon Apr  7 06:13:34 2025 [234] <notice> (0x16b48f000) -[MIInstaller _installInstallable:containingSymlink:error:]: Installing <MIInstallableBundle ID=org.whispersystems.signal; Version=(null), ShortVersion=(null)>
Mon Apr  7 06:13:34 2025 [234] <notice> (0x16b48f000) -[MIInstaller performInstallationWithError:]: Install Successful for (Placeholder:org.whispersystems.signal); Staging: 0.01s; Waiting: 0.00s; Preflight/Patch: 0.00s, Verifying: 0.03s; Overall: 0.25s
Mon Apr  7 07:00:00 2025 [234] <notice> (0x16b48f000) main: Reboot detected
Mon Apr  7 08:00:00 2025 [234] <notice> (0x16b48f000) -[MIClientConnection _uninstallIdentities:withOptions:completion:]: Uninstall requested by installcoordinationd (pid 117 (501/501)) for identity [com.example.old/PersonalPersonaPlaceholderString] with options: {
    UninstallParallelPlaceholder = 1;
}
`

const computerInstall = `Fri Nov 20 15:20:00 2026 [300] <notice> (0x1) -[MIClientConnection _doInstallationForURL:identity:domain:options:completion:]: Install of "/var/mobile/Media/PublicStaging/helper.ipa" type Customer (LSInstallType = (null), Domain: MIInstallationDomainDefault) requested by streaming_zip_conduit (pid 812 (501/501))
Fri Nov 20 15:20:01 2026 [300] <notice> (0x1) -[MIInstaller _installInstallable:containingSymlink:error:]: Installing <MIInstallableBundle ID=com.example.helper; Version=1, ShortVersion=1.0>
Fri Nov 20 15:20:03 2026 [300] <notice> (0x1) -[MIInstaller performInstallationWithError:]: Install Successful for (Customer:com.example.helper); Staging: 0.01s; Overall: 1.00s
`

func TestModule(t *testing.T) {
	for _, c := range []struct {
		name     string
		log      string
		records  int
		findings []string
	}{
		{"clean", storeInstall, 3, nil},
		{"planted", storeInstall + computerInstall, 4, []string{"ios.install.outside_store"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev := moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"logs/MobileInstallation/mobile_installation.log.0": c.log})
			ev.Device.TimeZone = "America/Mexico_City"
			s := moduletest.MustRun(t, Def(), ev)
			if len(s.Records) != c.records || strings.Join(s.Rules(), ",") != strings.Join(c.findings, ",") {
				t.Fatalf("%d records %v", len(s.Records), s.Rules())
			}
			descs := []string{}
			for _, r := range s.Records {
				descs = append(descs, r.Times[0].Desc)
			}
			want := "app_installed,reboot,app_uninstalled"
			if c.findings != nil {
				want += ",app_installed_from_computer"
				d := s.Detections[0]
				if d.Params["app"] != "com.example.helper" || d.Params["client"] != "streaming_zip_conduit" || d.Context[0] != "from_computer" {
					t.Errorf("%+v", d)
				}
			}
			if strings.Join(descs, ",") != want {
				t.Errorf("%v", descs)
			}
		})
	}
}

func TestReader(t *testing.T) {
	var got []Event
	rd := NewReader("f", func(e Event) { got = append(got, e) })
	for _, e := range []applelog.Entry{
		{PID: 1, Message: "Install Successful for (Developer:com.example.dev) [Distributor: com.example.market]; Overall: 1s"},
		{PID: 2, Message: "Uninstalling identifier com.example.gone"},
	} {
		rd.Entry(e)
	}
	if len(got) != 2 || got[0].Type != "Developer" || got[0].Distributor != "com.example.market" || got[1].App != "com.example.gone" {
		t.Errorf("%+v", got)
	}
}

func FuzzReader(f *testing.F) {
	f.Add(storeInstall + computerInstall)
	f.Fuzz(func(t *testing.T, s string) {
		rd := NewReader("f", func(e Event) {
			if e.Kind == "" || (e.Kind != "reboot" && e.App == "" && e.Kind != "install") {
				t.Fatalf("bad event %+v", e)
			}
		})
		applelog.Parse(strings.NewReader(s), nil, rd.Entry)
		if len(rd.pending) > 1024 {
			t.Fatalf("%d pending installs", len(rd.pending))
		}
	})
}

// TestImpossibleDatesKeptRaw: installs, removals and reboots on lines dated
// in year 2999 keep the date as written on their records.
func TestImpossibleDatesKeptRaw(t *testing.T) {
	log := strings.ReplaceAll(storeInstall, " 2025 [", " 2999 [")
	s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"logs/MobileInstallation/mobile_installation.log.0": log}))
	if len(s.Records) != 3 {
		t.Fatalf("%d records", len(s.Records))
	}
	for i, desc := range []string{"app_installed", "reboot", "app_uninstalled"} {
		raw := map[string]string{"app_installed": "Mon Apr  7 06:13:34 2999", "reboot": "Mon Apr  7 07:00:00 2999", "app_uninstalled": "Mon Apr  7 08:00:00 2999"}[desc]
		moduletest.KeepsRaw(t, s.Records[i], map[string]string{desc: raw})
	}
}
