package indicators

import (
	"errors"
	"fmt"
	"strings"
)

// Limits on one pattern. Feeds write "[path = 'value']"; anything near these
// bounds is hostile or broken, and rejecting it keeps the parser's time and
// memory proportional to a sane input.
const (
	maxPatternLen = 64 << 10
	maxStringLen  = 16 << 10
	maxDepth      = 32
	maxTerms      = 4096
)

// Comparison is one "path op value" test inside an observation.
type Comparison struct {
	Path   Path
	Negate bool     // NOT before the operator
	Op     string   // "=", "!=", "<", "<=", ">", ">=", "LIKE", "MATCHES", "IN", "ISSUBSET", "ISSUPERSET", "EXISTS"
	Values []string // one value, or the list of an IN; strings unescaped
	Kinds  []string // per value: "string", "int", "float", "bool", "timestamp", "hex", "binary"
}

// Path is an object path such as file:hashes.'SHA-256'. Components keep
// their spelling; list indexes are kept as "[0]" or "[*]".
type Path struct {
	Object string
	Props  []string
}

func (p Path) String() string {
	return p.Object + ":" + strings.Join(p.Props, ".")
}

// Node is a parsed pattern: an observation expression tree whose leaves are
// comparison expression trees.
type Node struct {
	Op         string // "OR", "AND", "FOLLOWEDBY" (observations); "cOR", "cAND" (comparisons); "obs"; "cmp"
	Kids       []*Node
	Comparison *Comparison
	Qualifiers []string // WITHIN / REPEATS / START..STOP attached to this observation
}

// ParsePattern parses a STIX 2.1 pattern into a tree. It understands the
// whole grammar that feeds could use so that what it cannot evaluate can be
// named precisely rather than mis-read.
func ParsePattern(s string) (*Node, error) {
	if len(s) > maxPatternLen {
		return nil, fmt.Errorf("pattern is %d bytes, over the %d limit", len(s), maxPatternLen)
	}
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.observationSeq(0)
	if err != nil {
		return nil, err
	}
	if !p.done() {
		return nil, fmt.Errorf("unexpected %s at offset %d", p.peek().text, p.peek().pos)
	}
	return n, nil
}

type tokKind int

const (
	tEOF tokKind = iota
	tLBrack
	tRBrack
	tLParen
	tRParen
	tColon
	tDot
	tComma
	tOp     // = != < <= > >=
	tString // '...'
	tTyped  // t'...', h'...', b'...'
	tNumber
	tIdent // identifiers and keywords (AND, OR, LIKE...)
)

type token struct {
	kind tokKind
	text string // unescaped for strings
	pos  int
	sub  string // for tTyped: the prefix letter
}

// punctuation maps the one-byte tokens to their kinds; "*" (a list index)
// is read as an identifier, as the path parser expects.
var punctuation = map[byte]tokKind{
	'[': tLBrack, ']': tRBrack, '(': tLParen, ')': tRParen,
	':': tColon, '.': tDot, ',': tComma, '*': tIdent,
}

// stringPrefix says whether s starts a quoted string: n is how many bytes of
// type prefix stand before the quote (0 for a plain string, 1 for t' h' b',
// 3 for b64'), typ the type letter ("" for a plain string); n is -1 when s
// starts no string.
func stringPrefix(s string) (n int, typ string) {
	switch {
	case strings.HasPrefix(s, "'"):
		return 0, ""
	case len(s) > 1 && s[1] == '\'' && strings.IndexByte("thb", s[0]) >= 0:
		return 1, s[:1]
	case strings.HasPrefix(s, "b64'"):
		return 3, "b"
	}
	return -1, ""
}

