package messages

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/rules"
)

func TestLureThemes(t *testing.T) {
	tests := []struct {
		text string
		want []string // themes that must be present; nil means none at all
	}{
		// Synthetic lures in the style of the 2016-2019 Mexico messages.
		{"Mi papá falleció esta madrugada, aquí los detalles del funeral:", []string{"death"}},
		{"MI PAPA FALLECIO, TE ENVIO DATOS DEL VELORIO", []string{"death"}},
		{"Mi esposo acaba de morir, te comparto los detalles del sepelio", []string{"death"}},
		{"Tu hija sufrió un accidente y está grave en el hospital", []string{"accident"}},
		{"Secuestraron a mi hermano, ayúdame por favor", []string{"kidnapping", "urgency"}},
		{"La policía detuvo a tu primo, está detenido en el ministerio público", []string{"detention"}},
		{"EMBAJADA DE EU: DETECTAMOS UN PROBLEMA CON SU VISA", []string{"visa"}},
		{"Sale tu nombre en esta nota de Proceso", []string{"mentioned"}},
		{"Te mencionan en este artículo sobre el caso", []string{"mentioned"}},
		{"Su cuenta bloqueada por actividad inusual, verifique", []string{"bank"}},
		{"No pudimos entregar su paquete, consulte su número de guía", []string{"delivery"}},
		{"Tienes una fotomulta pendiente de pago", []string{"invoice"}},
		{"Su adeudo pasará a cobranza judicial", []string{"debt"}},
		{"Tu esposa te engaña, mira las fotos", []string{"infidelity"}},
		{"Hay hombres armados afuera de tu casa", []string{"threat"}},
		{"Cubre la protesta frente a la embajada por tus hermanos detenidos", []string{"activism", "visa", "detention"}},
		{"Your name is mentioned in this article", []string{"mentioned"}},
		{"My father passed away, funeral details here", []string{"death"}},
		{"URGENT: your package could not be delivered", []string{"urgency", "delivery"}},
		{"Your daughter was in a car crash, she is in the hospital", []string{"accident"}},
		{"Apple: your account has been locked", []string{"bank"}},
		// Word stems: plurals match their singular keyword.
		{"Asesinaron a dos periodistas anoche, mira", []string{"activism"}},
		{"Journalists were arrested at the protests", []string{"activism", "detention"}},
		{"Los funerales serán mañana", []string{"death"}},
		{"Tienes 3 multas sin pagar", []string{"invoice"}},
		{"Problema con sus visas de trabajo", []string{"visa"}},
		// Ordinary messages.
		{"Hola, nos vemos mañana a las 5 en el café", nil},
		{"Revisa el programa de Televisa de anoche", nil},
		{"Te cuento mañana cómo me fue", nil},
		{"Los periodos de lluvia empiezan en junio", nil},
		{"Your verification code is 123456", nil},
		{"¿Ya llegaste? Te espero en la entrada", nil},
		{"I'm fine, thanks! See you at dinner", nil},
		{"Feliz cumpleaños!! Que te la pases increíble", nil},
		{"Mañana hay junta a las 10, no olvides la presentación", nil},
		{"Estoy en el banco, te marco al rato", nil},
	}
	for _, tt := range tests {
		got := LureThemes(tt.text)
		if tt.want == nil {
			if len(got) != 0 {
				t.Errorf("LureThemes(%q) = %v, want none", tt.text, got)
			}
			continue
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("LureThemes(%q) = %v, want it to include %q", tt.text, got, w)
			}
		}
	}
}

// The samples of the message rules live in the registry; this test pins
// how a message raises its links' findings and which sender is claimed.
func TestScoreMessage(t *testing.T) {
	const lure = "Sale tu nombre en esta nota, urgente que la veas"
	const (
		suspicious = "message.lure.suspicious_link"
		plain      = "message.lure.plain_link"
		shortener  = "link.url.shortened"
		pegasus    = "link.path.pegasus_shape"
		near       = "link.host.brand_near"
	)
	tests := []struct {
		name     string
		msg      Message
		rule     string
		want     model.Severity
		linkRule string         // a link rule whose severity is checked too
		linkSev  model.Severity // expected after raising
	}{
		{"stranger, lure, shortener", Message{Text: lure, Links: []string{"https://bit.ly/3xyzAB"}, Sender: SenderStranger},
			suspicious, model.High, shortener, model.Medium},
		{"stranger, lure, link only in text", Message{Text: lure + " http://noticias-hoy.example/4821093s/", Sender: SenderStranger},
			suspicious, model.High, pegasus, model.High},
		{"stranger, lure, near spelling raised to high", Message{Text: "Mi papá falleció, detalles del funeral", Links: []string{"https://bbitly.com/n"}, Sender: SenderStranger},
			suspicious, model.High, near, model.High},
		{"pasted, lure, near spelling raised too", Message{Text: "Mi papá falleció, detalles del funeral", Links: []string{"https://bbitly.com/n"}},
			suspicious, model.High, near, model.High},
		{"contact, lure, shortener", Message{Text: lure, Links: []string{"https://bit.ly/3xyzAB"}, Sender: SenderContact},
			suspicious, -1, shortener, model.Low},
		{"sent by the owner", Message{Text: lure, Links: []string{"https://bit.ly/3xyzAB"}, Sender: SenderMe},
			suspicious, -1, shortener, model.Low},
		{"stranger, no lure, shortener", Message{Text: "mira este video jaja", Links: []string{"https://bit.ly/3xyzAB"}, Sender: SenderStranger},
			suspicious, -1, shortener, model.Low},
		{"stranger, lure, clean link", Message{Text: lure, Links: []string{"https://elpais.com/mexico/nota.html"}, Sender: SenderStranger},
			plain, model.Low, "", 0},
		{"stranger, lure, hyphenated domain", Message{Text: "Los periodistas detenidos: https://noticias-del-dia.com/x", Sender: SenderStranger},
			plain, model.Medium, "", 0},
		{"stranger, lure, indicator link", Message{Text: lure, Links: []string{"https://elpais.com/x"}, IndicatorLinks: []string{"https://elpais.com/x"}, Sender: SenderStranger},
			suspicious, model.High, "", 0},
		{"normal SMS", Message{Text: "Hola, ¿a qué hora es la comida? https://maps.app.goo.gl/abc", Sender: SenderStranger},
			suspicious, -1, shortener, -1},
		{"Apple warning inside a message", Message{Text: "ALERT: State-sponsored attackers may be targeting your iPhone"},
			RuleAppleWarning, model.High, "", 0},
		// The owner quoting or forwarding Apple's warning to someone is not a
		// warning received on this phone.
		{"Apple warning sent by the owner", Message{Text: "ALERT: State-sponsored attackers may be targeting your iPhone", Sender: SenderMe},
			RuleAppleWarning, -1, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := ScoreMessage(tt.msg)
			if got := hasRule(fs, tt.rule); got != tt.want {
				t.Errorf("%s = %v, want %v; findings %+v", tt.rule, got, tt.want, fs)
			}
			if tt.linkRule != "" {
				if got := hasRule(fs, tt.linkRule); got != tt.linkSev {
					t.Errorf("%s = %v, want %v; findings %+v", tt.linkRule, got, tt.linkSev, fs)
				}
			}
		})
	}
}

