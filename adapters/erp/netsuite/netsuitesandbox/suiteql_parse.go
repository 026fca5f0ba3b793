package netsuitesandbox

import (
	"fmt"
	"strconv"
	"strings"
)

// The sandbox runs the part of SuiteQL that integrations use on single
// tables: SELECT of columns and function calls with aliases, FROM one
// table with an optional alias, WHERE with AND, OR, NOT, parentheses,
// comparisons, IN, IS [NOT] NULL and LIKE, ORDER BY with ASC and DESC, and
// FETCH FIRST n ROWS ONLY. Functions: TO_TIMESTAMP, TO_DATE, TO_CHAR,
// LOWER, UPPER and BUILTIN.DF.

// tokenKind classifies a token of a query.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokSymbol
)

type token struct {
	kind tokenKind
	text string
}

// lex splits a query into tokens.
func lex(q string) ([]token, error) {
	var toks []token
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			s, n, err := lexString(q[i:])
			if err != nil {
				return nil, err
			}
			toks, i = append(toks, token{tokString, s}), i+n
		case isDigit(c):
			j := i
			for j < len(q) && (isDigit(q[j]) || q[j] == '.') {
				j++
			}
			toks, i = append(toks, token{tokNumber, q[i:j]}), j
		case isIdentStart(c):
			j := i
			for j < len(q) && (isIdentStart(q[j]) || isDigit(q[j]) || q[j] == '.') {
				j++
			}
			toks, i = append(toks, token{tokIdent, q[i:j]}), j
		default:
			sym := lexSymbol(q[i:])
			if sym == "" {
				return nil, fmt.Errorf("unexpected character %q", c)
			}
			toks, i = append(toks, token{tokSymbol, sym}), i+len(sym)
		}
	}
	return append(toks, token{kind: tokEOF}), nil
}

// lexString reads a quoted literal, where ” is a quote, and returns it
// with the bytes it took.
func lexString(q string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(q); i++ {
		if q[i] != '\'' {
			b.WriteByte(q[i])
			continue
		}
		if i+1 < len(q) && q[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), i + 1, nil
	}
	return "", 0, fmt.Errorf("unterminated string literal")
}

