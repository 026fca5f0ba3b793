package bcsandbox

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox/odatafilter"
)

// A predicate is a parsed $filter expression, evaluated over the fields of
// one entity.
type predicate = odatafilter.Predicate

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
// le) of a property with a literal, joined by and, or, not and parentheses,
// keywords in any case. Properties must be among fields of entity type
// typeName.
func parseFilter(expr, typeName string, known map[string]bool) (predicate, error) {
	return odatafilter.Parse(expr, odatafilter.Dialect{
		Property: func(name string) error {
			if known[name] {
				return nil
			}
			return &filterError{fmt.Sprintf(
				"Could not find a property named '%s' on type 'Microsoft.NAV.%s'.",
				name, typeName)}
		},
		// TODO: refuse a literal of the wrong type (a number against a text
		// property) with 400, as Business Central does; entity sets list their
		// properties without Edm types, so such a comparison matches nothing.
		Literal:  parseLiteral,
		Compare:  compare,
		FoldCase: true,
	})
}

// parseLiteral reads a literal: a quoted string, a date-time, a date, a
// GUID, a number, true, false or null.
func parseLiteral(t odatafilter.Token) (any, error) {
	switch {
	case t.Kind == odatafilter.Quoted && t.Prefix == "":
		return t.Text, nil
	case t.Kind == odatafilter.Quoted:
		return nil, &filterError{"Syntax error: character '" + t.Raw + "' is not valid."}
	case dateTimePattern.MatchString(t.Text):
		v, err := time.Parse(time.RFC3339Nano, normalizeDateTime(t.Text))
		if err != nil {
			return nil, &filterError{"The DateTimeOffset text '" + t.Text + "' is not valid."}
		}
		return v, nil
	case datePattern.MatchString(t.Text):
		return dateOnly(t.Text), nil
	case guidPattern.MatchString(t.Text):
		return strings.ToLower(t.Text), nil
	case numberPattern.MatchString(t.Text):
		f, _ := strconv.ParseFloat(t.Text, 64)
		return f, nil
	case t.Text == "true" || t.Text == "false":
		return t.Text == "true", nil
	case t.Text == "null":
		return nil, nil
	}
	return nil, &filterError{"Syntax error: character '" + t.Raw + "' is not valid."}
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