func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		if len(toks) > maxTerms*8 {
			return nil, errors.New("pattern has too many tokens")
		}
		c := s[i]
		if k, ok := punctuation[c]; ok {
			toks = append(toks, token{kind: k, text: string(c), pos: i})
			i++
			continue
		}
		if n, typ := stringPrefix(s[i:]); n >= 0 {
			str, m, err := readString(s, i+n)
			if err != nil {
				return nil, err
			}
			kind := tString
			if typ != "" {
				kind = tTyped
			}
			toks = append(toks, token{kind: kind, text: str, pos: i, sub: typ})
			i += n + m
			continue
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '=' || c == '!' || c == '<' || c == '>':
			op, n := string(c), 1
			if i+1 < len(s) && s[i+1] == '=' {
				op, n = op+"=", 2
			}
			switch op {
			case "!":
				return nil, fmt.Errorf("lone '!' at offset %d", i)
			case "==":
				op = "="
			}
			toks = append(toks, token{kind: tOp, text: op, pos: i})
			i += n
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if s[i] == '-' && j == i+1 {
				return nil, fmt.Errorf("lone '-' at offset %d", i)
			}
			toks = append(toks, token{kind: tNumber, text: s[i:j], pos: i})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			toks = append(toks, token{kind: tIdent, text: s[i:j], pos: i})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q at offset %d", c, i)
		}
	}
	return append(toks, token{kind: tEOF, text: "end of pattern", pos: len(s)}), nil
}

// readString reads a single-quoted string at s[i] with \' and \\ escapes and
// returns its value and the bytes consumed.
func readString(s string, i int) (string, int, error) {
	var b strings.Builder
	j := i + 1
	for j < len(s) {
		c := s[j]
		switch c {
		case '\\':
			if j+1 >= len(s) {
				return "", 0, fmt.Errorf("unterminated escape at offset %d", j)
			}
			n := s[j+1]
			if n != '\'' && n != '\\' {
				return "", 0, fmt.Errorf("invalid escape \\%c at offset %d", n, j)
			}
			b.WriteByte(n)
			j += 2
		case '\'':
			return b.String(), j + 1 - i, nil
		default:
			b.WriteByte(c)
			j++
		}
		if b.Len() > maxStringLen {
			return "", 0, fmt.Errorf("string at offset %d is over %d bytes", i, maxStringLen)
		}
	}
	return "", 0, fmt.Errorf("unterminated string at offset %d", i)
}

func isIdentStart(c byte) bool { return c == '_' || c|0x20 >= 'a' && c|0x20 <= 'z' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' || c == '-' }

type parser struct {
	toks  []token
	i     int
	terms int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}
func (p *parser) done() bool { return p.peek().kind == tEOF }

func (p *parser) keyword(k string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, k)
}

func (p *parser) expect(k tokKind, what string) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, fmt.Errorf("expected %s at offset %d, found %s", what, t.pos, t.text)
	}
	return t, nil
}

// Observation expressions follow the OASIS grammar (STIX 2.1 part 9,
// STIXPattern.g4): FOLLOWEDBY binds loosest, then OR, then AND, so
// "[a] OR [b] FOLLOWEDBY [c]" is "([a] OR [b]) FOLLOWEDBY [c]" and
// "[a] OR [b] AND [c]" is "[a] OR ([b] AND [c])". Getting this wrong turns
// a sequence huella cannot evaluate into an alternative it would match alone.
func (p *parser) observationSeq(depth int) (*Node, error) {
	return p.binary(depth, "FOLLOWEDBY", p.observationOr)
}
func (p *parser) observationOr(depth int) (*Node, error) {
	return p.binary(depth, "OR", p.observationAnd)
}
func (p *parser) observationAnd(depth int) (*Node, error) {
	return p.binary(depth, "AND", p.observationQualified)
}

func (p *parser) binary(depth int, op string, sub func(int) (*Node, error)) (*Node, error) {
	left, err := sub(depth)
	if err != nil {
		return nil, err
	}
	if !p.keyword(op) {
		return left, nil
	}
	n := &Node{Op: op, Kids: []*Node{left}}
	for p.keyword(op) {
		p.next()
		if p.terms++; p.terms > maxTerms {
			return nil, errors.New("pattern has too many terms")
		}
		right, err := sub(depth)
		if err != nil {
			return nil, err
		}
		n.Kids = append(n.Kids, right)
	}
	return n, nil
}

