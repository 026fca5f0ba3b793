package woocommerce

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

const batchPath = "/wp-json/wc/v3/products/batch"

// refusedFields returns the field each refused item names, by index.
func refusedFields(t *testing.T, err error) map[int]string {
	t.Helper()
	var partial *store.PartialError
	if !errors.As(err, &partial) {
		t.Fatalf("error = %v, want a PartialError", err)
	}
	out := map[int]string{}
	for _, it := range partial.Items {
		var invalid *syncerr.InvalidError
		if !errors.As(it.Err, &invalid) {
			t.Fatalf("item %d: error %v is not an InvalidError", it.Index, it.Err)
		}
		out[it.Index] = invalid.Field
	}
	return out
}

func ptr(n int64) *int64 { return &n }

func TestSetStockAppliesGoodLevelsAndRefusesTheOthers(t *testing.T) {
	e := newEnv(t)
	levels := []store.StockLevel{
		{SKU: "MUG", Location: testLocation, Available: 7, Previous: ptr(10)},
		{SKU: "CAP", Location: testLocation, Available: 3},
		{SKU: "NOPE", Location: testLocation, Available: 1},
		{SKU: "TEE", Location: "WH-WEST", Available: 1},
		{SKU: "TEE", Location: testLocation, Available: 4, Previous: ptr(9)},
		{SKU: "MUG", Location: testLocation, Available: 8},
		{SKU: "A,B", Location: testLocation, Available: 1},
		{SKU: "CAP", Location: testLocation, Available: -1},
	}

	err := e.store.SetStock(t.Context(), store.StockUpdate{Key: "k1", Levels: levels})

	want := map[int]string{2: "sku", 3: "location", 4: "previous", 5: "sku", 6: "sku",
		7: "sku"}
	if got := refusedFields(t, err); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("refused %v, want %v", got, want)
	}
	for sku, qty := range map[string]int64{"MUG": 7, "CAP": 3} {
		if got, _ := e.model.Stock(sku, testLocation); got != qty {
			t.Errorf("stock of %s = %d, want %d", sku, got, qty)
		}
	}
	if _, ok := e.model.Stock("TEE", testLocation); ok {
		t.Error("TEE got a stock level despite its stale previous quantity")
	}
}

func TestSetStockWritesOnlyWhatChangedAndBatchesByHundred(t *testing.T) {
	e := newEnv(t)
	var levels []store.StockLevel
	for i := range 150 {
		sku := fmt.Sprintf("B-%03d", i)
		if _, err := e.model.CreateProduct(storesandbox.Product{SKU: sku, Name: sku,
			PriceMinor: 100, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		levels = append(levels, store.StockLevel{SKU: sku, Location: testLocation,
			Available: int64(i)})
	}
	u := store.StockUpdate{Key: "k", Levels: levels}

	if err := e.store.SetStock(t.Context(), u); err != nil {
		t.Fatalf("SetStock() error = %v", err)
	}
	if n := e.count(http.MethodPost, batchPath); n != 2 {
		t.Errorf("%d batch requests for 150 levels, want 2", n)
	}
	if got, _ := e.model.Stock("B-149", testLocation); got != 149 {
		t.Errorf("stock of B-149 = %d, want 149", got)
	}

	// A retry of the same update, with the levels as previous quantities,
	// finds them held and writes nothing.
	for i := range u.Levels {
		u.Levels[i].Previous = ptr(u.Levels[i].Available)
	}
	if err := e.store.SetStock(t.Context(), u); err != nil {
		t.Fatalf("SetStock() again error = %v", err)
	}
	if n := e.count(http.MethodPost, batchPath); n != 2 {
		t.Errorf("%d batch requests after a repeated update, want still 2", n)
	}
}

func TestSetStockNeedsALocation(t *testing.T) {
	e := newEnv(t)
	s := newStore(t, e.srv.URL, testSecret, nil)
	s.location = ""
	err := s.SetStock(t.Context(), store.StockUpdate{Levels: []store.StockLevel{
		{SKU: "MUG", Location: testLocation, Available: 1}}})
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != "location" {
		t.Errorf("SetStock() without a location error = %v, want an invalid location", err)
	}
}

func TestSetPricesLeavesPromotionsAlone(t *testing.T) {
	e := newEnv(t)
	prices := []store.Price{
		{SKU: "MUG", PriceMinor: 1350, Currency: "EUR"},
		{SKU: "TEE", PriceMinor: 2600, Currency: "EUR"},
		{SKU: "CAP", PriceMinor: 1900, Currency: "EUR"},
		{SKU: "NOPE", PriceMinor: 100, Currency: "EUR"},
		{SKU: "BAG", PriceMinor: 1, Currency: "USD"},
		{SKU: "BTL", PriceMinor: -5, Currency: "EUR"},
		{SKU: "MUG", PriceMinor: 1, Currency: "EUR"},
	}

	report, err := e.store.SetPrices(t.Context(), prices)

	want := map[int]string{3: "sku", 4: "currency", 5: "price_minor", 6: "sku"}
	if got := refusedFields(t, err); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("refused %v, want %v", got, want)
	}
	if report.Updated != 2 || !slices.Equal(report.Promoted, []string{"TEE"}) {
		t.Errorf("report %+v, want 2 updated (one unchanged) and TEE promoted", report)
	}
	mug, _ := e.model.ProductBySKU("MUG")
	tee, _ := e.model.ProductBySKU("TEE")
	if mug.PriceMinor != 1350 || tee.PriceMinor != 2400 || tee.SalePriceMinor != 1900 {
		t.Errorf("MUG %d, TEE %d/%d; want MUG repriced and TEE untouched", mug.PriceMinor,
			tee.PriceMinor, tee.SalePriceMinor)
	}
}

func TestSetPricesRefusesAnotherCurrency(t *testing.T) {
	e := newEnv(t)
	_, err := e.store.SetPrices(t.Context(), []store.Price{
		{SKU: "CAP", PriceMinor: 100, Currency: "USD"}})
	var partial *store.PartialError
	if !errors.As(err, &partial) || !strings.Contains(partial.Items[0].Err.Error(), "EUR") {
		t.Errorf("SetPrices(USD) error = %v, want the item refused for the store's EUR", err)
	}
	if n := e.count(http.MethodPost, batchPath); n != 0 {
		t.Errorf("%d batch requests, want none", n)
	}
}
