package odoosandbox

import (
	"cmp"
	"regexp"
	"strings"
)

// A condition is a parsed search domain, evaluated against read records.
type condition interface {
	match(r record) bool
}

type andCond struct{ left, right condition }
type orCond struct{ left, right condition }
type notCond struct{ inner condition }
type constCond bool

func (c andCond) match(r record) bool  { return c.left.match(r) && c.right.match(r) }
func (c orCond) match(r record) bool   { return c.left.match(r) || c.right.match(r) }
func (c notCond) match(r record) bool  { return !c.inner.match(r) }
func (c constCond) match(record) bool  { return bool(c) }
func (c leafCond) match(r record) bool { return c.test(r[c.field]) }

// operators lists the leaf operators the sandbox understands.
var operators = map[string]bool{
	"=": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true,
	"in": true, "not in": true, "like": true, "ilike": true, "not like": true,
	"not ilike": true, "=like": true, "=ilike": true,
}

// parseDomain parses a domain in Odoo's prefix notation: "&", "|" and "!"
// before their operands, [field, operator, value] leaves, and an implicit
// "&" between the terms left at the top level. nil and [] match everything.
func parseDomain(def *modelDef, raw any) (condition, error) {
	if raw == nil {
		return constCond(true), nil
	}
	items, ok := raw.([]any)
	if !ok {
		return nil, valueError("Invalid domain: expected a list, got %s", describe(raw))
	}

	p := &domainParser{def: def, items: items}
	var cond condition = constCond(true)
	for p.pos < len(items) {
		term, err := p.term()
		if err != nil {
			return nil, err
		}
		cond = andCond{cond, term}
	}
	return cond, nil
}

type domainParser struct {
	def   *modelDef
	items []any
	pos   int
}

// term parses the next operator with its operands, or the next leaf.
func (p *domainParser) term() (condition, error) {
	if p.pos >= len(p.items) {
		return nil, valueError("Invalid domain: an operator lacks its operands")
	}
	item := p.items[p.pos]
	p.pos++

	op, isOp := item.(string)
	if !isOp {
		return p.leaf(item)
	}
	switch op {
	case "!":
		inner, err := p.term()
		return notCond{inner}, err
	case "&", "|":
		left, err := p.term()
		if err != nil {
			return nil, err
		}
		right, err := p.term()
		if op == "&" {
			return andCond{left, right}, err
		}
		return orCond{left, right}, err
	}
	return nil, valueError("Invalid domain term %q: expected '&', '|', '!' or a leaf", op)
}

// leaf parses [field, operator, value], and the constant leaves [1, "=", 1]
// and [0, "=", 1].
func (p *domainParser) leaf(item any) (condition, error) {
	parts, ok := item.([]any)
	if !ok || len(parts) != 3 {
		return nil, valueError("Invalid domain term %v: expected [field, operator, value]", item)
	}
	op, _ := parts[1].(string)
	field, isName := parts[0].(string)
	if !isName {
		return constantLeaf(parts)
	}

	// TODO: dotted paths such as "location_id.usage" are refused as unknown
	// fields; following many2one fields needs the related models' records.
	f, known := p.def.field(field)
	if !known {
		return nil, invalidField(p.def.name, field)
	}
	if !operators[op] {
		return nil, valueError("Invalid operator %v in domain term %v", parts[1], item)
	}
	if f.kind == kindOne2many && op != "=" && op != "!=" && op != "in" && op != "not in" {
		return nil, valueError("Operator %q is not supported on one2many field %q", op, field)
	}
	return buildLeaf(field, op, parts[2])
}

func constantLeaf(parts []any) (condition, error) {
	left, lok := ratOf(parts[0])
	right, rok := ratOf(parts[2])
	if !lok || !rok || parts[1] != "=" {
		return nil, valueError("Invalid domain term %v: the field must be a string", parts)
	}
	return constCond(left.Cmp(right) == 0), nil
}

// leafCond tests the value of one field. It keeps the operator and the
// value it was parsed from, so that a search can pick an index from them.
type leafCond struct {
	field string
	op    string
	value any
	test  func(v any) bool
}

func buildLeaf(field, op string, value any) (condition, error) {
	var test func(v any) bool
	var err error
	switch op {
	case "=":
		test = func(v any) bool { return equal(v, value) }
	case "!=":
		test = func(v any) bool { return !equal(v, value) }
	case "in", "not in":
		test = inTest(op, value)
	case "<", "<=", ">", ">=":
		test, err = compareTest(field, op, value)
	default:
		test, err = likeTest(field, op, value)
	}
	if err != nil {
		return nil, err
	}
	return leafCond{field: field, op: op, value: value, test: test}, nil
}

func inTest(op string, value any) func(v any) bool {
	set := newValueSet(valueList(value))
	want := op == "in"
	return func(v any) bool { return set.contains(v) == want }
}

// A valueSet answers whether a field value equals any value of a list, as
// [equal] decides, in time independent of the list's length for ids,
// references and strings: whole numbers and strings are hashed, and the
// rest of the list (empty values, fractions) is compared one by one.
type valueSet struct {
	list  []any
	ints  map[int64]bool
	texts map[string]bool
	rest  []any
}

