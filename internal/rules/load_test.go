package rules

import (
	"strings"
	"testing"
)

func TestRegistryParses(t *testing.T) {
	g, err := Parse(registryYAML)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Rules) < 60 {
		t.Fatalf("%d rules", len(g.Rules))
	}
}

func TestLang(t *testing.T) {
	for in, want := range map[string]string{"": "en", "es-MX": "es", "ES": "es", "en_GB": "en", "fr": "fr"} {
		if got := Lang(in); got != want {
			t.Errorf("Lang(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Render("es-MX", "ios.lockdown.enabled", nil, nil); !strings.Contains(got, "modo de aislamiento") {
		t.Errorf("es-MX rendered %q", got)
	}
}
