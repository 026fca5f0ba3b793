package woocommerce

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
)

func TestCreateDraftsTwiceCreatesOnce(t *testing.T) {
	e := newEnv(t)
	products := []store.Product{
		{SKU: "LAMP", Name: "Lamp", PriceMinor: 4500, Currency: "EUR"},
		{SKU: "MUG", Name: "Mug again", PriceMinor: 999, Currency: "EUR"},
		{SKU: "DESK", Name: "Desk", PriceMinor: 19900, Currency: "EUR"},
	}

	created, err := e.store.CreateDrafts(t.Context(), products)
	if err != nil || !slices.Equal(created, []string{"LAMP", "DESK"}) {
		t.Fatalf("CreateDrafts() = %v, %v; want LAMP and DESK", created, err)
	}
	if n := e.count(http.MethodPost, batchPath); n != 1 {
		t.Errorf("%d batch requests, want one", n)
	}
	lamp, _ := e.model.ProductBySKU("LAMP")
	mug, _ := e.model.ProductBySKU("MUG")
	if !lamp.Draft || lamp.PriceMinor != 4500 || lamp.Name != "Lamp" || mug.Draft ||
		mug.PriceMinor != 1250 {
		t.Errorf("LAMP %+v, MUG %+v; want LAMP a draft at 45.00 and MUG untouched", lamp, mug)
	}

	again, err := e.store.CreateDrafts(t.Context(), products)
	if err != nil || len(again) != 0 {
		t.Errorf("CreateDrafts() again = %v, %v; want nothing created", again, err)
	}
	if n := e.count(http.MethodPost, batchPath); n != 1 {
		t.Errorf("%d batch requests after the retry, want still one", n)
	}
}

func TestCreateDraftsAfterALostAnswerCreatesNothingTwice(t *testing.T) {
	e := newEnv(t)
	once := newStore(t, e.srv.URL, testSecret, &http.Client{Timeout: 10 * time.Second})
	products := []store.Product{{SKU: "LAMP", Name: "Lamp", PriceMinor: 4500,
		Currency: "EUR"}}
	if err := e.faults.Enqueue(erpsandbox.Shot{Op: "products/batch",
		Kind: erpsandbox.KindDropResponse}); err != nil {
		t.Fatal(err)
	}

	if _, err := once.CreateDrafts(t.Context(), products); err == nil {
		t.Fatal("CreateDrafts() with the answer lost: no error")
	}
	created, err := once.CreateDrafts(t.Context(), products)
	if err != nil || len(created) != 0 {
		t.Errorf("CreateDrafts() again = %v, %v; want nothing created", created, err)
	}
	if n := len(e.model.Products()); n != 4 {
		t.Errorf("%d products, want the 3 seeded and LAMP", n)
	}
}

func TestCreateDraftsBatchesAHundredAtATimeAndRefusesBadItems(t *testing.T) {
	e := newEnv(t)
	var products []store.Product
	for i := range 150 {
		products = append(products, store.Product{SKU: fmt.Sprintf("BULK-%03d", i),
			Name: "Bulk", PriceMinor: 100, Currency: "EUR"})
	}
	products = append(products, store.Product{SKU: "USD-1", Name: "Dollar", Currency: "USD"},
		store.Product{SKU: "NONAME", Currency: "EUR"})

	created, err := e.store.CreateDrafts(t.Context(), products)
	var partial *store.PartialError
	if !errors.As(err, &partial) || len(partial.Items) != 2 || partial.Items[0].Index != 150 ||
		partial.Items[1].Index != 151 {
		t.Fatalf("CreateDrafts() error = %v, want items 150 and 151 refused", err)
	}
	if len(created) != 150 {
		t.Errorf("created %d, want 150", len(created))
	}
	if n := e.count(http.MethodPost, batchPath); n != 2 {
		t.Errorf("%d batch requests, want two", n)
	}
}

