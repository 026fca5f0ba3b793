package sapsandbox

import (
	"strings"
	"testing"
	"time"
)

func TestParseFilterLiterals(t *testing.T) {
	partner := schemas()[servicePartner][0]
	customer := schemas()[servicePartner][1]
	order := schemas()[serviceSalesOrder][0]
	created := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	rec := map[string]any{
		"BusinessPartner": "17", "CreationDate": dateTime(created),
		"CreationTime": timeOfDay(13*time.Hour + 5*time.Minute), "DeletionIndicator": false,
		"LastChangeDateTime": dateTimeOffset(created.Add(time.Hour)),
		"TotalNetAmount":     decimal("40.28"),
	}
	tests := []struct {
		typ    *entityType
		filter string
		want   bool
	}{
		{partner, "CreationDate eq datetime'2026-03-02T00:00:00'", true},
		{partner, "CreationDate eq datetime'2026-03-02T00:00'", true},
		{partner, "CreationDate lt datetime'2026-03-02T00:00:00Z'", false},
		{partner, "CreationTime gt time'PT13H'", true},
		{partner, "CreationTime eq time'PT13H05M'", true},
		{partner, "BusinessPartner gt '9'", true},
		{order, "LastChangeDateTime eq datetimeoffset'2026-03-02T01:00:00Z'", true},
		{order, "LastChangeDateTime gt datetime'2026-03-02T00:30:00'", true},
		{order, "TotalNetAmount lt 40.5m", true},
		{order, "TotalNetAmount gt 40d", true},
		{order, "TotalNetAmount eq -1L", false},
		{customer, "DeletionIndicator eq false", true},
		{customer, "DeletionIndicator eq null", false},
		{partner, "not (BusinessPartner eq '17') or CreationTime le time'PT13H05M'", true},
	}
	for _, tt := range tests {
		pred, err := parseFilter(tt.filter, tt.typ)
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
	typ := schemas()[servicePartner][0]
	tests := []struct{ filter, want string }{
		{"Nope eq '1'", "property Nope not found in type A_BusinessPartner"},
		{"BusinessPartner EQ '1'", `"EQ" is not an operator`},
		{"BusinessPartner eq '1' AND CreationTime eq time'PT1H'", `unexpected "AND"`},
		{"BusinessPartner eq 17", "BusinessPartner is an Edm.String, not Edm.Decimal"},
		{"CreationDate eq '2026-03-02'", "CreationDate is an Edm.DateTime, not Edm.String"},
		{"CreationTime eq datetime'2026-03-02T00:00'", "is an Edm.Time, not Edm.DateTime"},
		{"BusinessPartner eq guid'00000000-0000-0000-0000-000000000000'",
			`unknown literal type "guid"`},
		{"CreationDate eq datetime'2026-13-02T00:00'", "invalid datetime literal"},
		{"CreationDate eq datetimeoffset'yesterday'", "invalid datetimeoffset literal"},
		{"CreationTime eq time'13:00'", "invalid time literal"},
		{"BusinessPartner eq 1x", `invalid number "1x"`},
		{"BusinessPartner eq Customer", `expected a literal, not "Customer"`},
		{"BusinessPartner eq '1", "unterminated string literal"},
		{"(BusinessPartner eq '1'", "')' or operator expected"},
	}
	for _, tt := range tests {
		_, err := parseFilter(tt.filter, typ)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseFilter(%q) error = %v, want one containing %q", tt.filter, err, tt.want)
		}
	}
}
