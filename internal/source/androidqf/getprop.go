package androidqf

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Prop is one "[name]: [value]" line of getprop output.
type Prop struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// maxProps bounds a getprop listing; real phones have about a thousand.
const maxProps = 100_000

// ParseGetprop reads getprop output. Lines that are not "[k]: [v]" are
// skipped; a value spanning lines (rare, e.g. a multi-line build
// description) keeps only its first line.
func ParseGetprop(r io.Reader) ([]Prop, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []Prop
	for sc.Scan() {
		p, ok := parsePropLine(sc.Text())
		if !ok {
			continue
		}
		if len(out) >= maxProps {
			return out, fmt.Errorf("more than %d properties; stopped", maxProps)
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

func parsePropLine(line string) (Prop, bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "[") {
		return Prop{}, false
	}
	name, rest, ok := strings.Cut(line[1:], "]: [")
	if !ok || name == "" {
		return Prop{}, false
	}
	return Prop{Name: name, Value: strings.TrimSuffix(rest, "]")}, true
}

// PropMap turns a listing into a lookup table (last value wins).
func PropMap(props []Prop) map[string]string {
	m := make(map[string]string, len(props))
	for _, p := range props {
		m[p.Name] = p.Value
	}
	return m
}
