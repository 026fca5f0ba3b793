package erpsandbox

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestSeedStockCreatesAndSetsLevels(t *testing.T) {
	m, clock := newTestModel()
	if _, err := m.SetStock("A", "WH", 1, 0); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Minute)

	err := m.SeedStock([]StockLevel{
		{SKU: "A", Location: "WH", OnHand: 5, Reserved: 1, SafetyStock: 2},
		{SKU: "A", Location: "SHOP", OnHand: 3},
		{SKU: "B", Location: "WH", OnHand: 7},
	})
	if err != nil {
		t.Fatalf("SeedStock() error = %v", err)
	}

	a := m.StockOf("A")
	if len(a) != 2 || a[0].OnHand != 5 || a[0].SafetyStock != 2 || a[1].Location != "SHOP" {
		t.Errorf("StockOf(A) = %+v, want WH with 5 and safety 2, then SHOP", a)
	}
	if !a[0].Modified.Equal(clock.now()) || !a[1].Modified.Equal(clock.now()) {
		t.Errorf("StockOf(A) modified %v, %v, want %v", a[0].Modified, a[1].Modified,
			clock.now())
	}
	if got, ok := m.StockLevel(a[1].ID); !ok || got != a[1] {
		t.Errorf("StockLevel(%d) = %+v, %v, want %+v", a[1].ID, got, ok, a[1])
	}
	if _, ok := m.StockLevel(-1); ok {
		t.Error("StockLevel(-1) found a level")
	}
	locs := m.Locations()
	if len(locs) != 2 || locs[0].Name != "WH" || locs[1].Name != "SHOP" ||
		locs[0].ID != a[0].LocationID {
		t.Errorf("Locations() = %+v, want WH then SHOP", locs)
	}
}

func TestSeedStockRefusesAllOrNothing(t *testing.T) {
	tests := []struct {
		name  string
		level StockLevel
	}{
		{"no sku", StockLevel{Location: "WH", OnHand: 1}},
		{"no location", StockLevel{SKU: "A", OnHand: 1}},
		{"reserved over on hand", StockLevel{SKU: "A", Location: "WH", OnHand: 1, Reserved: 2}},
		{"negative safety stock", StockLevel{SKU: "A", Location: "WH", SafetyStock: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestModel()
			err := m.SeedStock([]StockLevel{{SKU: "OK", Location: "WH"}, tt.level})
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("SeedStock() error = %v, want ErrInvalid", err)
			}
			if got := m.StockLevels(); len(got) != 0 {
				t.Errorf("after a refused seed: %+v, want no levels", got)
			}
		})
	}
}

func TestUpdateStockStampsEveryLevelOfTheSKUs(t *testing.T) {
	m, clock := newTestModel()
	err := m.SeedStock([]StockLevel{
		{SKU: "A", Location: "WH", OnHand: 5}, {SKU: "A", Location: "SHOP", OnHand: 1},
		{SKU: "B", Location: "WH", OnHand: 7}, {SKU: "C", Location: "WH", OnHand: 9},
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Hour)

	n, err := m.UpdateStock([]string{"B", "A", "B"}, func(s *StockLevel) error {
		s.OnHand += 10
		s.ID, s.SKU = 0, "X" // ignored
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("UpdateStock() = %d, %v, want 3 levels", n, err)
	}
	changed := m.ChangedStock(clock.now(), Key{}, 0)
	var got []string
	for _, s := range changed {
		got = append(got, s.SKU+"@"+s.Location)
	}
	if want := []string{"A@WH", "A@SHOP", "B@WH"}; !slices.Equal(got, want) {
		t.Errorf("changed since the update: %v, want %v", got, want)
	}
	if changed[0].OnHand != 15 {
		t.Errorf("A@WH on hand %d, want 15", changed[0].OnHand)
	}

	_, err = m.UpdateStock([]string{"C", "NONE"}, func(s *StockLevel) error { return nil })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateStock() of an unknown SKU: %v, want ErrNotFound", err)
	}
	_, err = m.UpdateStock([]string{"C", "A"}, func(s *StockLevel) error {
		s.Reserved = s.OnHand + 1
		return nil
	})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("UpdateStock() reserving more than on hand: %v, want ErrInvalid", err)
	}
	if c := m.StockOf("C"); c[0].Reserved != 0 || c[0].Modified.Equal(clock.now()) {
		t.Errorf("C after refused updates: %+v, want it unchanged", c[0])
	}
}

func TestProductBySKUFollowsUpdates(t *testing.T) {
	m, _ := newTestModel()
	_, widget, gadget := seed(t, m)

	if _, err := m.UpdateProduct(widget, func(p *Product) error {
		p.SKU = "W-2"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.ProductBySKU("W-1"); ok {
		t.Error("ProductBySKU(W-1) still finds the product renamed W-2")
	}
	if p, ok := m.ProductBySKU("W-2"); !ok || p.ID != widget {
		t.Errorf("ProductBySKU(W-2) = %d, %v, want %d", p.ID, ok, widget)
	}
	_, err := m.UpdateProduct(gadget, func(p *Product) error {
		p.SKU = "W-2"
		return nil
	})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("taking another product's SKU: %v, want ErrInvalid", err)
	}
	_, err = m.SeedProducts([]Product{{SKU: "G-1", Name: "Again", Currency: "USD"}})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("seeding a SKU in use: %v, want ErrInvalid", err)
	}
	if _, ok := m.ProductBySKU(""); ok {
		t.Error("ProductBySKU(\"\") found a product")
	}
}
