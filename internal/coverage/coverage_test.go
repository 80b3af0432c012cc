package coverage

import (
	"strings"
	"testing"
)

func TestEveryCauseHasTexts(t *testing.T) {
	for _, c := range Causes() {
		tx, ok := texts[c]
		if !ok {
			t.Errorf("%s: no texts", c)
			continue
		}
		for _, lang := range []string{"en", "es"} {
			if tx.reason[lang] == "" {
				t.Errorf("%s: no %s reason", c, lang)
			}
			if _, ok := tx.fix[lang]; !ok {
				t.Errorf("%s: no %s fix", c, lang)
			}
		}
	}
	if len(texts) != len(Causes()) {
		t.Errorf("texts has %d causes, Causes() lists %d", len(texts), len(Causes()))
	}
}

func TestSentence(t *testing.T) {
	cases := []struct {
		g    Gap
		lang string
		want string
	}{
		{Gap{Part: "backup.ab", Cause: Encrypted}, "en",
			"backup.ab is encrypted and no password was given, so it was not checked. Fix: give the password with --password-file FILE or set HUELLA_BACKUP_PASSWORD"},
		{Gap{Part: "ios.profiles", Cause: Unreadable, Detail: "profile-1: not a plist"}, "es",
			"ios.profiles no se pudo leer: profile-1: not a plist. Solución: revise el archivo a mano (command.log lo nombra); si parece intacto, avísenos"},
		{Gap{Part: "x.tar", Cause: OverLimit, Fix: "raise --temp-budget"}, "en",
			"x.tar is over a size limit and was not read. Fix: raise --temp-budget"},
		{Gap{Part: "y", Cause: "invented"}, "en", "y was not checked"},
	}
	for _, c := range cases {
		if got := c.g.Sentence(c.lang); got != c.want {
			t.Errorf("%+v:\n got %q\nwant %q", c.g, got, c.want)
		}
	}
	if s := (Gap{Part: "indicators", Cause: NoIndicators}).Sentence("en"); !strings.Contains(s, "huella iocs update") || !strings.Contains(s, "--iocs") {
		t.Errorf("no-indicator fix must name the command and the flag: %s", s)
	}
}