func (p *parser) observationQualified(depth int) (*Node, error) {
	n, err := p.observationPrimary(depth)
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.keyword("WITHIN"), p.keyword("REPEATS"):
			q, err := p.countQualifier()
			if err != nil {
				return nil, err
			}
			n.Qualifiers = append(n.Qualifiers, q)
		case p.keyword("START"):
			p.next()
			a, err := p.expect(tTyped, "a timestamp after START")
			if err != nil {
				return nil, err
			}
			if !p.keyword("STOP") {
				return nil, fmt.Errorf("expected STOP at offset %d", p.peek().pos)
			}
			p.next()
			b, err := p.expect(tTyped, "a timestamp after STOP")
			if err != nil {
				return nil, err
			}
			n.Qualifiers = append(n.Qualifiers, "START "+a.text+" STOP "+b.text)
		default:
			return n, nil
		}
	}
}

func (p *parser) observationPrimary(depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("pattern nests deeper than %d", maxDepth)
	}
	var n *Node
	var err error
	switch t := p.next(); t.kind {
	case tLParen:
		n, err = p.group(depth, p.observationSeq, tRParen, "')'")
	case tLBrack:
		n, err = p.group(depth, p.comparisonOr, tRBrack, "']'")
	default:
		return nil, fmt.Errorf("expected '[' or '(' at offset %d, found %s", t.pos, t.text)
	}
	if err != nil {
		return nil, err
	}
	// Wrap so qualifiers on "( … ) WITHIN" attach to the group.
	return &Node{Op: "obs", Kids: []*Node{n}}, nil
}

// group reads what inner parses one level deeper, then the closing token
// (named in errors as closer); the opening token is already consumed.
func (p *parser) group(depth int, inner func(int) (*Node, error), closing tokKind, closer string) (*Node, error) {
	n, err := inner(depth + 1)
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(closing, closer); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *parser) comparisonOr(depth int) (*Node, error) {
	return p.cbinary(depth, "OR", p.comparisonAnd)
}
func (p *parser) comparisonAnd(depth int) (*Node, error) {
	return p.cbinary(depth, "AND", p.comparisonPrimary)
}

func (p *parser) cbinary(depth int, op string, sub func(int) (*Node, error)) (*Node, error) {
	n, err := p.binary(depth, op, sub)
	if err == nil && n.Op == op {
		n.Op = "c" + op
	}
	return n, err
}

func (p *parser) comparisonPrimary(depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("pattern nests deeper than %d", maxDepth)
	}
	if p.peek().kind == tLParen {
		p.next()
		return p.group(depth, p.comparisonOr, tRParen, "')'")
	}
	if p.keyword("EXISTS") {
		p.next()
		path, err := p.objectPath()
		if err != nil {
			return nil, err
		}
		return &Node{Op: "cmp", Comparison: &Comparison{Path: path, Op: "EXISTS"}}, nil
	}
	path, err := p.objectPath()
	if err != nil {
		return nil, err
	}
	c := &Comparison{Path: path}
	if p.keyword("NOT") {
		p.next()
		c.Negate = true
	}
	t := p.next()
	switch {
	case t.kind == tOp:
		c.Op = t.text
		if err := p.value(c); err != nil {
			return nil, err
		}
	case t.kind == tIdent && isWordOp(t.text):
		c.Op = strings.ToUpper(t.text)
		if c.Op == "IN" {
			if err := p.valueList(c); err != nil {
				return nil, err
			}
		} else if err := p.value(c); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("expected a comparison operator at offset %d, found %s", t.pos, t.text)
	}
	return &Node{Op: "cmp", Comparison: c}, nil
}

func isWordOp(s string) bool {
	switch strings.ToUpper(s) {
	case "LIKE", "MATCHES", "IN", "ISSUBSET", "ISSUPERSET":
		return true
	}
	return false
}