// A message's text never claims a sender the evidence does not know: only
// a sender known not to be in the contacts is called a stranger.
func TestScoreMessageSenderWording(t *testing.T) {
	msg := Message{Text: "Tu padre murió, datos del funeral: https://bit.ly/x"}
	for _, sender := range []Sender{SenderUnknowable, SenderStranger} {
		msg.Sender = sender
		for _, f := range ScoreMessage(msg) {
			for _, lang := range []string{"en", "es"} {
				text := f.Text(lang)
				claims := strings.Contains(text, "not in the contacts") || strings.Contains(text, "no está en los contactos")
				if claims != (sender == SenderStranger) {
					t.Errorf("sender %d, %s %s: %q", sender, f.Rule, lang, text)
				}
			}
		}
	}
}

func TestLinksInText(t *testing.T) {
	got := linksInText("İİ mira HTTPS://bit.ly/a y http://x.example/p\tfin httpx://no")
	want := []string{"HTTPS://bit.ly/a", "http://x.example/p"}
	if !slices.Equal(got, want) {
		t.Fatalf("linksInText = %q, want %q", got, want)
	}
}

func TestScoreMessageDeduplicatesLinks(t *testing.T) {
	fs := ScoreMessage(Message{Text: "hola", Links: []string{"https://bit.ly/a", "https://bit.ly/a"}})
	if len(fs) != 1 {
		t.Fatalf("want one shortener finding for a repeated link, got %+v", fs)
	}
}

func TestScoreMessageBoundsHugeInput(t *testing.T) {
	text := strings.Repeat("https://bit.ly/x funeral ", 1<<18)
	links := make([]string, 10000)
	for i := range links {
		links[i] = "https://bit.ly/" + strings.Repeat("y", i%50)
	}
	start := time.Now()
	ScoreMessage(Message{Text: text})
	ScoreMessage(Message{Text: text, Links: links})
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("huge message took %v", d)
	}
}

func TestThreatNotification(t *testing.T) {
	tests := []struct {
		text, sender string
		want         bool
	}{
		{"ALERT: State-sponsored attackers may be targeting your iPhone", "", true},
		{"ALERT: Apple detected a targeted mercenary spyware attack against your iPhone", "", true},
		{"Apple believes you are being targeted by state-sponsored attackers who are trying to remotely compromise the iPhone associated with your Apple ID", "", true},
		{"Apple detectó un ataque dirigido de spyware mercenario contra tu iPhone", "", true},
		{"ALERTA: es posible que atacantes patrocinados por el estado estén atacando tu iPhone", "", true},
		{"Apple detectou um ataque de spyware mercenário direcionado contra seu iPhone", "", true},
		{"", "threat-notifications@apple.com", true},
		{"Your Apple ID", "Apple <threat-notifications@email.apple.com>", true},
		// Not notifications.
		{"Leí que Apple manda alertas de spyware mercenario a periodistas", "", false},
		{"Apple patched a bug used by mercenary spyware, update now", "", false},
		{"Your Apple ID was used to sign in to iCloud on a new device", "noreply@email.apple.com", false},
		{"ALERT: Apple detected a targeted mercenary spyware attack", "threat-notifications@apple.com.evil.example", true}, // the text alone qualifies
		{"hola", "threat-notifications@apple.com.evil.example", false},
		{"hola", "threat-notifications@notapple.com", false},
		{"", "", false},
	}
	for _, tt := range tests {
		f := ThreatNotification(tt.text, tt.sender)
		if (f != nil) != tt.want {
			t.Errorf("ThreatNotification(%q, %q) = %+v, want match %v", tt.text, tt.sender, f, tt.want)
		}
		if f != nil && (f.Severity != model.High || f.Rule != RuleAppleWarning || !strings.Contains(f.Text("en"), "targeted attack")) {
			t.Errorf("unexpected finding %+v", f)
		}
	}
}

func hasRule(fs []rules.Finding, rule string) model.Severity {
	for _, f := range fs {
		if f.Rule == rule {
			return f.Severity
		}
	}
	return -1
}
