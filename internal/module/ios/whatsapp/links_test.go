package whatsapp

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestLinksOnceInOrder(t *testing.T) {
	var many, manyWant []string
	for i := range 30 {
		l := fmt.Sprintf("https://s%d.example.com/p", i)
		many, manyWant = append(many, l, l), append(manyWant, l)
	}
	cases := []struct {
		name  string
		texts []string
		want  []string
	}{
		{"none", []string{"hello", ""}, nil},
		{"dedupe across texts", []string{"see https://a.example.com/x", "https://a.example.com/x again"}, []string{"https://a.example.com/x"}},
		{"own media dropped", []string{"https://mmg.whatsapp.net/d/f/abc.enc", "https://b.example.org/"}, []string{"https://b.example.org/"}},
		{"many links switch to a set", []string{strings.Join(many, " "), many[0]}, manyWant},
	}
	for _, c := range cases {
		if got := links(c.texts...); !slices.Equal(got, c.want) {
			t.Errorf("%s: links = %v, want %v", c.name, got, c.want)
		}
	}
}
