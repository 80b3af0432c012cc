package sms

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestExtractLinksOnceInOrder(t *testing.T) {
	var many, manyWant []string
	for i := range 30 {
		l := fmt.Sprintf("https://s%d.example.com/p", i)
		many, manyWant = append(many, l, l), append(manyWant, l)
	}
	cases := []struct {
		text string
		want []string
	}{
		{"no link", nil},
		{"https://a.example.com/x and again https://a.example.com/x", []string{"https://a.example.com/x"}},
		{strings.Join(many, " "), manyWant},
	}
	for _, c := range cases {
		if got := extractLinks(c.text); !slices.Equal(got, c.want) {
			t.Errorf("extractLinks(%.40q) = %v, want %v", c.text, got, c.want)
		}
	}
}
