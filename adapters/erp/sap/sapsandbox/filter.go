package sapsandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox/odatafilter"
)

// A predicate is a parsed $filter: it tells whether a record matches.
type predicate = odatafilter.Predicate

// parseFilter parses an OData V2 $filter over the properties of t: the
// comparisons eq, ne, gt, ge, lt and le between a property and a literal,
// joined by and, or, not and parentheses. Literals are 'strings' (a quote
// doubled inside), datetime'…', datetimeoffset'…', time'PT…', numbers,
// true, false and null. An empty filter matches everything.
func parseFilter(src string, t *entityType) (predicate, error) {
	if strings.TrimSpace(src) == "" {
		return func(map[string]any) bool { return true }, nil
	}
	return odatafilter.Parse(src, odatafilter.Dialect{
		Property: t.filterProperty, Literal: parseLiteral, Check: t.filterLiteral,
		Compare: compare,
	})
}

// filterProperty refuses a $filter on a property t does not have.
func (t *entityType) filterProperty(name string) error {
	if _, ok := t.property(name); !ok {
		return fmt.Errorf("property %s not found in type %s", name, t.name)
	}
	return nil
}

// filterLiteral refuses a $filter that compares property name with a
// literal of another type. Edm.DateTime and Edm.DateTimeOffset compare with
// each other, and everything compares with null.
func (t *entityType) filterLiteral(name string, literal any) error {
	p, _ := t.property(name)
	have, want := p.edm, literalType(literal)
	if literal == nil || have == want || isInstant(have) && isInstant(want) {
		return nil
	}
	return fmt.Errorf("incompatible types in $filter: %s is an %s, not %s", name, have, want)
}

func isInstant(edm string) bool {
	return edm == edmDateTime || edm == edmDateTimeOffset
}

// literalType names the Edm type of a decoded literal.
func literalType(v any) string {
	switch v.(type) {
	case string:
		return edmString
	case dateTime:
		return edmDateTime
	case dateTimeOffset:
		return edmDateTimeOffset
	case timeOfDay:
		return edmTime
	case decimal:
		return edmDecimal
	case bool:
		return edmBoolean
	}
	return fmt.Sprintf("%T", v)
}

// parseLiteral decodes a literal: a 'string', a typed prefix'…', a number
// with or without a type suffix (m, d, l), true, false or null.
func parseLiteral(t odatafilter.Token) (any, error) {
	if t.Kind == odatafilter.Quoted {
		if t.Prefix == "" {
			return t.Text, nil
		}
		return typedLiteral(t.Prefix, t.Text)
	}

	switch t.Text {
	case "true", "false":
		return t.Text == "true", nil
	case "null":
		return nil, nil
	}
	if c := t.Text[0]; c == '-' || (c >= '0' && c <= '9') {
		number := strings.TrimRight(t.Text, "mMdDlL")
		if _, err := strconv.ParseFloat(number, 64); err != nil {
			return nil, fmt.Errorf("invalid number %q in $filter", t.Text)
		}
		return decimal(number), nil
	}
	return nil, fmt.Errorf("expected a literal, not %q, in $filter", t.Text)
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
