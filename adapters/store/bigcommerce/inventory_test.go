package bigcommerce

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

const adjustPath = "/stores/" + testHash + "/v3/inventory/adjustments/absolute"

func TestSetStockAppliesTheRestAndReportsRefusedLevels(t *testing.T) {
	f := newFixture(t, nil)
	ten, three := int64(10), int64(3)
	u := store.StockUpdate{Key: "run-1", Levels: []store.StockLevel{
		{SKU: "MUG", Location: "WH-EAST", Available: 7, Previous: &ten},
		{SKU: "CAP", Location: "WH-WEST", Available: 4},
		{SKU: "NOPE", Location: "WH-EAST", Available: 1},
		{SKU: "MUG", Location: "SHOP-9", Available: 1},
		{SKU: "MUG", Location: "WH-WEST", Available: 5, Previous: &three},
		{SKU: "TEE", Location: "WH-EAST", Available: -1},
	}}

	err := f.store.SetStock(t.Context(), u)
	var partial *store.PartialError
	if !errors.As(err, &partial) {
		t.Fatalf("SetStock() error = %v, want a PartialError", err)
	}
	wantFields := map[int]string{2: "sku", 3: "location", 4: "previous", 5: "available"}
	if len(partial.Items) != len(wantFields) {
		t.Fatalf("refused %+v, want items %v", partial.Items, wantFields)
	}
	for _, it := range partial.Items {
		var invalid *syncerr.InvalidError
		if !errors.As(it.Err, &invalid) || invalid.Field != wantFields[it.Index] {
			t.Errorf("item %d refused with %v, want an InvalidError on %s", it.Index, it.Err,
				wantFields[it.Index])
		}
	}

	for _, want := range []struct {
		sku, location string
		n             int64
	}{{"MUG", "WH-EAST", 7}, {"CAP", "WH-WEST", 4}, {"MUG", "WH-WEST", 10}} {
		if got, _ := f.model.Stock(want.sku, want.location); got != want.n {
			t.Errorf("stock of %s at %s = %d, want %d", want.sku, want.location, got, want.n)
		}
	}
	if n := f.requests(http.MethodPut, adjustPath); n != 1 {
		t.Errorf("%d adjustments sent, want the two levels in one", n)
	}
}

func TestSetStockAgainWritesNothing(t *testing.T) {
	f := newFixture(t, nil)
	ten := int64(10)
	u := store.StockUpdate{Key: "run-1", Levels: []store.StockLevel{
		{SKU: "MUG", Location: "WH-EAST", Available: 4, Previous: &ten},
		{SKU: "CAP", Location: "WH-EAST", Available: 2, Previous: new(int64)},
	}}

	for range 2 {
		if err := f.store.SetStock(t.Context(), u); err != nil {
			t.Fatalf("SetStock() error = %v", err)
		}
	}
	if n := f.requests(http.MethodPut, adjustPath); n != 1 {
		t.Errorf("a repeated update sent %d adjustments, want 1", n)
	}
	if got, _ := f.model.Stock("MUG", "WH-EAST"); got != 4 {
		t.Errorf("stock = %d, want 4", got)
	}
}

func TestSetStockResendsWhatBigCommerceDidNotRefuse(t *testing.T) {
	var refusedOnce atomic.Bool
	f := newFixture(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && refusedOnce.CompareAndSwap(false, true) {
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusUnprocessableEntity)
				_, _ = w.Write([]byte(`{"status":422,"title":"[Item with sku CAP is tracked ` +
					`by product, please update stock by product id]","type":"x",` +
					`"errors":{"items.1.sku":"tracked by product"}}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	u := store.StockUpdate{Levels: []store.StockLevel{
		{SKU: "MUG", Location: "WH-EAST", Available: 3},
		{SKU: "CAP", Location: "WH-EAST", Available: 2},
	}}

	err := f.store.SetStock(t.Context(), u)
	var partial *store.PartialError
	if !errors.As(err, &partial) || len(partial.Items) != 1 || partial.Items[0].Index != 1 ||
		!strings.Contains(partial.Items[0].Err.Error(), "tracked by product") {
		t.Fatalf("SetStock() error = %v, want CAP refused with BigCommerce's reason", err)
	}
	if got, _ := f.model.Stock("MUG", "WH-EAST"); got != 3 {
		t.Errorf("stock of MUG = %d, want 3 sent again without CAP", got)
	}
}

func TestSetStockFindsALocationAddedLater(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.store.SetStock(t.Context(), store.StockUpdate{Levels: []store.StockLevel{
		{SKU: "MUG", Location: "WH-EAST", Available: 1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.model.AddLocation("SHOP-1"); err != nil {
		t.Fatal(err)
	}

	err := f.store.SetStock(t.Context(), store.StockUpdate{Levels: []store.StockLevel{
		{SKU: "MUG", Location: "SHOP-1", Available: 6}}})
	if got, _ := f.model.Stock("MUG", "SHOP-1"); err != nil || got != 6 {
		t.Errorf("SetStock(new location) = %v, stock %d; want 6", err, got)
	}
}
