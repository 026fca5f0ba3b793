package bcsandbox

import (
	"strings"
	"testing"
	"time"
)

// testFields are the properties of the entity the filter tests read.
var testFields = map[string]bool{
	"id": true, "number": true, "blocked": true, "unitPrice": true,
	"postingDate": true, "lastModifiedDateTime": true, "email": true,
}

func TestParseFilterLiterals(t *testing.T) {
	rec := map[string]any{
		"id": "5f1c3a2e-0b7d-4e8a-9c61-2d4f8e9a7b10", "number": "C-10", "blocked": false,
		"unitPrice": decimal("12.50"), "postingDate": dateOnly("2026-03-02"),
		"lastModifiedDateTime": time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	}
	tests := []struct {
		filter string
		want   bool
	}{
		{"number eq 'c-10'", true},
		{"number eq 'C-1'", false},
		{"id eq 5F1C3A2E-0B7D-4E8A-9C61-2D4F8E9A7B10", true},
		{"postingDate ge 2026-03-02 and postingDate lt 2026-03-03", true},
		{"lastModifiedDateTime eq 2026-03-02T10:00Z", true},
		{"lastModifiedDateTime gt 2026-03-02T11:00:00+02:00", true},
		{"lastModifiedDateTime lt 2026-03-02T10:00:00.5Z", true},
		{"unitPrice gt 12 and unitPrice le 12.5", true},
		{"unitPrice eq -1", false},
		{"blocked eq false", true},
		{"blocked ne true", true},
		{"email eq null", false},
		{"number eq 'C-10' OR blocked eq true AND unitPrice gt 100", true},
		{"(number eq 'C-10' Or blocked eq true) And unitPrice gt 100", false},
		{"NOT (number eq 'C-9')", true},
		{"number eq 12", false},
	}
	for _, tt := range tests {
		pred, err := parseFilter(tt.filter, "customer", testFields)
		if err != nil {
			t.Errorf("parseFilter(%q) error = %v", tt.filter, err)
			continue
		}
		if got := pred(rec); got != tt.want {
			t.Errorf("parseFilter(%q)(rec) = %v, want %v", tt.filter, got, tt.want)
		}
	}
}

func TestParseFilterErrors(t *testing.T) {
	tests := []struct{ filter, want string }{
		{"nope eq 'a'",
			"Could not find a property named 'nope' on type 'Microsoft.NAV.customer'."},
		{"number like 'a'", `"like" is not an operator`},
		{"number eq yesterday", "Syntax error: character 'yesterday' is not valid."},
		{"postingDate eq datetime'2026-03-02'",
			"Syntax error: character 'datetime'2026-03-02'' is not valid."},
		{"lastModifiedDateTime eq 2026-13-02T10:00Z",
			"The DateTimeOffset text '2026-13-02T10:00Z' is not valid."},
		{"number eq 'a", "unterminated string literal"},
		{"(number eq 'a'", "')' or operator expected"},
		{"number eq 'a' 'b'", `unexpected "'b'"`},
		{"number eq", "comparison expected"},
	}
	for _, tt := range tests {
		_, err := parseFilter(tt.filter, "customer", testFields)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseFilter(%q) error = %v, want one containing %q", tt.filter, err, tt.want)
		}
	}
}
