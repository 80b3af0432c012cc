package rules

import "testing"

func TestRegistryParses(t *testing.T) {
	g, err := Parse(registryYAML)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Rules) < 60 {
		t.Fatalf("%d rules", len(g.Rules))
	}
}