func lexSymbol(q string) string {
	for _, s := range []string{"<=", ">=", "<>", "!=", "=", "<", ">", "(", ")", ",", "*"} {
		if strings.HasPrefix(q, s) {
			return s
		}
	}
	return ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// expr is a value expression: a column, a literal or a function call.
type expr struct {
	column string // lower case, without table alias
	lit    value
	isLit  bool
	fn     string // upper case
	args   []expr
}

// cond is a condition: a comparison or a combination of conditions.
type cond struct {
	op    string // "AND", "OR", "NOT", a comparison, "IN", "NULL", "LIKE"
	left  expr
	right expr
	list  []expr
	subs  []cond
	not   bool
}

type selectItem struct {
	e     expr
	alias string
}

type orderItem struct {
	e    expr
	desc bool
}

// query is a parsed SELECT.
type query struct {
	items []selectItem
	star  bool
	table string
	alias string
	where *cond
	order []orderItem
	fetch int
}

// parser reads tokens into a query.
type parser struct {
	toks []token
	pos  int
}

// parseQuery parses a SuiteQL SELECT.
func parseQuery(q string) (query, error) {
	toks, err := lex(q)
	if err != nil {
		return query{}, err
	}
	p := &parser{toks: toks}
	out, err := p.parseSelect()
	if err != nil {
		return query{}, err
	}
	if p.peek().kind != tokEOF {
		return query{}, fmt.Errorf("unexpected %q", p.peek().text)
	}
	return out, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

// keyword consumes the keyword kw when it comes next.
func (p *parser) keyword(kw string) bool {
	if t := p.peek(); t.kind == tokIdent && strings.EqualFold(t.text, kw) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expect(kw string) error {
	if !p.keyword(kw) {
		return fmt.Errorf("expected %s, found %q", kw, p.peek().text)
	}
	return nil
}

func (p *parser) symbol(s string) bool {
	if t := p.peek(); t.kind == tokSymbol && t.text == s {
		p.pos++
		return true
	}
	return false
}

func (p *parser) parseSelect() (query, error) {
	var q query
	if err := p.expect("SELECT"); err != nil {
		return q, err
	}
	if err := p.parseItems(&q); err != nil {
		return q, err
	}
	if err := p.expect("FROM"); err != nil {
		return q, err
	}
	if err := p.parseFrom(&q); err != nil {
		return q, err
	}
	if p.keyword("WHERE") {
		c, err := p.parseOr()
		if err != nil {
			return q, err
		}
		q.where = &c
	}
	if err := p.parseOrder(&q); err != nil {
		return q, err
	}
	return q, p.parseFetch(&q)
}

func (p *parser) parseItems(q *query) error {
	if p.symbol("*") {
		q.star = true
		return nil
	}
	for {
		e, err := p.parseExpr()
		if err != nil {
			return err
		}
		item := selectItem{e: e, alias: e.column[strings.LastIndex(e.column, ".")+1:]}
		if p.keyword("AS") || (p.peek().kind == tokIdent && !reserved(p.peek().text)) {
			t := p.next()
			if t.kind != tokIdent {
				return fmt.Errorf("expected an alias, found %q", t.text)
			}
			item.alias = strings.ToLower(t.text)
		}
		if item.alias == "" {
			item.alias = "expr" + strconv.Itoa(len(q.items)+1)
		}
		q.items = append(q.items, item)
		if !p.symbol(",") {
			return nil
		}
	}
}

func (p *parser) parseFrom(q *query) error {
	t := p.next()
	if t.kind != tokIdent {
		return fmt.Errorf("expected a table, found %q", t.text)
	}
	q.table = strings.ToLower(t.text)
	if p.peek().kind == tokIdent && !reserved(p.peek().text) {
		q.alias = strings.ToLower(p.next().text)
	}
	return nil
}

func (p *parser) parseOrder(q *query) error {
	if !p.keyword("ORDER") {
		return nil
	}
	if err := p.expect("BY"); err != nil {
		return err
	}
	for {
		e, err := p.parseExpr()
		if err != nil {
			return err
		}
		item := orderItem{e: e}
		if p.keyword("DESC") {
			item.desc = true
		} else {
			p.keyword("ASC")
		}
		q.order = append(q.order, item)
		if !p.symbol(",") {
			return nil
		}
	}
}

func (p *parser) parseFetch(q *query) error {
	if !p.keyword("FETCH") {
		return nil
	}
	if !p.keyword("FIRST") && !p.keyword("NEXT") {
		return fmt.Errorf("expected FIRST after FETCH")
	}
	t := p.next()
	n, err := strconv.Atoi(t.text)
	if t.kind != tokNumber || err != nil || n < 0 {
		return fmt.Errorf("expected a row count, found %q", t.text)
	}
	q.fetch = n
	if !p.keyword("ROWS") && !p.keyword("ROW") {
		return fmt.Errorf("expected ROWS")
	}
	return p.expect("ONLY")
}

// reserved reports whether s is a keyword that cannot be an alias.
func reserved(s string) bool {
	switch strings.ToUpper(s) {
	case "FROM", "WHERE", "ORDER", "BY", "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE",
		"ASC", "DESC", "AS", "FETCH", "SELECT", "JOIN", "ON", "GROUP":
		return true
	}
	return false
}

func (p *parser) parseOr() (cond, error) {
	c, err := p.parseAnd()
	if err != nil {
		return cond{}, err
	}
	for p.keyword("OR") {
		r, err := p.parseAnd()
		if err != nil {
			return cond{}, err
		}
		c = cond{op: "OR", subs: []cond{c, r}}
	}
	return c, nil
}

func (p *parser) parseAnd() (cond, error) {
	c, err := p.parseNot()
	if err != nil {
		return cond{}, err
	}
	for p.keyword("AND") {
		r, err := p.parseNot()
		if err != nil {
			return cond{}, err
		}
		c = cond{op: "AND", subs: []cond{c, r}}
	}
	return c, nil
}

func (p *parser) parseNot() (cond, error) {
	if p.keyword("NOT") {
		c, err := p.parseNot()
		return cond{op: "NOT", subs: []cond{c}}, err
	}
	if p.symbol("(") {
		c, err := p.parseOr()
		if err != nil {
			return cond{}, err
		}
		if !p.symbol(")") {
			return cond{}, fmt.Errorf("expected ), found %q", p.peek().text)
		}
		return c, nil
	}
	return p.parsePredicate()
}

func (p *parser) parsePredicate() (cond, error) {
	left, err := p.parseExpr()
	if err != nil {
		return cond{}, err
	}
	if p.keyword("IS") {
		not := p.keyword("NOT")
		return cond{op: "NULL", left: left, not: not}, p.expect("NULL")
	}
	not := p.keyword("NOT")
	switch {
	case p.keyword("IN"):
		list, err := p.parseList()
		return cond{op: "IN", left: left, list: list, not: not}, err
	case p.keyword("LIKE"):
		right, err := p.parseExpr()
		return cond{op: "LIKE", left: left, right: right, not: not}, err
	case not:
		return cond{}, fmt.Errorf("expected IN or LIKE after NOT")
	}

	t := p.next()
	switch t.text {
	case "=", "<>", "!=", "<", "<=", ">", ">=":
	default:
		return cond{}, fmt.Errorf("expected a comparison, found %q", t.text)
	}
	right, err := p.parseExpr()
	return cond{op: t.text, left: left, right: right}, err
}

func (p *parser) parseList() ([]expr, error) {
	if !p.symbol("(") {
		return nil, fmt.Errorf("expected ( after IN")
	}
	var list []expr
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		if p.symbol(")") {
			return list, nil
		}
		if !p.symbol(",") {
			return nil, fmt.Errorf("expected , or ) in IN list, found %q", p.peek().text)
		}
	}
}

func (p *parser) parseExpr() (expr, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return expr{lit: t.text, isLit: true}, nil
	case tokNumber:
		return expr{lit: number(t.text), isLit: true}, nil
	case tokIdent:
		if reserved(t.text) {
			return expr{}, fmt.Errorf("unexpected %s", strings.ToUpper(t.text))
		}
		if p.symbol("(") {
			return p.parseCall(strings.ToUpper(t.text))
		}
		return expr{column: strings.ToLower(t.text)}, nil
	}
	return expr{}, fmt.Errorf("expected a value, found %q", t.text)
}

func (p *parser) parseCall(fn string) (expr, error) {
	e := expr{fn: fn}
	if p.symbol(")") {
		return e, nil
	}
	for {
		arg, err := p.parseExpr()
		if err != nil {
			return expr{}, err
		}
		e.args = append(e.args, arg)
		if p.symbol(")") {
			return e, nil
		}
		if !p.symbol(",") {
			return expr{}, fmt.Errorf("expected , or ) in call of %s", fn)
		}
	}
}
