package shopifysandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A search is a query argument in Shopify's search syntax, as far as the
// sandbox reads it: terms "field:value", "field:>value", ">=", "<", "<=",
// values bare or quoted with ' or " (backslash escapes the next
// character), a trailing * on a value for a prefix, terms joined by
// whitespace or AND, and alternatives by OR. It is a disjunction of
// conjunctions.
type search [][]term

// term is one "field:value" condition.
type term struct {
	field string
	op    string // ":", ">", ">=", "<" or "<="
	value string
}

// parseSearch reads q; "" matches everything.
func parseSearch(q string) (search, error) {
	var s search
	group := []term{}
	rest := strings.TrimSpace(q)
	for rest != "" {
		var tok string
		var err error
		tok, rest, err = nextToken(rest)
		if err != nil {
			return nil, err
		}
		switch tok {
		case "AND":
			continue
		case "OR":
			s, group = append(s, group), []term{}
			continue
		}
		t, err := parseTerm(tok)
		if err != nil {
			return nil, err
		}
		group = append(group, t)
	}
	return append(s, group), nil
}

// nextToken splits the first token off s, keeping quoted values whole.
func nextToken(s string) (string, string, error) {
	var b strings.Builder
	var quote rune
	escaped := false
	for i, r := range s {
		switch {
		case escaped:
			b.WriteRune(r)
			escaped = false
		case r == '\\' && quote != 0:
			escaped = true
		case quote != 0 && r == quote:
			quote = 0
			b.WriteRune(r)
		case quote == 0 && (r == '\'' || r == '"'):
			quote = r
			b.WriteRune(r)
		case quote == 0 && r == ' ':
			return b.String(), strings.TrimSpace(s[i:]), nil
		default:
			b.WriteRune(r)
		}
	}
	if quote != 0 {
		return "", "", fmt.Errorf("search query %q has an unterminated quote", s)
	}
	return b.String(), "", nil
}

// parseTerm reads "field:op value".
func parseTerm(tok string) (term, error) {
	field, value, ok := strings.Cut(tok, ":")
	if !ok || field == "" {
		return term{field: "", op: ":", value: tok}, nil
	}
	t := term{field: strings.ToLower(field), op: ":"}
	for _, op := range []string{">=", "<=", ">", "<"} {
		if v, ok := strings.CutPrefix(value, op); ok {
			t.op, value = op, v
			break
		}
	}
	t.value = unquote(value)
	return t, nil
}

// unquote removes the quotes around a value; the tokenizer has already
// removed the escapes.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// searchable is what a record offers to a search, by field: a time.Time,
// an int64 or a string.
type searchable map[string]any

// match reports whether r satisfies s. Terms on fields that r lacks are
// ignored, as Shopify ignores unknown search fields.
func (s search) match(r searchable) bool {
	for _, group := range s {
		if groupMatches(group, r) {
			return true
		}
	}
	return len(s) == 0
}

func groupMatches(group []term, r searchable) bool {
	for _, t := range group {
		v, ok := r[t.field]
		if ok && !t.matches(v) {
			return false
		}
	}
	return true
}

// matches compares v with the term's value.
func (t term) matches(v any) bool {
	switch x := v.(type) {
	case time.Time:
		at, err := parseSearchTime(t.value)
		return err == nil && compare(x.Compare(at), t.op)
	case int64:
		n, err := strconv.ParseInt(t.value, 10, 64)
		return err == nil && compare(cmpInt(x, n), t.op)
	case string:
		if prefix, ok := strings.CutSuffix(t.value, "*"); ok && t.op == ":" {
			return strings.HasPrefix(strings.ToLower(x), strings.ToLower(prefix))
		}
		return compare(strings.Compare(strings.ToLower(x), strings.ToLower(t.value)), t.op)
	}
	return false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare applies op to the result c of a three-way comparison.
func compare(c int, op string) bool {
	switch op {
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	}
	return c == 0
}

// parseSearchTime reads an ISO 8601 time, or a date meaning its midnight in
// UTC, the shop's time zone.
func parseSearchTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}
