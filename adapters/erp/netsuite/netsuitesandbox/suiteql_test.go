package netsuitesandbox

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// queryModel is a model with three products, two of them changed later.
func queryModel(t *testing.T) *sandbox {
	t.Helper()
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	model := erpsandbox.NewModel(func() time.Time { return now })
	if _, err := model.SeedProducts([]erpsandbox.Product{
		{SKU: "A-1", Name: "Apple", PriceMinor: 150, Currency: "USD"},
		{SKU: "B-1", Name: "Banana", PriceMinor: 25, Currency: "USD"},
		{SKU: "C-1", Name: "Cherry", PriceMinor: 999, Currency: "USD"},
	}); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	now = now.Add(time.Hour)
	touch := func(*erpsandbox.Product) error { return nil }
	for _, id := range []int64{2, 3} {
		if _, err := model.UpdateProduct(id, touch); err != nil {
			t.Fatalf("UpdateProduct() error = %v", err)
		}
	}
	return New(model, nil, Credentials{}).s
}

func TestRunQuery(t *testing.T) {
	s := queryModel(t)
	const at11 = "TO_TIMESTAMP('2026-05-01 11:00:00', 'YYYY-MM-DD HH24:MI:SS')"
	tests := []struct {
		name string
		q    string
		want string
	}{
		{"columns and order", "SELECT id, itemid FROM item ORDER BY itemid DESC",
			"[map[id:3 itemid:C-1] map[id:2 itemid:B-1] map[id:1 itemid:A-1]]"},
		{"in and alias", "SELECT i.itemid AS sku FROM item i WHERE i.itemid IN ('A-1', 'C-1')",
			"[map[sku:A-1] map[sku:C-1]]"},
		{"numbers compare as numbers", "SELECT itemid FROM item WHERE baseprice > 2 ORDER BY id",
			"[map[itemid:C-1]]"},
		{"timestamps and to_char", "SELECT id, TO_CHAR(lastmodifieddate, " +
			"'YYYY-MM-DD HH24:MI:SS') AS modified FROM item WHERE lastmodifieddate >= " +
			at11 + " ORDER BY modified, id",
			"[map[id:2 modified:2026-05-01 11:00:00] map[id:3 modified:2026-05-01 11:00:00]]"},
		{"keyset", "SELECT id FROM item WHERE lastmodifieddate > " + at11 +
			" OR (lastmodifieddate = " + at11 + " AND id > 2)", "[map[id:3]]"},
		{"lower, like, not", "SELECT id FROM item WHERE LOWER(displayname) LIKE 'b%' OR NOT " +
			"(id <> 1)", "[map[id:1] map[id:2]]"},
		{"default date format", "SELECT lastmodifieddate FROM item WHERE id = 1",
			"[map[lastmodifieddate:5/1/2026]]"},
		{"fetch first", "SELECT id FROM item ORDER BY id FETCH FIRST 1 ROWS ONLY", "[map[id:1]]"},
		{"quote in string", "SELECT id FROM item WHERE itemid = 'O''Neil'", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := s.runQuery(tt.q)
			if err != nil {
				t.Fatalf("runQuery(%q) error = %v", tt.q, err)
			}
			if got := fmt.Sprint(rows); got != tt.want {
				t.Errorf("runQuery(%q) = %s, want %s", tt.q, got, tt.want)
			}
		})
	}
}

func TestRunQueryRefusesBadQueries(t *testing.T) {
	s := queryModel(t)
	for _, q := range []string{
		"DELETE FROM item", "SELECT nope FROM item", "SELECT id FROM nowhere",
		"SELECT id FROM item WHERE", "SELECT id FROM item WHERE id = 'x",
		"SELECT id FROM item x y",
		"SELECT id FROM item WHERE FOO(id) = 1",
	} {
		if rows, err := s.runQuery(q); err == nil {
			t.Errorf("runQuery(%q) = %v, want an error", q, rows)
		}
	}
}

func TestSuiteQLNeedsPreferTransient(t *testing.T) {
	s := queryModel(t)
	req := httptest.NewRequest(http.MethodPost, "/services/rest/query/v1/suiteql",
		strings.NewReader(`{"q":"SELECT id FROM item"}`))
	w := httptest.NewRecorder()
	s.serveSuiteQL(w, req)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Prefer") {
		t.Errorf("SuiteQL without Prefer answered %d %s, want 400", w.Code, w.Body)
	}
}

func TestOverConcurrencyLimitGets429(t *testing.T) {
	s := queryModel(t)
	s.limit = 0
	w := httptest.NewRecorder()
	s.serve(w, httptest.NewRequest(http.MethodGet, "/services/rest/record/v1/customer/1", nil))
	if w.Code != http.StatusTooManyRequests ||
		!strings.Contains(w.Body.String(), `"o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"`) {
		t.Errorf("request over the limit answered %d %s, want 429", w.Code, w.Body)
	}
}
