package odatafilter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// testDialect knows the text property name and the number properties a, b
// and c. Its literals are 'text', numbers, n'<number>', true, false and null.
func testDialect(fold bool) Dialect {
	kinds := map[string]string{"name": "text", "a": "number", "b": "number", "c": "number"}
	return Dialect{
		Property: func(name string) error {
			if kinds[name] == "" {
				return fmt.Errorf("no property %s", name)
			}
			return nil
		},
		Literal: func(t Token) (any, error) {
			switch {
			case t.Kind == Quoted && t.Prefix == "":
				return t.Text, nil
			case t.Kind == Quoted && t.Prefix == "n":
				return strconv.ParseFloat(t.Text, 64)
			case t.Kind == Quoted:
				return nil, fmt.Errorf("no literal type %s", t.Prefix)
			case t.Text == "null":
				return nil, nil
			case t.Text == "true" || t.Text == "false":
				return t.Text == "true", nil
			}
			f, err := strconv.ParseFloat(t.Text, 64)
			if err != nil {
				return nil, fmt.Errorf("bad literal %s", t.Raw)
			}
			return f, nil
		},
		Check: func(name string, literal any) error {
			_, isText := literal.(string)
			if literal != nil && isText != (kinds[name] == "text") {
				return fmt.Errorf("type mismatch on %s", name)
			}
			return nil
		},
		Compare:  compareTest,
		FoldCase: fold,
	}
}

func compareTest(value, literal any) (int, bool) {
	switch v := value.(type) {
	case string:
		l, ok := literal.(string)
		return strings.Compare(v, l), ok
	case float64:
		l, ok := literal.(float64)
		switch {
		case !ok:
			return 0, false
		case v < l:
			return -1, true
		case v > l:
			return 1, true
		}
		return 0, true
	}
	return 0, value == literal
}

func TestParseMatches(t *testing.T) {
	rec := map[string]any{"name": "O'Brien", "a": 1.0, "b": 0.0, "c": 0.0}
	tests := []struct {
		expr string
		fold bool
		want bool
	}{
		{expr: "a eq 1", want: true},
		{expr: "a ne 1", want: false},
		{expr: "a gt 0 and a ge 1 and a lt 2 and a le 1", want: true},
		{expr: "a gt 1", want: false},
		{expr: "name eq 'O''Brien'", want: true},
		{expr: "name eq 'O'", want: false},
		{expr: "a eq n'1'", want: true},
		{expr: "name eq null", want: false},
		{expr: "a eq 1 or b eq 2 and c eq 3", want: true},
		{expr: "(a eq 1 or b eq 2) and c eq 3", want: false},
		{expr: "b eq 2 and c eq 3 or a eq 1", want: true},
		{expr: "not a eq 1", want: false},
		{expr: "not not a eq 1", want: true},
		{expr: "not (a eq 2) and a eq 1", want: true},
		{expr: "not (a eq 1 or b eq 0)", want: false},
		{expr: "((a eq 1))", want: true},
		{expr: "(a eq 1)and(b eq 0)", want: true},
		{expr: "a eq 1\tand\nb eq 0", want: true},
		{expr: "a EQ 1 AND NOT b Gt 0", fold: true, want: true},
	}
	for _, tt := range tests {
		pred, err := Parse(tt.expr, testDialect(tt.fold))
		if err != nil {
			t.Errorf("Parse(%q) error = %v", tt.expr, err)
			continue
		}
		if got := pred(rec); got != tt.want {
			t.Errorf("Parse(%q)(rec) = %v, want %v", tt.expr, got, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		expr   string
		want   string // in the error
		syntax bool   // an *Error rather than the dialect's own
	}{
		{"", "comparison expected", true},
		{"not", "comparison expected", true},
		{"a eq", "comparison expected", true},
		{"a eq 1 and", "comparison expected", true},
		{"name eq 'open", "unterminated string literal", true},
		{"a like 1", `"like" is not an operator`, true},
		{"a EQ 1", `"EQ" is not an operator`, true},
		{"a eq 1 AND b eq 0", `unexpected "AND"`, true},
		{"a eq 1 b", `unexpected "b"`, true},
		{"a eq 1 )", `unexpected ")"`, true},
		{"(a eq 1", "')' or operator expected", true},
		{"a eq (", `literal expected, not "("`, true},
		{"'a' eq 1", `property expected, not "'a'"`, true},
		{") eq 1", `property expected, not ")"`, true},
		{"a ( 1", `"(" is not an operator`, true},
		{"zz eq 1", "no property zz", false},
		{"a eq one", "bad literal one", false},
		{"a eq x'1'", "no literal type x", false},
		{"name eq 5", "type mismatch on name", false},
		{"a eq '5'", "type mismatch on a", false},
	}
	for _, tt := range tests {
		pred, err := Parse(tt.expr, testDialect(false))
		if err == nil || pred != nil {
			t.Errorf("Parse(%q) = %v, nil error; want an error", tt.expr, pred != nil)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.expr, err, tt.want)
		}
		var syntax *Error
		if errors.As(err, &syntax) != tt.syntax {
			t.Errorf("Parse(%q) error %T, syntax error %v", tt.expr, err, tt.syntax)
		}
	}
}

func TestErrorPosition(t *testing.T) {
	_, err := Parse("a eq 1 or b lq 2", testDialect(false))
	var syntax *Error
	if !errors.As(err, &syntax) || syntax.Pos != 12 {
		t.Fatalf("error = %v, want a syntax error at position 12", err)
	}
}

func TestUnquote(t *testing.T) {
	v, n, err := Unquote("'it''s',k='v'")
	if err != nil || v != "it's" || n != 7 {
		t.Errorf("Unquote = %q, %d, %v; want \"it's\", 7, nil", v, n, err)
	}
	for _, s := range []string{"", "x'a'", "'open"} {
		if _, _, err := Unquote(s); err == nil {
			t.Errorf("Unquote(%q) = nil error, want one", s)
		}
	}
}
