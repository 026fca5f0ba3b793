package odoosandbox

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// testDef is a model with one field of each kind the domain code handles.
var testDef = &modelDef{
	name: "test.model",
	fields: map[string]fieldDef{
		"name":       {kind: kindChar},
		"email":      {kind: kindChar},
		"price":      {kind: kindNumber},
		"qty":        {kind: kindInteger},
		"partner_id": {kind: kindMany2one},
		"line_ids":   {kind: kindOne2many},
		"write_date": {kind: kindDatetime},
		"active":     {kind: kindBoolean},
	},
}

var testRecords = []record{
	{"id": int64(1), "name": "Blue Widget", "email": "ada@example.com",
		"price": json.Number("19.99"),
		"qty":   int64(3), "partner_id": many2one{7, "Ada"}, "line_ids": []int64{10, 11},
		"write_date": "2024-05-01 10:00:00", "active": true},
	{"id": int64(2), "name": "red_gadget", "email": false, "price": json.Number("0.30"),
		"qty": int64(0), "partner_id": many2one{}, "line_ids": []int64{},
		"write_date": "2024-05-02 09:30:00", "active": true},
	{"id": int64(3), "name": "Green 100% cotton", "email": "BOB@Example.com",
		"price": json.Number("100"), "qty": int64(12), "partner_id": many2one{8, "Bob"},
		"line_ids": []int64{12}, "write_date": false, "active": false},
}

// decodeDomain reads a domain written as JSON, numbers as json.Number, as
// the sandbox reads requests.
func decodeDomain(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("domain %s is not JSON: %v", s, err)
	}
	return v
}

