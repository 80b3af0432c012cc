package messages

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzScoreMessage(f *testing.F) {
	f.Add("Mi papá falleció, detalles del funeral https://bit.ly/x", "https://bit.ly/x", false, false)
	f.Add("ALERT: Apple detected a targeted mercenary spyware attack against your iPhone", "", false, false)
	f.Add("hola", "http://203.0.113.1/1234567s", true, false)
	f.Add("İİİ HTTPS://bit.ly/x\thttp://a", "", false, false)
	f.Add(strings.Repeat("á", 100), "https://аpple.com", false, true)
	f.Fuzz(func(t *testing.T, text, link string, known, fromMe bool) {
		var links []string // empty exercises extraction from the text
		if link != "" {
			links = []string{link}
		}
		sender := SenderStranger
		switch {
		case fromMe:
			sender = SenderMe
		case known:
			sender = SenderContact
		}
		fs := ScoreMessage(Message{Text: text, Links: links, Sender: sender})
		for _, fd := range fs {
			if fd.Rule == "" || !utf8.ValidString(fd.Text("en")) || !utf8.ValidString(fd.Text("es")) {
				t.Fatalf("bad finding %+v", fd)
			}
		}
		LureThemes(text)
		ThreatNotification(text, link)
	})
}
