package bigcommerce

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestCreateDraftsTwiceCreatesOnce(t *testing.T) {
	f := newFixture(t, nil)
	products := []store.Product{
		{SKU: "MUG", Name: "Mug", PriceMinor: 999, Currency: "EUR"},
		{SKU: "BOWL", Name: "Bowl", PriceMinor: 1500, Currency: "EUR"},
		{SKU: "PLATE", Name: "Plate", PriceMinor: 1100, Currency: "EUR"},
	}
	posts := func() int {
		return f.requests(http.MethodPost, "/stores/"+testHash+
			"/v3/catalog/products")
	}

	created, err := f.store.CreateDrafts(t.Context(), products)
	if err != nil || !slices.Equal(created, []string{"BOWL", "PLATE"}) {
		t.Fatalf("CreateDrafts() = %v, %v; want BOWL and PLATE", created, err)
	}
	again, err := f.store.CreateDrafts(t.Context(), products)
	if err != nil || len(again) != 0 || posts() != 2 {
		t.Fatalf("CreateDrafts() again = %v, %v after %d posts; want nothing new", again, err,
			posts())
	}

	for _, want := range products[1:] {
		p, ok := f.model.ProductBySKU(want.SKU)
		if !ok || !p.Draft || p.PriceMinor != want.PriceMinor || p.Name != want.Name {
			t.Errorf("product %s = %+v, want a draft at %d", want.SKU, p, want.PriceMinor)
		}
	}
	if mug, _ := f.model.ProductBySKU("MUG"); mug.Draft || mug.PriceMinor != 1250 {
		t.Errorf("MUG = %+v, want it left alone", mug)
	}
}

func TestCreateDraftsRefusesWhatCannotBeAProduct(t *testing.T) {
	tests := []struct {
		name    string
		product store.Product
		field   string
	}{
		{"no sku", store.Product{Name: "X", PriceMinor: 1, Currency: "EUR"}, "sku"},
		{"no name", store.Product{SKU: "X", PriceMinor: 1, Currency: "EUR"}, "name"},
		{"negative price", store.Product{SKU: "X", Name: "X", PriceMinor: -1,
			Currency: "EUR"}, "price_minor"},
		{"other currency", store.Product{SKU: "X", Name: "X", PriceMinor: 1,
			Currency: "USD"}, "currency"},
		{"taken name", store.Product{SKU: "MUG-2", Name: "mug", PriceMinor: 1,
			Currency: "EUR"}, "name"},
	}
	f := newFixture(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.store.CreateDrafts(t.Context(), []store.Product{tt.product})
			var invalid *syncerr.InvalidError
			if !errors.As(err, &invalid) || invalid.Field != tt.field {
				t.Errorf("CreateDrafts() error = %v, want an InvalidError of %s", err, tt.field)
			}
		})
	}
	if n := len(f.model.Products()); n != 3 {
		t.Errorf("%d products, want the 3 seeded", n)
	}
}

func TestReadStockListsLevelsByLocationCode(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.model.SetStock("TEE", "WH-WEST", 4, nil); err != nil {
		t.Fatal(err)
	}

	skus := []string{"TEE", "MUG", "MUG"}
	for i := range 60 {
		skus = append(skus, "NOPE-"+strconv.Itoa(i))
	}
	got, err := f.store.ReadStock(t.Context(), skus)
	if err != nil {
		t.Fatalf("ReadStock() error = %v", err)
	}
	if n := f.requests(http.MethodGet, "/stores/"+testHash+"/v3/inventory/items"); n != 2 {
		t.Errorf("%d reads of inventory items for 62 skus, want 2", n)
	}
	want := []store.StockLevel{
		{SKU: "MUG", Location: "WH-EAST", Available: 10},
		{SKU: "MUG", Location: "WH-WEST", Available: 10},
		{SKU: "TEE", Location: "WH-EAST", Available: 0},
		{SKU: "TEE", Location: "WH-WEST", Available: 4},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ReadStock() = %+v, want %+v", got, want)
	}
}
