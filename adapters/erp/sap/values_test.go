package sap

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"demo:1", "'demo:1'"},
		{"O'Brien", "'O''Brien'"},
		{"''", "''''''"},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestWholeUnits(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"12.000", 12, true},
		{"3", 3, true},
		{"2.750", 2, true},
		{"-1.500", -2, true},
		{"", 0, false},
		{"abc", 0, false},
	}
	for _, tt := range tests {
		got, err := wholeUnits(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("wholeUnits(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestSAPTimeReadsV2Dates(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{`"/Date(1546992000000)/"`, time.Date(2019, 1, 9, 0, 0, 0, 0, time.UTC)},
		{`"/Date(1546992000000+0000)/"`, time.Date(2019, 1, 9, 0, 0, 0, 0, time.UTC)},
		{`"2019-01-09T00:00:00Z"`, time.Date(2019, 1, 9, 0, 0, 0, 0, time.UTC)},
		{`null`, time.Time{}},
	}
	for _, tt := range tests {
		var got sapTime
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil || !got.Time().Equal(tt.want) {
			t.Errorf("unmarshal %s = %v, %v; want %v", tt.in, got.Time(), err, tt.want)
		}
	}
	var d sapDuration
	if err := json.Unmarshal([]byte(`"PT13H05M09S"`), &d); err != nil ||
		time.Duration(d) != 13*time.Hour+5*time.Minute+9*time.Second {
		t.Errorf("unmarshal PT13H05M09S = %v, %v", time.Duration(d), err)
	}
}

func TestFieldOfErrorTarget(t *testing.T) {
	tests := []struct{ target, want string }{
		{"to_Item(1)/Material", "lines[1].sku"},
		{"to_Item(0)/RequestedQuantity", "lines[0].quantity"},
		{"PurchaseOrderByCustomer", "external_ref"},
		{"SoldToParty", "customer"},
		{"to_Item(x)/Material", "sku"},
		{"SalesOrganization", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := fieldOf(tt.target); got != tt.want {
			t.Errorf("fieldOf(%q) = %q, want %q", tt.target, got, tt.want)
		}
	}
}

func TestFromStatus(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var limited *syncerr.RateLimitedError
	err := fromStatus(&httpError{status: 429, retryAfter: "Mon, 02 Mar 2026 10:00:05 GMT",
		now: now})
	if !errors.As(err, &limited) || limited.RetryAfter != 5*time.Second {
		t.Errorf("429 with a date = %v, want a 5s wait", err)
	}

	var invalid *syncerr.InvalidError
	err = fromStatus(&httpError{status: 400, code: "M3/305", message: "The material X does not",
		target: "to_Item(2)/Material"})
	if !errors.As(err, &invalid) || invalid.Field != "lines[2].sku" ||
		invalid.Reason != "sap M3/305: The material X does not" {
		t.Errorf("400 = %v, want InvalidError on lines[2].sku with SAP's message", err)
	}

	for _, status := range []int{500, 502, 503, 408, 412} {
		if err := fromStatus(&httpError{status: status}); !errors.Is(err, syncerr.ErrUnavailable) {
			t.Errorf("status %d = %v, want ErrUnavailable", status, err)
		}
	}
	var auth *syncerr.AuthError
	if err := fromStatus(&httpError{status: 403}); !errors.As(err, &auth) {
		t.Errorf("403 = %v, want AuthError", err)
	}
	if err := fromStatus(&httpError{status: 404}); !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("404 = %v, want ErrNotFound", err)
	}
}