func TestSetPricesSparesAScheduledSale(t *testing.T) {
	e := newEnv(t)
	hat, _ := e.model.ProductBySKU("CAP")
	mug, _ := e.model.ProductBySKU("MUG")
	start := time.Now().UTC().Add(48 * time.Hour).Format(gmtLayout)
	ended := time.Now().UTC().Add(-48 * time.Hour).Format(gmtLayout)
	setProduct(t, e, map[string]any{"id": hat.ID, "sale_price": "15.00",
		"date_on_sale_from_gmt": start})
	setProduct(t, e, map[string]any{"id": mug.ID, "date_on_sale_to_gmt": ended})

	var shown map[string]any
	c := call{method: http.MethodGet, path: fmt.Sprintf("products/%d", hat.ID)}
	if _, err := e.store.do(t.Context(), c, &shown); err != nil {
		t.Fatal(err)
	}
	if shown["on_sale"] != false || shown["price"] != "19.00" || shown["sale_price"] != "15.00" ||
		shown["date_on_sale_from_gmt"] != start {
		t.Fatalf("CAP shown as %v, want a sale of 15.00 from %s, not started", shown, start)
	}
	report, err := e.store.SetPrices(t.Context(), []store.Price{
		{SKU: "CAP", PriceMinor: 2100, Currency: "EUR"},
		{SKU: "MUG", PriceMinor: 1300, Currency: "EUR"},
	})
	if err != nil || !slices.Equal(report.Promoted, []string{"CAP"}) || report.Updated != 1 {
		t.Errorf("SetPrices() = %+v, %v; want CAP promoted, MUG updated", report, err)
	}
	hat, _ = e.model.ProductBySKU("CAP")
	mug, _ = e.model.ProductBySKU("MUG")
	if hat.PriceMinor != 1900 || hat.SalePriceMinor != 1500 || mug.PriceMinor != 1300 {
		t.Errorf("CAP %d/%d, MUG %d; want CAP untouched and MUG at 13.00", hat.PriceMinor,
			hat.SalePriceMinor, mug.PriceMinor)
	}
}

func TestPromotedByASaleScheduleWithoutASalePrice(t *testing.T) {
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	unreadable := "tomorrow"
	text := func(t time.Time) *string {
		s := t.Format(gmtLayout)
		return &s
	}
	tests := []struct {
		name string
		p    product
		want bool
	}{
		{"nothing", product{}, false},
		{"sale price", product{SalePrice: "1.00"}, true},
		{"start ahead", product{SaleFromGMT: text(now.Add(time.Hour))}, true},
		{"end ahead", product{SaleToGMT: text(now.Add(time.Hour))}, true},
		{"ended", product{SaleToGMT: text(now.Add(-time.Hour))}, false},
		{"unreadable end", product{SaleToGMT: &unreadable}, true},
	}
	for _, tt := range tests {
		if got := tt.p.promoted(now); got != tt.want {
			t.Errorf("%s: promoted() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReadStockReportsManagedStockAtTheLocation(t *testing.T) {
	e := newEnv(t)
	got, err := e.store.ReadStock(t.Context(), []string{"MUG", "TEE", "NOPE", "MUG", "A,B"})
	want := []store.StockLevel{{SKU: "MUG", Location: testLocation, Available: 10}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("ReadStock() = %+v, %v; want %+v (TEE's stock is not managed)", got, err,
			want)
	}

	var levels []string
	for i := range 120 {
		levels = append(levels, fmt.Sprintf("X-%d", i))
	}
	if _, err := e.store.ReadStock(t.Context(), levels); err != nil {
		t.Fatal(err)
	}
	if n := e.count(http.MethodGet, "/wp-json/wc/v3/products"); n != 3 {
		t.Errorf("%d product listings, want one and then two for 120 SKUs", n)
	}
}

// setProduct updates a product through the batch API, as a merchant's
// edit does.
func setProduct(t *testing.T, e *env, fields map[string]any) {
	t.Helper()
	var answer struct {
		Update []batchEntry `json:"update"`
	}
	c := call{method: http.MethodPost, path: "products/batch",
		body: map[string]any{"update": []map[string]any{fields}}}
	if _, err := e.store.do(t.Context(), c, &answer); err != nil {
		t.Fatal(err)
	}
	if len(answer.Update) != 1 || answer.Update[0].Error != nil {
		t.Fatalf("update %v answered %+v", fields, answer.Update)
	}
}
