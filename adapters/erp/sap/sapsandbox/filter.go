package sapsandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// A predicate is a parsed $filter: it tells whether a record matches.
type predicate func(rec map[string]any) bool

// parseFilter parses an OData V2 $filter over the properties of t: the
// comparisons eq, ne, gt, ge, lt and le between a property and a literal,
// joined by and, or, not and parentheses. Literals are 'strings' (a quote
// doubled inside), datetime'…', datetimeoffset'…', time'PT…', numbers,
// true, false and null. An empty filter matches everything.
func parseFilter(src string, t *entityType) (predicate, error) {
	if strings.TrimSpace(src) == "" {
		return func(map[string]any) bool { return true }, nil
	}
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}

	p := &filterParser{toks: toks, typ: t}
	pred, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q in $filter", p.toks[p.pos].text)
	}
	return pred, nil
}

// token is one lexical element of a $filter.
type token struct {
	kind  tokenKind
	text  string
	value any
}

type tokenKind int

const (
	tokName tokenKind = iota
	tokLiteral
	tokOpen
	tokClose
)

// tokenize splits a $filter into tokens, decoding literals.
func tokenize(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := rune(src[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')':
			kind := tokOpen
			if c == ')' {
				kind = tokClose
			}
			toks = append(toks, token{kind: kind, text: string(c)})
			i++
		case c == '\'':
			s, n, err := readQuoted(src[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokLiteral, text: src[i : i+n], value: s})
			i += n
		default:
			tok, n, err := readWord(src[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, tok)
			i += n
		}
	}
	return toks, nil
}

// readQuoted reads a quoted literal at the start of s, returning its value
// and its length.
func readQuoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), i + 1, nil
	}
	return "", 0, fmt.Errorf("unterminated string literal in $filter")
}

