package woocommerce

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// answers maps "METHOD /path" below /wp-json/wc/v3 to a status and a body.
type answers map[string]struct {
	status int
	body   string
	header map[string]string
}

// fakeStore serves canned answers and returns an adapter of them.
func fakeStore(t *testing.T, a answers) *Store {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ans, ok := a[r.Method+" "+strings.TrimPrefix(r.URL.Path, "/wp-json/wc/v3")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		for k, v := range ans.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(ans.status)
		_, _ = w.Write([]byte(ans.body))
	}))
	t.Cleanup(srv.Close)
	return newStore(t, srv.URL, testSecret, nil)
}

const oneProduct = `[{"id":1,"sku":"MUG","regular_price":"1.00","sale_price":"",` +
	`"manage_stock":true,"stock_quantity":3}]`

func TestMalformedAnswersGiveClearErrors(t *testing.T) {
	loadOrder := func(ctx context.Context, s *Store) error {
		_, err := s.LoadOrder(ctx, "5")
		return err
	}
	listOrders := func(ctx context.Context, s *Store) error {
		_, err := s.ChangedOrders(ctx, store.Changes{})
		return err
	}
	setStock := func(ctx context.Context, s *Store) error {
		return s.SetStock(ctx, store.StockUpdate{Levels: []store.StockLevel{
			{SKU: "MUG", Location: testLocation, Available: 9}}})
	}
	setPrice := func(ctx context.Context, s *Store) error {
		_, err := s.SetPrices(ctx, []store.Price{{SKU: "MUG", PriceMinor: 5, Currency: "EUR"}})
		return err
	}
	unavailable := func(err error) bool { return errors.Is(err, syncerr.ErrUnavailable) }
	invalid := func(field string) func(error) bool {
		return func(err error) bool {
			var e *syncerr.InvalidError
			return errors.As(err, &e) && e.Field == field
		}
	}

	tests := []struct {
		name    string
		answers answers
		op      func(context.Context, *Store) error
		want    func(error) bool
		wantMsg string
	}{
		{"order is not json", answers{"GET /orders/5": {200, "<html>", nil}},
			loadOrder, unavailable, "malformed answer"},
		{"order of another id", answers{"GET /orders/5": {200, `{"id":6}`, nil}},
			loadOrder, unavailable, "order 6"},
		{"total is not a decimal", answers{"GET /orders/5": {200,
			`{"id":5,"currency":"EUR","total":"12,50","date_modified_gmt":null}`, nil}},
			loadOrder, invalid("total"), "12,50"},
		{"bad date", answers{"GET /orders/5": {200,
			`{"id":5,"currency":"EUR","total":"1.00","date_created_gmt":"yesterday"}`, nil}},
			loadOrder, invalid("date_created_gmt"), "yesterday"},
		{"gateway page", answers{"GET /orders/5": {502, "<html>bad gateway</html>", nil}},
			loadOrder, unavailable, "502"},
		{"listing is not an array", answers{"GET /orders": {200, `{"id":1}`, nil}},
			listOrders, unavailable, "malformed answer"},
		{"listing without modification dates", answers{"GET /orders": {200, `[{"id":1}]`, nil}},
			listOrders, unavailable, "date_modified_gmt"},
		{"page count is not a number", answers{"GET /orders": {200, `[]`,
			map[string]string{"X-WP-TotalPages": "many"}}}, listOrders, unavailable, "many"},
		{"batch answers fewer items", answers{
			"GET /products":        {200, oneProduct, nil},
			"POST /products/batch": {200, `{"update":[]}`, nil}},
			setStock, unavailable, "the answer has 0"},
		{"currency is not a code", answers{
			"GET /data/currencies/current": {200, `{"code":"euro"}`, nil}},
			setPrice, unavailable, `"euro"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.op(t.Context(), fakeStore(t, tt.answers))
			if err == nil || !tt.want(err) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %v, want one of the right kind saying %q", err, tt.wantMsg)
			}
		})
	}
}

func TestBatchItemRefusedByWooCommerce(t *testing.T) {
	s := fakeStore(t, answers{
		"GET /products": {200, oneProduct, nil},
		"POST /products/batch": {200, `{"update":[{"id":1,"error":{"code":` +
			`"woocommerce_rest_product_not_updated","message":"Stock is locked.",` +
			`"data":{"status":400}}}]}`, nil},
	})
	err := s.SetStock(t.Context(), store.StockUpdate{Levels: []store.StockLevel{
		{SKU: "MUG", Location: testLocation, Available: 9}}})

	var partial *store.PartialError
	var invalid *syncerr.InvalidError
	if !errors.As(err, &partial) || len(partial.Items) != 1 || partial.Items[0].Index != 0 ||
		!errors.As(partial.Items[0].Err, &invalid) ||
		!strings.Contains(invalid.Reason, "Stock is locked.") {
		t.Errorf("SetStock() error = %v, want item 0 refused with WooCommerce's message", err)
	}
}
