package odoosandbox

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/money"
)

// dateTimeLayout is how Odoo writes datetimes on the wire: UTC, no zone.
const dateTimeLayout = "2006-01-02 15:04:05"

// record is one record as read over the wire: field name to value. Values
// are int64, json.Number (amounts and quantities, written exactly), string,
// bool (false also stands for an empty value, as in Odoo), many2one, or
// []int64 for one2many fields.
type record map[string]any

// many2one is a reference to another record, read as [id, "display name"]
// and as false when empty.
type many2one struct {
	id   int64
	name string
}

// MarshalJSON writes the reference as Odoo does.
func (m many2one) MarshalJSON() ([]byte, error) {
	if m.id == 0 {
		return []byte("false"), nil
	}
	return json.Marshal([]any{m.id, m.name})
}

// text returns s, or false when s is empty, as Odoo reads empty char fields.
func text(s string) any {
	if s == "" {
		return false
	}
	return s
}

// dateTime formats t for the wire, or returns false for the zero time.
func dateTime(t time.Time) any {
	if t.IsZero() {
		return false
	}
	return t.UTC().Format(dateTimeLayout)
}

// amount writes minor units of currency as an exact JSON number.
func amount(minor int64, currency string) json.Number {
	return json.Number(money.Decimal(minor, currency))
}

// charValue reads a char field value: a string, or false for empty.
func charValue(field string, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		if !v {
			return "", nil
		}
	case nil:
		return "", nil
	}
	return "", validationError("Wrong value for %s: expected a string or false", field)
}

// boolValue reads a boolean field value.
func boolValue(field string, v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, validationError("Wrong value for %s: expected true or false", field)
	}
	return b, nil
}

// idValue reads a record id: a whole positive JSON number.
func idValue(field string, v any) (int64, error) {
	n, ok := v.(json.Number)
	if ok {
		if id, err := strconv.ParseInt(n.String(), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, validationError("Wrong value for %s: expected a record id", field)
}

// many2oneValue reads a many2one field value: an id, or false for none.
func many2oneValue(field string, v any) (int64, error) {
	if b, ok := v.(bool); (ok && !b) || v == nil {
		return 0, nil
	}
	return idValue(field, v)
}

// idsValue reads the record ids a method is called on: one id or a list.
func idsValue(v any) ([]int64, error) {
	list, ok := v.([]any)
	if !ok {
		id, err := idValue("ids", v)
		if err != nil {
			return nil, typeError("expected a record id or a list of record ids")
		}
		return []int64{id}, nil
	}

	ids := make([]int64, 0, len(list))
	for _, item := range list {
		id, err := idValue("ids", item)
		if err != nil {
			return nil, typeError("expected a record id or a list of record ids")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// minorValue reads an amount of currency from a JSON number, exactly: the
// raw token goes through decimal parsing, never through a float.
func minorValue(field string, v any, currency string) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, validationError("Wrong value for %s: expected a number", field)
	}

	s := n.String()
	if !strings.ContainsAny(s, "eE") {
		minor, err := money.ParseMinor(s, currency)
		if err != nil {
			return 0, validationError("Wrong value for %s: %v", field, err)
		}
		return minor, nil
	}
	return scaledInt(field, s, money.Exponent(currency))
}

// wholeValue reads a quantity that must be a whole number, such as 2 or 2.0.
func wholeValue(field string, v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, validationError("Wrong value for %s: expected a number", field)
	}
	return scaledInt(field, n.String(), 0)
}

// scaledInt returns the decimal number s times 10^exp, when that is a whole
// number that fits an int64.
func scaledInt(field, s string, exp int) (int64, error) {
	r, ok := parseRat(s)
	if !ok {
		return 0, validationError("Wrong value for %s: %q is not a number in range", field, s)
	}

	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil)
	r.Mul(r, new(big.Rat).SetInt(scale))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, validationError("Wrong value for %s: %s needs more than %d decimals or is "+
			"out of range", field, s, exp)
	}
	return r.Num().Int64(), nil
}

// dateTimeValue reads a datetime written as Odoo writes it, or a date.
func dateTimeValue(field string, v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		if b, isBool := v.(bool); isBool && !b {
			return time.Time{}, nil
		}
		return time.Time{}, valueError("Wrong value for %s: expected a datetime string", field)
	}

	for _, layout := range []string{dateTimeLayout, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, valueError("time data %q does not match format "+
		"'%%Y-%%m-%%d %%H:%%M:%%S'", s)
}

// dictValue reads a JSON object.
func dictValue(what string, v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, typeError("%s must be a dictionary of field values", what)
	}
	return m, nil
}

// ratOf returns the number in v, when v is numeric.
func ratOf(v any) (*big.Rat, bool) {
	switch v := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(v), true
	case json.Number:
		return parseRat(v.String())
	}
	return nil, false
}

// intOf returns the number in v when it is a whole number written without
// a fraction or exponent, which compares without the cost of ratOf.
func intOf(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case json.Number:
		n, err := strconv.ParseInt(string(v), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// maxExponent bounds the exponent of numbers the sandbox parses, so that a
// number such as 1e999999999 cannot make it compute a huge power of ten.
const maxExponent = 100

// parseRat parses a JSON number exactly.
func parseRat(s string) (*big.Rat, bool) {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || exp > maxExponent || exp < -maxExponent {
			return nil, false
		}
	}
	return new(big.Rat).SetString(s)
}

// describe names the JSON type of v for error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "list"
	case map[string]any:
		return "dictionary"
	}
	return fmt.Sprintf("%T", v)
}

// dateValue reads a date field value, "YYYY-MM-DD" or false, as the date
// string or "".
func dateValue(field string, v any) (string, error) {
	if isEmpty(v) {
		return "", nil
	}
	s, ok := v.(string)
	if ok {
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			return s, nil
		}
	}
	return "", valueError("Wrong value for %s: time data %v does not match format "+
		"'%%Y-%%m-%%d'", field, v)
}
