package lockdownlog

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/applelog"
	"github.com/huella-project/huella/internal/heuristics/ios"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

const base = `10/13/21 07:57:42.865446 pid=69 handle_get_value: AMPDevicesAgent attempting to get [UniqueDeviceID]
10/13/21 07:57:42.945911 pid=69 handle_start_service: AMPDevicesAgent attempting to spawn com.apple.mobile.installation_proxy service.
10/13/21 07:57:43.000000 pid=69 handle_validate_pair: Validated pairing with host 11111111-2222-4333-8444-555555555555
`

const pairing = `11/20/26 15:10:00.000001 pid=70 handle_pair: Pairing with host ABCDEF01-2345-4678-9ABC-DEF012345678 accepted by the user
11/20/26 15:10:05.000000 pid=70 handle_start_session: Session started for host ABCDEF01-2345-4678-9ABC-DEF012345678
`

func TestModule(t *testing.T) {
	for _, c := range []struct {
		name                  string
		log                   string
		records, pairFindings int
	}{
		{"clean", base, 2, 0},
		{"planted", base + pairing, 4, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev := moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"logs/MobileLockdown/lockdownd.log": c.log})
			ev.Device.TimeZone = "America/Mexico_City"
			s := moduletest.MustRun(t, Def(), ev)
			if len(s.Records) != c.records || len(s.Detections) != c.pairFindings {
				t.Fatalf("%d records %v", len(s.Records), s.Rules())
			}
			if c.pairFindings > 0 {
				d := s.Detections[0]
				if d.Rule != "ios.pairing.computer" || d.Params["host"] != "ABCDEF01-2345-4678-9ABC-DEF012345678" || !d.Time.Equal(time.Date(2026, 11, 20, 21, 10, 0, 1000, time.UTC)) {
					t.Errorf("%+v", d)
				}
			}
			if got := s.Records[0].Data.(*Event); got.Kind != "service" || got.Service != "com.apple.mobile.installation_proxy" || got.Client != "AMPDevicesAgent" {
				t.Errorf("%+v", got)
			}
			if len(s.Warnings) != 0 {
				t.Errorf("warnings %v", s.Warnings)
			}
		})
	}
}

func TestUnknownZoneIsSaid(t *testing.T) {
	s := moduletest.MustRun(t, Def(), moduletest.MapEvidence(t, source.IOSSysdiagnose, map[string]string{"logs/MobileLockdown/lockdownd.log": pairing}))
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "UTC") {
		t.Errorf("%v", s.Warnings)
	}
}

// Any bytes: every entry read is classified as one of the known events or
// none, and a host, when found, is a UUID taken from the entry's message.
func FuzzClassify(f *testing.F) {
	f.Add([]byte(base + pairing))
	f.Add([]byte("01/02/03 04:05:06.7 pid=1 handle_unpair: host 00000000-0000-0000-0000-000000000000\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = applelog.Parse(bytes.NewReader(b), time.UTC, func(e applelog.Entry) {
			kind := Classify(e)
			switch kind {
			case "", ios.PairingNew, ios.PairingUnpair, ios.PairingValidate, ios.PairingSession, "service":
			default:
				t.Fatalf("kind %q", kind)
			}
			if h := uuidRE.FindString(e.Message); h != "" && (!ios.IsUUID(h) || !strings.Contains(e.Message, h)) {
				t.Fatalf("host %q", h)
			}
			if kind == "service" && serviceRE.FindStringSubmatch(e.Message) == nil {
				t.Fatalf("a service start without its client and service: %q", e.Message)
			}
		})
	})
}

// A file-system dump holds the log at private/var/logs/lockdownd.log.
func TestFileSystemDump(t *testing.T) {
	ev := moduletest.MapEvidence(t, source.IOSFS, map[string]string{"private/var/logs/lockdownd.log": base + pairing})
	ev.Device.TimeZone = "UTC"
	s := moduletest.MustRun(t, Def(), ev)
	if len(s.Records) != 4 || len(s.Detections) != 1 {
		t.Fatalf("%d records %v", len(s.Records), s.Rules())
	}
}
