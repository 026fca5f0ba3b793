package odoosandbox

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/erp/odoo"
)

// benchPerSecond is how many stock levels the benchmark catalogs write in
// each second, so that a page spans the same seconds at every size.
const benchPerSecond = 1000

// benchSandboxes holds the seeded sandboxes by catalog size, built once per
// run.
var benchSandboxes = map[int]*sandbox{}

// benchSandbox returns a sandbox over n products, each stocked at three
// locations with safety stock at the first, written benchPerSecond levels a
// second from planClock on.
func benchSandbox(b *testing.B, n int) *sandbox {
	b.Helper()
	if s, ok := benchSandboxes[n]; ok {
		return s
	}

	now := planClock
	model := erpsandbox.NewModel(func() time.Time { return now })
	products := make([]erpsandbox.Product, n)
	levels := make([]erpsandbox.StockLevel, 0, 3*n)
	for i := range products {
		sku := "SKU-" + strconv.Itoa(i)
		products[i] = erpsandbox.Product{SKU: sku, Name: "Product " + sku, PriceMinor: 1250,
			Currency: "USD"}
		for l, loc := range []string{"WH/Stock", "WH/Shop", "WH/Back"} {
			levels = append(levels, erpsandbox.StockLevel{SKU: sku, Location: loc,
				OnHand: int64(i%90 + 10), Reserved: int64(l), SafetyStock: int64(1 - min(l, 1))})
		}
	}
	if err := model.SeedCatalog(products); err != nil {
		b.Fatal(err)
	}
	for from := 0; from < len(levels); from += benchPerSecond {
		if err := model.SeedStock(levels[from:min(from+benchPerSecond, len(levels))]); err != nil {
			b.Fatal(err)
		}
		now = now.Add(time.Second)
	}

	s := newSandbox(model, nil, testCreds)
	benchSandboxes[n] = s
	return s
}

// benchSizes are the catalog sizes the benchmarks compare.
var benchSizes = []int{10_000, 1_000_000}

// BenchmarkChangedStockPage lists one page of 5,000 stock levels from the
// middle of the catalog through the Odoo adapter over HTTP: every request
// of the page, JSON both ways included.
func BenchmarkChangedStockPage(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			s := benchSandbox(b, n)
			srv := httptest.NewServer(New(s.model, s.faults, testCreds))
			defer srv.Close()
			client := odoo.New(odoo.Config{URL: srv.URL, DB: testCreds.DB,
				Login: testCreds.Login, Password: testCreds.Password, Timeout: time.Minute})
			since := planClock.Add(time.Duration(3*n/benchPerSecond/2) * time.Second)

			b.ReportAllocs()
			for b.Loop() {
				page, err := client.ChangedStock(b.Context(), erp.Changes{Since: since,
					Limit: 5000})
				if err != nil || len(page.Items) != 5000 {
					b.Fatalf("ChangedStock() = %d levels, %v; want 5000", len(page.Items), err)
				}
			}
		})
	}
}

// benchSearches are the searches of one page of the Odoo adapter's stock
// listing, with 5,000 changed quants of 1,667 products, and its lookup of a
// product by SKU.
func benchSearches(s *sandbox, n int) map[string][]any {
	since := planClock.Add(time.Duration(3*n/benchPerSecond/2) * time.Second)
	first := s.model.ChangedStock(since, erpsandbox.Key{}, 1)[0]
	var productIDs, locationIDs []any
	for i := range 1667 {
		p, _ := s.model.ProductBySKU("SKU-" + strconv.Itoa(i+int(first.ID)/4))
		productIDs = append(productIDs, json.Number(strconv.FormatInt(p.ID, 10)))
	}
	for _, l := range s.model.Locations() {
		locationIDs = append(locationIDs, json.Number(strconv.FormatInt(l.ID, 10)))
	}
	places := []any{[]any{"product_id", "in", productIDs},
		[]any{"location_id", "in", locationIDs}}

	return map[string][]any{
		"quants": {"stock.quant", []any{[]any{"write_date", ">=", dateTime(since)},
			[]any{"location_id", "in", locationIDs}}, "write_date asc, id asc", 5001},
		"sums":  {"stock.quant", places, "id asc", -1},
		"rules": {"stock.warehouse.orderpoint", places, "", -1},
		"skus":  {"product.product", []any{[]any{"id", "in", productIDs}}, "", -1},
		"sku-lookup": {"product.product",
			[]any{[]any{"default_code", "in", []any{"SKU-77"}}}, "id asc", -1},
	}
}

// BenchmarkSearch runs each search of a stock page, and a product lookup, in
// the sandbox without HTTP: the time stays flat from 10k to 1M products.
func BenchmarkSearch(b *testing.B) {
	for _, name := range []string{"quants", "sums", "rules", "skus", "sku-lookup"} {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/products=%d", name, n), func(b *testing.B) {
				s := benchSandbox(b, n)
				search := benchSearches(s, n)[name]
				def := s.models[search[0].(string)]
				a := map[string]any{"domain": search[1], "order": search[2]}
				if limit := search[3].(int); limit >= 0 {
					a["limit"] = json.Number(strconv.Itoa(limit))
				}

				b.ReportAllocs()
				for b.Loop() {
					if found, err := s.find(def, a); err != nil || len(found) == 0 {
						b.Fatalf("search %s = %d records, %v", name, len(found), err)
					}
				}
			})
		}
	}
}
