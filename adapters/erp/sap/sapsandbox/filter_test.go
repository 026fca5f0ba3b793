package sapsandbox

import (
	"testing"
	"time"
)

func TestParseFilter(t *testing.T) {
	typ := schemas()[serviceSalesOrder][0]
	changed := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	rec := map[string]any{
		"SalesOrder": "10", "PurchaseOrderByCustomer": "demo:O'Brien", "SoldToParty": "3",
		"LastChangeDateTime": dateTimeOffset(changed), "CreationDate": dateTime{},
		"TotalNetAmount": decimal("40.28"),
	}
	tests := []struct {
		filter string
		want   bool
	}{
		{"", true},
		{"PurchaseOrderByCustomer eq 'demo:O''Brien'", true},
		{"PurchaseOrderByCustomer eq 'demo:O'", false},
		{"SalesOrder gt '9'", true},
		{"SalesOrder lt '9'", false},
		{"LastChangeDateTime ge datetimeoffset'2026-03-02T10:00:00Z'", true},
		{"LastChangeDateTime gt datetimeoffset'2026-03-02T10:00:00Z'", false},
		{"CreationDate eq null", true},
		{"TotalNetAmount gt 40", true},
		{"SoldToParty eq '4' or SoldToParty eq '3' and SalesOrder eq '10'", true},
		{"(SoldToParty eq '4' or SoldToParty eq '3') and SalesOrder eq '11'", false},
		{"not (SoldToParty eq '4')", true},
	}
	for _, tt := range tests {
		pred, err := parseFilter(tt.filter, typ)
		if err != nil {
			t.Errorf("parseFilter(%q) error = %v", tt.filter, err)
			continue
		}
		if got := pred(rec); got != tt.want {
			t.Errorf("parseFilter(%q)(rec) = %v, want %v", tt.filter, got, tt.want)
		}
	}
}

func TestParseFilterRefuses(t *testing.T) {
	typ := schemas()[serviceSalesOrder][0]
	for _, filter := range []string{
		"Nope eq '1'", "SalesOrder eq", "SalesOrder like '1'", "SalesOrder eq '1",
		"(SalesOrder eq '1'", "SalesOrder eq datetime'yesterday'", "SalesOrder eq '1' '2'",
	} {
		if _, err := parseFilter(filter, typ); err == nil {
			t.Errorf("parseFilter(%q) = nil error, want one", filter)
		}
	}
}
