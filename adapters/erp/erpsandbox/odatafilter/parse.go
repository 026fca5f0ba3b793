// Package odatafilter parses the $filter expressions of OData services into
// predicates over records. It reads comparisons (eq, ne, gt, ge, lt, le) of a
// property with a literal, joined by and, or, not and parentheses; what
// differs between services and OData versions (which properties exist, how
// literals are written, how values order) comes from a Dialect.
package odatafilter

import (
	"fmt"
	"strings"
)

// A Predicate tells whether a record, keyed by property name, matches.
type Predicate func(rec map[string]any) bool

// Dialect is what a service decides about its $filter.
type Dialect struct {
	// Property checks that name is a property of the filtered type. Its
	// error is returned as it is.
	Property func(name string) error

	// Literal decodes the literal token t into the value Compare receives.
	// Its error is returned as it is.
	Literal func(t Token) (any, error)

	// Check, if set, refuses a literal that property cannot be compared
	// with, such as a number against a text property. Its error is
	// returned as it is.
	Check func(property string, literal any) error

	// Compare orders a record's value against a literal and reports whether
	// the two can be compared at all; values that cannot never match.
	Compare func(value, literal any) (int, bool)

	// FoldCase makes and, or, not and the operators case-insensitive.
	FoldCase bool
}

// Error is a $filter that cannot be parsed: Pos is the byte offset in the
// expression where parsing failed.
type Error struct {
	Pos int
	Msg string
}

// Error returns the reason and the position.
func (e *Error) Error() string {
	return fmt.Sprintf("syntax error at position %d: %s", e.Pos, e.Msg)
}

// Parse reads expr in dialect d. An empty expression is an error: whether
// no filter matches everything is for the caller to decide.
func Parse(expr string, d Dialect) (Predicate, error) {
	toks, err := tokenize(expr)
	if err != nil {
		return nil, err
	}

	p := &parser{toks: toks, end: len(expr), d: d}
	pred, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		t := p.toks[p.pos]
		return nil, &Error{t.Pos, fmt.Sprintf("unexpected %q", t.Raw)}
	}
	return pred, nil
}

// parser is a recursive-descent parser over the tokens of a $filter.
type parser struct {
	toks []Token
	pos  int
	end  int
	d    Dialect
}

// peekWord reports whether the next token is the keyword w.
func (p *parser) peekWord(w string) bool {
	if p.pos >= len(p.toks) || p.toks[p.pos].Kind != Word {
		return false
	}
	return p.sameWord(p.toks[p.pos].Text, w)
}

func (p *parser) sameWord(text, w string) bool {
	if p.d.FoldCase {
		return strings.EqualFold(text, w)
	}
	return text == w
}

// peekKind reports whether the next token is of kind k.
func (p *parser) peekKind(k Kind) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].Kind == k
}

// here is the position of the next token, or the end of the expression.
func (p *parser) here() int {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].Pos
	}
	return p.end
}

func (p *parser) or() (Predicate, error) {
	left, err := p.and()
	for err == nil && p.peekWord("or") {
		p.pos++
		var right Predicate
		if right, err = p.and(); err == nil {
			l, r := left, right
			left = func(rec map[string]any) bool { return l(rec) || r(rec) }
		}
	}
	return left, err
}

func (p *parser) and() (Predicate, error) {
	left, err := p.unary()
	for err == nil && p.peekWord("and") {
		p.pos++
		var right Predicate
		if right, err = p.unary(); err == nil {
			l, r := left, right
			left = func(rec map[string]any) bool { return l(rec) && r(rec) }
		}
	}
	return left, err
}

func (p *parser) unary() (Predicate, error) {
	switch {
	case p.peekWord("not"):
		p.pos++
		inner, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(rec map[string]any) bool { return !inner(rec) }, nil
	case p.peekKind(Open):
		p.pos++
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peekKind(Close) {
			return nil, &Error{p.here(), "')' or operator expected"}
		}
		p.pos++
		return inner, nil
	}
	return p.comparison()
}

// comparison reads "property operator literal".
func (p *parser) comparison() (Predicate, error) {
	if p.pos+3 > len(p.toks) {
		return nil, &Error{p.here(), "comparison expected"}
	}
	prop, op, lit := p.toks[p.pos], p.toks[p.pos+1], p.toks[p.pos+2]
	if prop.Kind != Word {
		return nil, &Error{prop.Pos, fmt.Sprintf("property expected, not %q", prop.Raw)}
	}
	if err := p.d.Property(prop.Text); err != nil {
		return nil, err
	}

	test, err := p.operator(op)
	if err != nil {
		return nil, err
	}
	if lit.Kind != Word && lit.Kind != Quoted {
		return nil, &Error{lit.Pos, fmt.Sprintf("literal expected, not %q", lit.Raw)}
	}
	want, err := p.d.Literal(lit)
	if err != nil {
		return nil, err
	}
	if p.d.Check != nil {
		if err := p.d.Check(prop.Text, want); err != nil {
			return nil, err
		}
	}
	p.pos += 3

	field, compare := prop.Text, p.d.Compare
	return func(rec map[string]any) bool {
		c, ok := compare(rec[field], want)
		return ok && test(c)
	}, nil
}

// operator returns the test of the comparison operator op.
func (p *parser) operator(op Token) (func(int) bool, error) {
	if op.Kind == Word {
		for name, test := range operators {
			if p.sameWord(op.Text, name) {
				return test, nil
			}
		}
	}
	return nil, &Error{op.Pos, fmt.Sprintf("%q is not an operator", op.Raw)}
}

// operators maps each comparison operator to a test of Compare's result.
var operators = map[string]func(int) bool{
	"eq": func(c int) bool { return c == 0 },
	"ne": func(c int) bool { return c != 0 },
	"gt": func(c int) bool { return c > 0 },
	"ge": func(c int) bool { return c >= 0 },
	"lt": func(c int) bool { return c < 0 },
	"le": func(c int) bool { return c <= 0 },
}
