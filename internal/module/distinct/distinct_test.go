package distinct

import (
	"fmt"
	"slices"
	"testing"
)

func TestList(t *testing.T) {
	many := func(n int, repeat bool) (in, want []string) {
		for i := range n {
			v := fmt.Sprint("v", i)
			in, want = append(in, v), append(want, v)
			if repeat {
				in = append(in, v, "v0")
			}
		}
		return in, want
	}
	below, belowWant := many(setFrom-1, true)
	at, atWant := many(setFrom, true)
	above, aboveWant := many(5*setFrom, true)
	tests := []struct {
		name     string
		in, want []string
	}{
		{"none", nil, nil},
		{"one", []string{"a"}, []string{"a"}},
		{"repeats kept once, first order", []string{"b", "a", "b", "c", "a"}, []string{"b", "a", "c"}},
		{"below the set", below, belowWant},
		{"at the set", at, atWant},
		{"past the set", above, aboveWant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l List[string]
			added := 0
			for _, v := range tt.in {
				if l.Add(v) {
					added++
				}
			}
			if got := l.Values(); !slices.Equal(got, tt.want) || added != len(tt.want) || (tt.want == nil) != (got == nil) {
				t.Errorf("values %q (%d added), want %q", got, added, tt.want)
			}
			for _, v := range tt.want {
				if !l.Has(v) {
					t.Errorf("Has(%q) is false", v)
				}
			}
			if l.Has("absent") {
				t.Error("Has(absent) is true")
			}
		})
	}
}
