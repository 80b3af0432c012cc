package ios

import (
	"testing"

	"github.com/huella-project/huella/internal/model"
)

func TestZeroClickAttachment(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		outgoing bool
		want     bool
	}{
		{"var tmp received", "/var/tmp/com.apple.messages/ABCD-1", false, true},
		{"private var tmp", "/private/var/tmp/x/y-1", false, true},
		{"outgoing", "/var/tmp/x-1", true, false},
		{"normal attachment", "~/Library/SMS/Attachments/ab/11/IMG_0001.jpg", false, false},
		{"var tmp other suffix", "/var/tmp/x-2", false, false},
		{"empty", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ZeroClickAttachment(tt.file, tt.outgoing)
			if (d != nil) != tt.want {
				t.Fatalf("got %v, want flagged=%v", d, tt.want)
			}
			if d != nil && (d.Severity != model.High || d.Rule != "ios.attachment.zero_click") {
				t.Errorf("detection %+v", d)
			}
		})
	}
}

func TestQuaDreamCalendarEvent(t *testing.T) {
	tests := []struct {
		summary, desc string
		want          bool
	}{
		{"Meeting", "Notes", true},
		{" Meeting ", "Notes\n", true},
		{"Meeting", "Agenda", false},
		{"Super interesting meeting", "very very interesting things", false},
	}
	for _, tt := range tests {
		if d := QuaDreamCalendarEvent(tt.summary, tt.desc, "U"); (d != nil) != tt.want {
			t.Errorf("%q/%q: got %v, want %v", tt.summary, tt.desc, d, tt.want)
		}
	}
}

func TestAppNotFromStore(t *testing.T) {
	tests := []struct {
		source string
		want   bool
	}{
		{"", false}, {"com.apple.AppStore", false}, {"com.apple.dmd", false}, {"dmd", false},
		{"com.apple.AppStore.ProductPageExtension", false}, {"com.apple.TestFlight", true}, {"com.altstore", true},
	}
	for _, tt := range tests {
		if d := AppNotFromStore("x.y", tt.source); (d != nil) != tt.want {
			t.Errorf("%q: got %v, want %v", tt.source, d, tt.want)
		}
	}
	if d := AppNotFromStore("x.y", "com.apple.TestFlight"); d == nil || d.Severity != model.Low {
		t.Errorf("TestFlight: %+v", d)
	}
	if d := AppNotFromStore("x.y", "com.altstore"); d == nil || d.Severity != model.Medium {
		t.Errorf("AltStore: %+v", d)
	}
}

func TestLockdownAndNul(t *testing.T) {
	if d := LockdownMode(true); d.Severity != model.Informational || d.Rule != "ios.lockdown.enabled" {
		t.Errorf("enabled: %+v", d)
	}
	if d := LockdownMode(false); d.Severity != model.Low {
		t.Errorf("disabled: %+v", d)
	}
	if IDStatusNulHandle("mailto:a@b.c") != nil || IDStatusNulHandle("mailto:a\x00\x00@b") == nil {
		t.Error("NUL handle rule")
	}
}

func TestPassKitFromUnknown(t *testing.T) {
	tests := []struct {
		mime, uti, name string
		outgoing, known bool
		want            bool
	}{
		{"application/vnd.apple.pkpass", "", "a.pkpass", false, false, true},
		{"", "com.apple.pkpass", "x", false, false, true},
		{"", "", "Boarding.PKPASS", false, false, true},
		{"application/vnd.apple.pkpass", "", "a.pkpass", false, true, false},
		{"application/vnd.apple.pkpass", "", "a.pkpass", true, false, false},
		{"image/jpeg", "public.jpeg", "a.jpg", false, false, false},
	}
	for _, tt := range tests {
		if d := PassKitFromUnknown(tt.mime, tt.uti, tt.name, tt.outgoing, tt.known); (d != nil) != tt.want {
			t.Errorf("%+v: got %v", tt, d)
		}
	}
}