func TestDomainMatches(t *testing.T) {
	tests := []struct {
		domain string
		want   []int64
	}{
		{`[]`, []int64{1, 2, 3}},
		{`null`, []int64{1, 2, 3}},
		{`[["name", "=", "red_gadget"]]`, []int64{2}},
		{`[["name", "!=", "red_gadget"]]`, []int64{1, 3}},
		{`[["email", "=", false]]`, []int64{2}},
		{`[["email", "!=", false]]`, []int64{1, 3}},
		{`[["price", "=", 19.99]]`, []int64{1}},
		{`[["price", "=", 0.3]]`, []int64{2}},
		{`[["price", ">", 0.3]]`, []int64{1, 3}},
		{`[["price", ">=", 0.30]]`, []int64{1, 2, 3}},
		{`[["qty", "<", 3]]`, []int64{2}},
		{`[["qty", "<=", 3]]`, []int64{1, 2}},
		{`[["id", "in", [1, 3, 99]]]`, []int64{1, 3}},
		{`[["id", "not in", [1]]]`, []int64{2, 3}},
		{`[["name", "in", ["Blue Widget", "nope"]]]`, []int64{1}},
		{`[["name", "like", "Widget"]]`, []int64{1}},
		{`[["name", "like", "widget"]]`, nil},
		{`[["name", "ilike", "widget"]]`, []int64{1}},
		{`[["name", "not ilike", "widget"]]`, []int64{2, 3}},
		{`[["email", "=ilike", "bob@example.com"]]`, []int64{3}},
		{`[["email", "=like", "bob@example.com"]]`, nil},
		{`[["email", "=ilike", "%@example.com"]]`, []int64{1, 3}},
		{`[["name", "=like", "red_gadget"]]`, []int64{2}},
		{`[["name", "=like", "red\\_gadget"]]`, []int64{2}},
		{`[["name", "=like", "re__gadget"]]`, []int64{2}},
		{`[["name", "=like", "re\\__gadget"]]`, nil},
		{`[["name", "ilike", "100\\%"]]`, []int64{3}},
		{`[["partner_id", "=", 7]]`, []int64{1}},
		{`[["partner_id", "=", false]]`, []int64{2}},
		{`[["partner_id", "ilike", "bo"]]`, []int64{3}},
		{`[["partner_id", "in", [7, 8]]]`, []int64{1, 3}},
		{`[["line_ids", "in", [12]]]`, []int64{3}},
		{`[["write_date", ">=", "2024-05-01 12:00:00"]]`, []int64{2}},
		{`[["active", "=", false]]`, []int64{3}},
		{`[["qty", ">", 0], ["price", "<", 50]]`, []int64{1}},
		{`["&", ["qty", ">", 0], ["price", "<", 50]]`, []int64{1}},
		{`["|", ["id", "=", 1], ["id", "=", 2]]`, []int64{1, 2}},
		{`["!", ["id", "=", 1]]`, []int64{2, 3}},
		{`["|", "!", ["id", "=", 1], ["qty", "=", 3]]`, []int64{1, 2, 3}},
		{`["&", "|", ["id", "=", 1], ["id", "=", 3], ["qty", ">", 5]]`, []int64{3}},
		{`[["id", "=", 2], "|", ["qty", "=", 0], ["qty", "=", 3]]`, []int64{2}},
		{`[[1, "=", 1]]`, []int64{1, 2, 3}},
		{`[[0, "=", 1]]`, nil},
	}
	for _, tt := range tests {
		cond, err := parseDomain(testDef, decodeDomain(t, tt.domain))
		if err != nil {
			t.Errorf("parseDomain(%s) error = %v", tt.domain, err)
			continue
		}
		var got []int64
		for _, r := range testRecords {
			if cond.match(r) {
				got = append(got, r["id"].(int64))
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("domain %s matches %v, want %v", tt.domain, got, tt.want)
		}
	}
}

func TestDomainErrors(t *testing.T) {
	tests := []struct {
		domain string
		want   string
	}{
		{`[["colour", "=", "red"]]`, `Invalid field "colour" on model "test.model"`},
		{`[["name", "~", "x"]]`, "Invalid operator"},
		{`[["name", "="]]`, "expected [field, operator, value]"},
		{`["&", ["id", "=", 1]]`, "lacks its operands"},
		{`["^", ["id", "=", 1]]`, "Invalid domain term"},
		{`{"name": "x"}`, "expected a list"},
		{`[["name", "like", 3]]`, "expected a string"},
		{`[["qty", ">", [1]]]`, "Invalid value"},
		{`[["line_ids", "like", "x"]]`, "not supported on one2many"},
	}
	for _, tt := range tests {
		_, err := parseDomain(testDef, decodeDomain(t, tt.domain))
		re, ok := err.(*rpcError)
		if !ok || re.name != nameValueError || !strings.Contains(re.message, tt.want) {
			t.Errorf("parseDomain(%s) error = %v, want a ValueError containing %q",
				tt.domain, err, tt.want)
		}
	}
}

func TestSortRecords(t *testing.T) {
	tests := []struct {
		order string
		want  []int64
	}{
		{"", []int64{1, 2, 3}},
		{"price desc", []int64{3, 1, 2}},
		{"name asc", []int64{1, 3, 2}},
		{"partner_id", []int64{1, 3, 2}},
		{"write_date desc, id asc", []int64{3, 2, 1}},
		{"active, qty DESC", []int64{1, 2, 3}},
	}
	for _, tt := range tests {
		keys, err := parseOrder(testDef, tt.order)
		if err != nil {
			t.Errorf("parseOrder(%q) error = %v", tt.order, err)
			continue
		}
		records := slices.Clone(testRecords)
		sortRecords(records, keys)
		var got []int64
		for _, r := range records {
			got = append(got, r["id"].(int64))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("order %q sorts %v, want %v", tt.order, got, tt.want)
		}
	}

	for _, bad := range []string{"colour", "id sideways", "line_ids"} {
		if _, err := parseOrder(testDef, bad); err == nil {
			t.Errorf("parseOrder(%q) error = nil, want one", bad)
		}
	}
}

func TestManyToOneWireShape(t *testing.T) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode([]any{many2one{7, "Ada"}, many2one{}}); err != nil {
		t.Fatalf("Encode() error = %v", err)
	}
	if got := strings.TrimSpace(buf.String()); got != `[[7,"Ada"],false]` {
		t.Errorf("many2one values encode as %s, want [[7,\"Ada\"],false]", got)
	}
}

func TestHugeExponentsAreRefused(t *testing.T) {
	if _, err := minorValue("price_unit", json.Number("1e999999999"), "USD"); err == nil {
		t.Error("minorValue(1e999999999) error = nil, want a refusal")
	}
	if _, ok := ratOf(json.Number("1e-999999999")); ok {
		t.Error("ratOf(1e-999999999) ok = true, want false")
	}
	got, err := minorValue("price_unit", json.Number("1.5E+1"), "USD")
	if err != nil || got != 1500 {
		t.Errorf("minorValue(1.5E+1) = %d, %v, want 1500", got, err)
	}
}