// readWord reads a name, a keyword, a number or a typed literal such as
// datetime'2024-01-01T00:00:00'.
func readWord(s string) (token, int, error) {
	n := 0
	for n < len(s) && (isWordByte(s[n])) {
		n++
	}
	if n == 0 {
		return token{}, 0, fmt.Errorf("unexpected %q in $filter", s[:1])
	}
	word := s[:n]
	if n < len(s) && s[n] == '\'' {
		raw, m, err := readQuoted(s[n:])
		if err != nil {
			return token{}, 0, err
		}
		v, err := typedLiteral(word, raw)
		return token{kind: tokLiteral, text: s[:n+m], value: v}, n + m, err
	}

	switch word {
	case "true", "false":
		return token{kind: tokLiteral, text: word, value: word == "true"}, n, nil
	case "null":
		return token{kind: tokLiteral, text: word, value: nil}, n, nil
	}
	if c := word[0]; c == '-' || (c >= '0' && c <= '9') {
		if _, err := strconv.ParseFloat(strings.TrimRight(word, "mMdDlL"), 64); err != nil {
			return token{}, 0, fmt.Errorf("invalid number %q in $filter", word)
		}
		return token{kind: tokLiteral, text: word, value: decimal(strings.TrimRight(word,
			"mMdDlL"))}, n, nil
	}
	return token{kind: tokName, text: word}, n, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c == '-' || c == ':' || c == '+' ||
		(c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// typedLiteral decodes prefix'raw'.
func typedLiteral(prefix, raw string) (any, error) {
	switch prefix {
	case "datetime":
		t, err := time.Parse("2006-01-02T15:04:05", strings.TrimSuffix(raw, "Z"))
		if err != nil {
			t, err = time.Parse("2006-01-02T15:04", raw)
		}
		if err != nil {
			return nil, fmt.Errorf("invalid datetime literal %q in $filter", raw)
		}
		return dateTime(t.UTC()), nil
	case "datetimeoffset":
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return nil, fmt.Errorf("invalid datetimeoffset literal %q in $filter", raw)
		}
		return dateTimeOffset(t.UTC()), nil
	case "time":
		d, err := parseTimeOfDay(raw)
		if err != nil {
			return nil, fmt.Errorf("invalid time literal %q in $filter", raw)
		}
		return d, nil
	}
	return nil, fmt.Errorf("unknown literal type %q in $filter", prefix)
}

// filterParser is a recursive-descent parser over the tokens of a $filter.
type filterParser struct {
	toks []token
	pos  int
	typ  *entityType
}

func (p *filterParser) peekName(name string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == tokName && p.toks[p.pos].text == name
}

func (p *filterParser) or() (predicate, error) {
	left, err := p.and()
	for err == nil && p.peekName("or") {
		p.pos++
		var right predicate
		if right, err = p.and(); err == nil {
			l, r := left, right
			left = func(rec map[string]any) bool { return l(rec) || r(rec) }
		}
	}
	return left, err
}

func (p *filterParser) and() (predicate, error) {
	left, err := p.unary()
	for err == nil && p.peekName("and") {
		p.pos++
		var right predicate
		if right, err = p.unary(); err == nil {
			l, r := left, right
			left = func(rec map[string]any) bool { return l(rec) && r(rec) }
		}
	}
	return left, err
}

func (p *filterParser) unary() (predicate, error) {
	if p.peekName("not") {
		p.pos++
		inner, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(rec map[string]any) bool { return !inner(rec) }, nil
	}
	if p.pos < len(p.toks) && p.toks[p.pos].kind == tokOpen {
		p.pos++
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != tokClose {
			return nil, fmt.Errorf("missing ) in $filter")
		}
		p.pos++
		return inner, nil
	}
	return p.comparison()
}

// comparison reads <property> <op> <literal>.
func (p *filterParser) comparison() (predicate, error) {
	if p.pos+3 > len(p.toks) {
		return nil, fmt.Errorf("incomplete comparison in $filter")
	}
	name, op, lit := p.toks[p.pos], p.toks[p.pos+1], p.toks[p.pos+2]
	if name.kind != tokName || op.kind != tokName || lit.kind != tokLiteral {
		return nil, fmt.Errorf("expected <property> <operator> <literal> at %q", name.text)
	}
	if _, ok := p.typ.property(name.text); !ok {
		return nil, fmt.Errorf("property %s not found in type %s", name.text, p.typ.name)
	}
	test, ok := operators[op.text]
	if !ok {
		return nil, fmt.Errorf("operator %q is not supported in $filter", op.text)
	}
	p.pos += 3

	field, want := name.text, lit.value
	return func(rec map[string]any) bool {
		c, comparable := compare(rec[field], want)
		return comparable && test(c)
	}, nil
}

// operators maps each comparison operator to a test of compare's result.
var operators = map[string]func(int) bool{
	"eq": func(c int) bool { return c == 0 },
	"ne": func(c int) bool { return c != 0 },
	"gt": func(c int) bool { return c > 0 },
	"ge": func(c int) bool { return c >= 0 },
	"lt": func(c int) bool { return c < 0 },
	"le": func(c int) bool { return c <= 0 },
}

// compare orders a record's value against a literal or another record's
// value, and reports whether the two can be compared at all. A record's
// zero instant is null, which equals only null; a literal instant is never
// null, even 0001-01-01.
func compare(have, want any) (int, bool) {
	h, w := normalize(have), normalize(want)
	switch x := want.(type) {
	case dateTime:
		w = time.Time(x)
	case dateTimeOffset:
		w = time.Time(x)
	}
	if h == nil || w == nil {
		if h == nil && w == nil {
			return 0, true
		}
		return 1, false
	}
	switch hv := h.(type) {
	case time.Time:
		if wv, ok := w.(time.Time); ok {
			return hv.Compare(wv), true
		}
	case float64:
		if wv, ok := w.(float64); ok {
			return cmpOrdered(hv, wv), true
		}
	case string:
		if wv, ok := w.(string); ok {
			return compareStrings(hv, wv), true
		}
	case bool:
		if wv, ok := w.(bool); ok && hv == wv {
			return 0, true
		}
		return 1, true
	case time.Duration:
		if wv, ok := w.(time.Duration); ok {
			return cmpOrdered(hv, wv), true
		}
	}
	return 0, false
}

// normalize maps the sandbox's value types onto comparable Go values; a
// zero instant becomes nil, as SAP reads it as null.
func normalize(v any) any {
	switch x := v.(type) {
	case dateTime:
		return zeroNil(time.Time(x))
	case dateTimeOffset:
		return zeroNil(time.Time(x))
	case timeOfDay:
		return time.Duration(x)
	case decimal:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return string(x)
		}
		return f
	}
	return v
}

func zeroNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func cmpOrdered[T float64 | time.Duration](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareStrings orders strings as ABAP orders key fields with the ALPHA
// conversion: numbers by value ("9" before "10"), anything else by bytes.
func compareStrings(a, b string) int {
	if isDigits(a) && isDigits(b) {
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			return cmpOrdered(float64(len(a)), float64(len(b)))
		}
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