func (p *parser) value(c *Comparison) error {
	t := p.next()
	switch t.kind {
	case tString:
		c.Values, c.Kinds = append(c.Values, t.text), append(c.Kinds, "string")
	case tNumber:
		kind := "int"
		if strings.Contains(t.text, ".") {
			kind = "float"
		}
		c.Values, c.Kinds = append(c.Values, t.text), append(c.Kinds, kind)
	case tTyped:
		kind := map[string]string{"t": "timestamp", "h": "hex", "b": "binary"}[t.sub]
		c.Values, c.Kinds = append(c.Values, t.text), append(c.Kinds, kind)
	case tIdent:
		if !strings.EqualFold(t.text, "true") && !strings.EqualFold(t.text, "false") {
			return fmt.Errorf("expected a value at offset %d, found %s", t.pos, t.text)
		}
		c.Values, c.Kinds = append(c.Values, strings.ToLower(t.text)), append(c.Kinds, "bool")
	default:
		return fmt.Errorf("expected a value at offset %d, found %s", t.pos, t.text)
	}
	return nil
}

func (p *parser) valueList(c *Comparison) error {
	if _, err := p.expect(tLParen, "'(' after IN"); err != nil {
		return err
	}
	for {
		if p.terms++; p.terms > maxTerms {
			return errors.New("pattern has too many terms")
		}
		if err := p.value(c); err != nil {
			return err
		}
		t := p.next()
		if t.kind == tRParen {
			return nil
		}
		if t.kind != tComma {
			return fmt.Errorf("expected ',' or ')' at offset %d, found %s", t.pos, t.text)
		}
	}
}

// objectPath reads "type:prop(.prop|[n])*"; properties may be quoted.
func (p *parser) objectPath() (Path, error) {
	t, err := p.expect(tIdent, "an object type")
	if err != nil {
		return Path{}, err
	}
	path := Path{Object: t.text}
	if _, err := p.expect(tColon, "':' after the object type"); err != nil {
		return Path{}, err
	}
	if err := p.component(&path); err != nil {
		return Path{}, err
	}
	for {
		switch p.peek().kind {
		case tDot:
			p.next()
			if err := p.component(&path); err != nil {
				return Path{}, err
			}
		case tLBrack:
			// A list index: "[0]" or "[*]". A "[" followed by anything else
			// is the start of the next observation, never ours.
			if p.i+2 < len(p.toks) && p.toks[p.i+2].kind == tRBrack &&
				(p.toks[p.i+1].kind == tNumber || p.toks[p.i+1].text == "*") {
				path.Props = append(path.Props, "["+p.toks[p.i+1].text+"]")
				p.i += 3
				continue
			}
			return path, nil
		default:
			return path, nil
		}
		if len(path.Props) > maxDepth {
			return Path{}, fmt.Errorf("object path has more than %d components", maxDepth)
		}
	}
}

func (p *parser) component(path *Path) error {
	t := p.next()
	switch t.kind {
	case tIdent:
		path.Props = append(path.Props, t.text)
	case tString:
		path.Props = append(path.Props, "'"+t.text+"'")
	default:
		return fmt.Errorf("expected a property name at offset %d, found %s", t.pos, t.text)
	}
	return nil
}

// countQualifier parses "WITHIN n SECONDS" or "REPEATS n TIMES", the two
// qualifiers made of a keyword, a number and a unit.
func (p *parser) countQualifier() (string, error) {
	kw, unit := "WITHIN", "SECONDS"
	if p.keyword("REPEATS") {
		kw, unit = "REPEATS", "TIMES"
	}
	p.next()
	v, err := p.expect(tNumber, "a number after "+kw)
	if err != nil {
		return "", err
	}
	if !p.keyword(unit) {
		return "", fmt.Errorf("expected %s at offset %d", unit, p.peek().pos)
	}
	p.next()
	return kw + " " + v.text + " " + unit, nil
}
