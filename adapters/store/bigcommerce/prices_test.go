package bigcommerce

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

const variantsPath = "/stores/" + testHash + "/v3/catalog/variants"

func TestSetPricesSparesPromotionsAndReportsRefusedSKUs(t *testing.T) {
	f := newFixture(t, nil)
	prices := []store.Price{
		{SKU: "MUG", PriceMinor: 1300, Currency: "EUR"},
		{SKU: "TEE", PriceMinor: 2600, Currency: "EUR"},
		{SKU: "CAP", PriceMinor: 1900, Currency: "EUR"},
		{SKU: "NOPE", PriceMinor: 100, Currency: "EUR"},
		{SKU: "MUG", PriceMinor: 100, Currency: "USD"},
		{SKU: "CAP", PriceMinor: -1, Currency: "EUR"},
	}

	report, err := f.store.SetPrices(t.Context(), prices)
	var partial *store.PartialError
	if !errors.As(err, &partial) {
		t.Fatalf("SetPrices() error = %v, want a PartialError", err)
	}
	want := map[int]string{3: "sku", 4: "currency", 5: "price_minor"}
	for _, it := range partial.Items {
		var invalid *syncerr.InvalidError
		if !errors.As(it.Err, &invalid) || invalid.Field != want[it.Index] {
			t.Errorf("item %d refused with %v, want an InvalidError on %s", it.Index, it.Err,
				want[it.Index])
		}
	}
	if len(partial.Items) != len(want) || report.Updated != 2 ||
		!slices.Equal(report.Promoted, []string{"TEE"}) {
		t.Errorf("SetPrices() = %+v, %d refused; want 2 updated, TEE promoted, 3 refused",
			report, len(partial.Items))
	}

	mug, _ := f.model.ProductBySKU("MUG")
	tee, _ := f.model.ProductBySKU("TEE")
	if mug.PriceMinor != 1300 || tee.PriceMinor != 2400 || tee.SalePriceMinor != 1900 {
		t.Errorf("prices MUG %d, TEE %d on sale at %d; want 1300, 2400 and 1900 untouched",
			mug.PriceMinor, tee.PriceMinor, tee.SalePriceMinor)
	}
	if n := f.requests(http.MethodPut, variantsPath); n != 1 {
		t.Errorf("%d batch updates sent, want one with MUG only", n)
	}
}

func TestSetPricesReadsThePricesVariantsTakeFromTheirProduct(t *testing.T) {
	nulls := regexp.MustCompile(`"(price|sale_price)":[0-9.]+`)
	f := newFixture(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/catalog/variants") {
				rewrite(w, r, h, func(b []byte) []byte {
					return nulls.ReplaceAll(b, []byte(`"$1":null`))
				})
				return
			}
			h.ServeHTTP(w, r)
		})
	})

	report, err := f.store.SetPrices(t.Context(), []store.Price{
		{SKU: "TEE", PriceMinor: 2600, Currency: "EUR"},
		{SKU: "CAP", PriceMinor: 1900, Currency: "EUR"},
	})
	if err != nil || report.Updated != 1 || !slices.Equal(report.Promoted, []string{"TEE"}) {
		t.Errorf("SetPrices() = %+v, %v; want TEE promoted by its product and CAP's price "+
			"already set", report, err)
	}
	if f.requests(http.MethodGet, "/stores/"+testHash+"/v3/catalog/products") != 1 ||
		f.requests(http.MethodPut, variantsPath) != 0 {
		t.Errorf("requests %v, want one read of the products and no update", f.allRequests())
	}
}
