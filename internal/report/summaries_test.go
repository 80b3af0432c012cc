package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTranslateSummary(t *testing.T) {
	tests := []struct {
		module, in, want string
		ok               bool
	}{
		{"ios.sms", `SMS from +52 55 1: "hola, ¿cómo estás?"`, `SMS de +52 55 1: "hola, ¿cómo estás?"`, true},
		{"ios.sms", `message to unknown in group Familia: "ok"`, `mensaje a desconocido en el grupo Familia: "ok"`, true},
		{"ios.datausage", "bh (bundle -, process 12), no live usage", "bh (paquete -, proceso 12), sin uso en vivo", true},
		{"ios.tcc", "Access to Camera by com.x denied", "Acceso a Camera por com.x: denegado", true},
		{"android.aqf_packages", "Package com.x installed by unknown (system, disabled)", "Paquete com.x instalado por desconocido (sistema, desactivado)", true},
		{"android.aqf_packages", "Package com.x installed by com.android.vending", "Paquete com.x instalado por com.android.vending", true},
		{"ios.whatsapp_contacts", `WhatsApp contact Ana, about changed to "hi" (scheduled to expire)`, `Contacto de WhatsApp Ana, la info cambió a "hi" (con caducidad programada)`, true},
		{"ios.whatsapp_contacts", "WhatsApp contact Ana, LID 12", "Contacto de WhatsApp Ana, LID 12", true},
		{"ios.app_privacy_report", "com.x.app connected to c2.example (57 times)", "com.x.app se conectó a c2.example (57 veces)", true},
		{"ios.app_privacy_report", "Website news.example shown in com.apple.mobilesafari connected to c2.example (1 times)", "El sitio web news.example mostrado en com.apple.mobilesafari se conectó a c2.example (1 veces)", true},
		{"ios.app_privacy_report", "com.x.app used the microphone", "com.x.app usó el micrófono", true},
		{"ios.safari_export", "Safari visit http://a.example/ -> redirected to https://b.example/", "Visita en Safari a http://a.example/ → redirigida a https://b.example/", true},
		{"ios.crash_reports", "Crash log for Podcasts", "Registro de fallo de Podcasts", true},
		{"ios.sms", "no template matches this line", "no template matches this line", false},
		{"no.such_module", "Whatever", "Whatever", false},
	}
	for _, tt := range tests {
		segs, ok := translateSummary(tt.module, tt.in, "es")
		if got := joinSegments(segs); got != tt.want || ok != tt.ok {
			t.Errorf("%s %q:\n got %q %v\nwant %q %v", tt.module, tt.in, got, ok, tt.want, tt.ok)
		}
	}
	// Values stay values: the message text is never translated.
	segs, _ := translateSummary("ios.sms", `SMS from +1: "the phone was found"`, "es")
	for _, s := range segs {
		if strings.Contains(s.Text, "the phone") && !s.Value {
			t.Errorf("evidence text not marked as a value: %+v", segs)
		}
	}
}

// Every template parses and uses the same values in both languages.
func TestSummaryTemplatesLoad(t *testing.T) {
	c, err := loadSummaries()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.modules) < 60 {
		t.Errorf("templates for %d modules", len(c.modules))
	}
}

// Summaries are evidence text: any line translates without failing, and a
// line a template matched reads back unchanged in English (the template
// loses nothing of it).
func FuzzTranslateSummary(f *testing.F) {
	for _, s := range []string{`SMS from +1: "x"`, "Package a installed by b (system)", "WhatsApp contact x, LID y, about changed to \"z\" (scheduled to expire)",
		"Reboot with 3 client(s) still running after 4 wait(s)", "", "\xff(", "{x} {y:word}"} {
		f.Add("ios.sms", s)
		f.Add("android.aqf_packages", s)
		f.Add("ios.whatsapp_contacts", s)
	}
	f.Fuzz(func(t *testing.T, module, s string) {
		segs, ok := translateSummary(module, s, "es")
		if !utf8.ValidString(s) {
			return
		}
		out := joinSegments(segs)
		if !ok && out != s {
			t.Fatalf("unmatched line changed: %q -> %q", s, out)
		}
		if ok {
			en, _ := translateSummary(module, s, "en")
			if back := joinSegments(en); back != s {
				t.Fatalf("template loses text: %q -> %q", s, back)
			}
		}
	})
}
