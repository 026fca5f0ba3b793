package erpsandbox

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// benchLocations are the locations of the benchmark catalogs.
var benchLocations = []string{"WH-EAST", "WH-WEST", "SHOP-1"}

// benchModels holds the seeded catalogs by size, built once per run.
var benchModels = map[int]*Model{}

// benchModel returns a model with n products, each with stock on every
// benchmark location, seeded over a minute of the model's clock.
func benchModel(b *testing.B, n int) *Model {
	b.Helper()
	if m, ok := benchModels[n]; ok {
		return m
	}

	clock := newFakeClock()
	m := NewModel(clock.now)
	products := make([]Product, n)
	levels := make([]StockLevel, 0, n*len(benchLocations))
	for i := range products {
		sku := "SKU-" + strconv.Itoa(i)
		products[i] = Product{SKU: sku, Name: "Product " + sku, PriceMinor: 100, Currency: "EUR"}
		for l, loc := range benchLocations {
			levels = append(levels, StockLevel{SKU: sku, Location: loc, OnHand: int64(i%50 + l)})
		}
	}
	if err := m.SeedCatalog(products); err != nil {
		b.Fatal(err)
	}
	for part := range 60 { // one second for each sixtieth of the stock
		from, to := part*len(levels)/60, (part+1)*len(levels)/60
		if err := m.SeedStock(levels[from:to]); err != nil {
			b.Fatal(err)
		}
		clock.advance(time.Second)
	}
	benchModels[n] = m
	return m
}

// BenchmarkChangedStockPage pages 5,000 stock levels from the middle of the
// change order; the time per page stays flat from 10k to 1M products.
func BenchmarkChangedStockPage(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			m := benchModel(b, n)
			mid := m.ChangedStock(time.Time{}, Key{}, n*len(benchLocations)/2)
			after := Key{mid[len(mid)-1].Modified, mid[len(mid)-1].ID}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if page := m.ChangedStock(time.Time{}, after, 5000); len(page) != 5000 {
					b.Fatalf("page of %d levels, want 5000", len(page))
				}
			}
		})
	}
}

// BenchmarkProductLookup finds a product by SKU and the stock of its SKU.
func BenchmarkProductLookup(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			m := benchModel(b, n)
			sku := "SKU-" + strconv.Itoa(n/2)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				p, ok := m.ProductBySKU(sku)
				if !ok || len(m.StockOf(p.SKU)) != len(benchLocations) {
					b.Fatalf("%s not found with its stock", sku)
				}
			}
		})
	}
}

// BenchmarkUpdateStock changes the stock of 1,000 SKUs at once among 1M.
func BenchmarkUpdateStock(b *testing.B) {
	m := benchModel(b, 1_000_000)
	skus := make([]string, 1000)
	for i := range skus {
		skus[i] = "SKU-" + strconv.Itoa(i*997)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_, err := m.UpdateStock(skus, func(s *StockLevel) error { s.OnHand++; return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
}