func newValueSet(list []any) valueSet {
	set := valueSet{list: list, ints: map[int64]bool{}, texts: map[string]bool{}}
	for _, item := range list {
		switch item := item.(type) {
		case string:
			set.texts[item] = true
			continue
		case bool, nil:
			set.rest = append(set.rest, item)
			continue
		}
		if n, ok := wholeNumber(item); ok {
			set.ints[n] = true
		} else if _, ok := ratOf(item); ok {
			set.rest = append(set.rest, item)
		}
	}
	return set
}

// contains reports whether v equals a value of the list.
func (set valueSet) contains(v any) bool {
	switch v := v.(type) {
	case int64:
		return set.ints[v] || anyEqual(v, set.rest)
	case string:
		return set.texts[v] || anyEqual(v, set.rest)
	case many2one:
		return set.ints[v.id] || (v.id != 0 && set.texts[v.name]) || anyEqual(v, set.rest)
	}
	return anyEqual(v, set.list)
}

// anyEqual reports whether v equals a value of list.
func anyEqual(v any, list []any) bool {
	for _, item := range list {
		if equal(v, item) {
			return true
		}
	}
	return false
}

// valueList returns the values of an "in" leaf: the list, or the one value.
func valueList(value any) []any {
	if list, ok := value.([]any); ok {
		return list
	}
	return []any{value}
}

func compareTest(field, op string, value any) (func(v any) bool, error) {
	switch value.(type) {
	case string:
	default:
		if _, ok := ratOf(value); !ok {
			return nil, valueError("Invalid value %v for operator %q on %q", value, op, field)
		}
	}
	return func(v any) bool {
		c, ok := compare(v, value)
		if !ok {
			return false
		}
		switch op {
		case "<":
			return c < 0
		case "<=":
			return c <= 0
		case ">":
			return c > 0
		}
		return c >= 0
	}, nil
}

func likeTest(field, op string, value any) (func(v any) bool, error) {
	pattern, ok := value.(string)
	if !ok {
		return nil, valueError("Invalid value %v for operator %q on %q: expected a string",
			value, op, field)
	}

	negate := strings.HasPrefix(op, "not ")
	base := strings.TrimPrefix(op, "not ")
	if base == "like" || base == "ilike" {
		pattern = "%" + pattern + "%"
	}
	re := likePattern(pattern, strings.HasSuffix(base, "ilike"))
	return func(v any) bool {
		s, ok := textOf(v)
		return (ok && re.MatchString(s)) != negate
	}, nil
}

// likePattern compiles a SQL LIKE pattern: "%" matches any run of
// characters, "_" any one character, and a backslash escapes the next one.
func likePattern(pattern string, fold bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)")
	if fold {
		b.WriteString("(?i)")
	}
	b.WriteString("^")

	escaped := false
	for _, r := range pattern {
		switch {
		case escaped:
			b.WriteString(regexp.QuoteMeta(string(r)))
			escaped = false
		case r == '\\':
			escaped = true
		case r == '%':
			b.WriteString(".*")
		case r == '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// isEmpty reports whether v is an empty value: false, no reference, or no
// records.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case many2one:
		return v.id == 0
	case []int64:
		return len(v) == 0
	}
	return false
}

// equal reports whether the field value v equals the domain value want.
func equal(v, want any) bool {
	if b, ok := want.(bool); ok {
		if !b {
			return isEmpty(v)
		}
		return v == true
	}
	if want == nil {
		return isEmpty(v)
	}

	switch v := v.(type) {
	case string:
		return v == want
	case many2one:
		if s, ok := want.(string); ok {
			return v.id != 0 && v.name == s
		}
		return sameNumber(v.id, want)
	case []int64:
		for _, id := range v {
			if sameNumber(id, want) {
				return true
			}
		}
		return false
	}
	return sameNumber(v, want)
}

func sameNumber(a, b any) bool {
	if x, ok := intOf(a); ok {
		if y, ok := intOf(b); ok {
			return x == y
		}
	}
	x, ok := ratOf(a)
	y, ok2 := ratOf(b)
	return ok && ok2 && x.Cmp(y) == 0
}

// compare orders the field value v against the domain value want. It
// reports false when they cannot be compared, as SQL does for NULL.
func compare(v, want any) (int, bool) {
	if m, ok := v.(many2one); ok {
		if m.id == 0 {
			return 0, false
		}
		v = m.id
	}
	if s, ok := v.(string); ok {
		w, ok := want.(string)
		return strings.Compare(s, w), ok
	}

	if x, ok := intOf(v); ok {
		if y, ok := intOf(want); ok {
			return cmp.Compare(x, y), true
		}
	}
	x, ok := ratOf(v)
	y, ok2 := ratOf(want)
	if !ok || !ok2 {
		return 0, false
	}
	return x.Cmp(y), true
}

// textOf returns the text a LIKE operator matches: the string, or the
// display name of a reference.
func textOf(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case many2one:
		return v.name, v.id != 0
	}
	return "", false
}
