package bcsandbox

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A predicate is a parsed $filter expression, evaluated over the fields of
// one entity.
type predicate func(fields map[string]any) bool

// dateOnly is an Edm.Date value, "2006-01-02".
type dateOnly string

// literal patterns of OData v4 that are written without quotes.
var (
	dateTimePattern = regexp.MustCompile(
		`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$`)
	datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	guidPattern = regexp.MustCompile(
		`^(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	numberPattern = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
)

// filterError is a $filter the sandbox cannot read, answered as OData
// answers a query it cannot parse.
type filterError struct{ msg string }

// Error returns the reason.
func (e *filterError) Error() string { return e.msg }

// parseFilter reads a $filter expression: comparisons (eq, ne, gt, ge, lt,
// le) of a property with a literal, joined by and, or, not and parentheses.
// Properties must be among fields of entity type typeName.
func parseFilter(expr, typeName string, known map[string]bool) (predicate, error) {
	toks, err := tokenize(expr)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks, typeName: typeName, known: known}
	pred, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, &filterError{fmt.Sprintf("Syntax error at position %d in '%s'.", p.pos, expr)}
	}
	return pred, nil
}

// token is a word, a quoted string or a parenthesis of a $filter.
type token struct {
	text   string
	quoted bool
}

// tokenize splits a $filter into tokens. Quotes inside a string literal are
// doubled, as OData writes them.
func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ':
			i++
		case c == '(' || c == ')':
			toks = append(toks, token{text: string(c)})
			i++
		case c == '\'':
			text, next, err := readQuoted(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{text: text, quoted: true})
			i = next
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '(' && s[j] != ')' {
				j++
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

// readQuoted reads the string literal that starts at s[i], returning its
// value and the index after its closing quote.
func readQuoted(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		if s[j] != '\'' {
			b.WriteByte(s[j])
			continue
		}
		if j+1 < len(s) && s[j+1] == '\'' {
			b.WriteByte('\'')
			j++
			continue
		}
		return b.String(), j + 1, nil
	}
	return "", 0, &filterError{"Unterminated string literal at position " +
		strconv.Itoa(i) + " in '" + s + "'."}
}

// filterParser is a recursive-descent parser over tokens.
type filterParser struct {
	toks     []token
	pos      int
	typeName string
	known    map[string]bool
}

func (p *filterParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *filterParser) or() (predicate, error) {
	left, err := p.and()
	for err == nil && p.peekWord("or") {
		p.pos++
		var right predicate
		if right, err = p.and(); err == nil {
			l, r := left, right
			left = func(f map[string]any) bool { return l(f) || r(f) }
		}
	}
	return left, err
}

func (p *filterParser) and() (predicate, error) {
	left, err := p.unary()
	for err == nil && p.peekWord("and") {
		p.pos++
		var right predicate
		if right, err = p.unary(); err == nil {
			l, r := left, right
			left = func(f map[string]any) bool { return l(f) && r(f) }
		}
	}
	return left, err
}

func (p *filterParser) unary() (predicate, error) {
	switch {
	case p.peekWord("not"):
		p.pos++
		inner, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(f map[string]any) bool { return !inner(f) }, nil
	case p.peekWord("("):
		p.pos++
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peekWord(")") {
			return nil, &filterError{"')' or operator expected at position " +
				strconv.Itoa(p.pos) + "."}
		}
		p.pos++
		return inner, nil
	}
	return p.comparison()
}

// comparison reads "property op literal".
func (p *filterParser) comparison() (predicate, error) {
	if p.pos+3 > len(p.toks) {
		return nil, &filterError{"Expression expected at position " + strconv.Itoa(p.pos) + "."}
	}
	prop, op, lit := p.toks[p.pos], p.toks[p.pos+1], p.toks[p.pos+2]
	p.pos += 3
	if prop.quoted || !p.known[prop.text] {
		return nil, &filterError{fmt.Sprintf(
			"Could not find a property named '%s' on type 'Microsoft.NAV.%s'.",
			prop.text, p.typeName)}
	}
	value, err := parseLiteral(lit)
	if err != nil {
		return nil, err
	}
	cmp, ok := comparators[strings.ToLower(op.text)]
	if !ok || op.quoted {
		return nil, &filterError{fmt.Sprintf("Syntax error: '%s' is not an operator.", op.text)}
	}
	return func(f map[string]any) bool {
		c, ok := compare(f[prop.text], value)
		return ok && cmp(c)
	}, nil
}

// comparators turn the sign of a comparison into the result of an operator.
var comparators = map[string]func(int) bool{
	"eq": func(c int) bool { return c == 0 }, "ne": func(c int) bool { return c != 0 },
	"gt": func(c int) bool { return c > 0 }, "ge": func(c int) bool { return c >= 0 },
	"lt": func(c int) bool { return c < 0 }, "le": func(c int) bool { return c <= 0 },
}

// parseLiteral reads a literal: a quoted string, a date-time, a date, a
// GUID, a number, true, false or null.
func parseLiteral(t token) (any, error) {
	switch {
	case t.quoted:
		return t.text, nil
	case dateTimePattern.MatchString(t.text):
		v, err := time.Parse(time.RFC3339Nano, normalizeDateTime(t.text))
		if err != nil {
			return nil, &filterError{"The DateTimeOffset text '" + t.text + "' is not valid."}
		}
		return v, nil
	case datePattern.MatchString(t.text):
		return dateOnly(t.text), nil
	case guidPattern.MatchString(t.text):
		return strings.ToLower(t.text), nil
	case numberPattern.MatchString(t.text):
		f, _ := strconv.ParseFloat(t.text, 64)
		return f, nil
	case t.text == "true" || t.text == "false":
		return t.text == "true", nil
	case t.text == "null":
		return nil, nil
	}
	return nil, &filterError{"Syntax error: character '" + t.text + "' is not valid."}
}

// normalizeDateTime adds the seconds that OData lets a date-time leave out.
func normalizeDateTime(s string) string {
	if len(s) > 16 && s[16] != ':' {
		return s[:16] + ":00" + s[16:]
	}
	return s
}

// compare compares a field value with a literal. Text compares without
// regard to case, as Business Central's database collation does. It reports
// false when the two cannot be compared.
func compare(field, lit any) (int, bool) {
	switch f := field.(type) {
	case string:
		l, ok := lit.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(strings.ToLower(f), strings.ToLower(l)), true
	case time.Time:
		l, ok := lit.(time.Time)
		if !ok {
			return 0, false
		}
		return f.Compare(l), true
	case dateOnly:
		l, ok := lit.(dateOnly)
		return strings.Compare(string(f), string(l)), ok
	case decimal:
		l, ok := lit.(float64)
		v, _ := strconv.ParseFloat(string(f), 64)
		return cmpFloat(v, l), ok
	case bool:
		l, ok := lit.(bool)
		if !ok || f == l {
			return 0, ok
		}
		return 1, true
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
