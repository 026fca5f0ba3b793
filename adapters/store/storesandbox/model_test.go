package storesandbox

import (
	"errors"
	"testing"
	"time"
)

// clock is a settable time source for models under test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func seeded(t *testing.T) (*Model, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	m := NewModel(c.now)
	for _, p := range []Product{
		{SKU: "MUG", Name: "Mug", PriceMinor: 1250, Currency: "EUR"},
		{SKU: "TEE", Name: "Tee", PriceMinor: 2400, SalePriceMinor: 1900, Currency: "EUR"},
	} {
		if _, err := m.CreateProduct(p); err != nil {
			t.Fatal(err)
		}
	}
	return m, c
}

func order() Order {
	return Order{Currency: "EUR", Customer: Customer{Email: "ana@example.test"},
		Lines: []Line{{SKU: "MUG", Quantity: 2, UnitPriceMinor: 1250, DiscountMinor: 100},
			{SKU: "TEE", Quantity: 1, UnitPriceMinor: 1900, TaxMinor: 400}},
		DiscountMinor: 250, ShippingMinor: 495, TaxMinor: 800}
}

func TestCreateOrderNumbersTotalsAndTells(t *testing.T) {
	m, _ := seeded(t)
	var events []Event
	m.Watch(func(ev Event) { events = append(events, ev) })

	first, err := m.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}
	second, err := m.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}

	if first.Number != 1001 || second.Number != 1002 {
		t.Errorf("numbers %d, %d, want 1001, 1002", first.Number, second.Number)
	}
	if want := int64(2*1250 - 100 + 1900 - 250 + 495 + 800); first.TotalMinor != want {
		t.Errorf("total %d, want %d", first.TotalMinor, want)
	}
	if len(events) != 2 || events[0].Topic != TopicOrderCreated ||
		events[1].OrderID != second.ID || events[0].ID == events[1].ID {
		t.Errorf("events %+v, want two distinct order.created", events)
	}
}

func TestCreateOrderRefusesBadOrders(t *testing.T) {
	m, _ := seeded(t)
	for name, change := range map[string]func(*Order){
		"no currency":   func(o *Order) { o.Currency = "" },
		"no e-mail":     func(o *Order) { o.Customer.Email = "" },
		"no lines":      func(o *Order) { o.Lines = nil },
		"zero quantity": func(o *Order) { o.Lines[0].Quantity = 0 },
	} {
		o := order()
		change(&o)
		if _, err := m.CreateOrder(o); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: CreateOrder error = %v, want ErrInvalid", name, err)
		}
	}
}

func TestSetMetafieldIsIdempotent(t *testing.T) {
	m, c := seeded(t)
	o, err := m.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}
	var updates int
	m.Watch(func(ev Event) {
		if ev.Topic == TopicOrderUpdated {
			updates++
		}
	})

	c.t = c.t.Add(time.Minute)
	for range 2 {
		if _, err := m.SetMetafield(o.ID, "erp.sales_order_id", "S00042"); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := m.Order(o.ID)
	if got.Metafields["erp.sales_order_id"] != "S00042" || updates != 1 ||
		!got.Modified.Equal(c.t) {
		t.Errorf("order %+v after two equal writes, %d updates; want one update", got, updates)
	}
	if _, err := m.SetMetafield(999, "erp.id", "1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetMetafield(unknown order) error = %v, want ErrNotFound", err)
	}
}

func TestChangedOrdersPagesByTimeAndID(t *testing.T) {
	m, c := seeded(t)
	var ids []int64
	for i := range 5 {
		c.t = c.t.Add(time.Duration(i%2) * time.Second)
		o, err := m.CreateOrder(order())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}

	var seen []int64
	var at time.Time
	var after int64
	for range 10 {
		page := m.ChangedOrders(time.Time{}, at, after, 2)
		if len(page) == 0 {
			break
		}
		for _, o := range page {
			seen = append(seen, o.ID)
		}
		last := page[len(page)-1]
		at, after = last.Modified, last.ID
	}
	if len(seen) != len(ids) {
		t.Fatalf("paged %v, want %v", seen, ids)
	}
	for i := range ids {
		if seen[i] != ids[i] {
			t.Fatalf("paged %v, want %v", seen, ids)
		}
	}
}

func TestSetStockComparesWhenAsked(t *testing.T) {
	m, _ := seeded(t)
	zero, five := int64(0), int64(5)

	if _, err := m.SetStock("MUG", "WH-EAST", 5, &zero); err != nil {
		t.Fatalf("first compare-and-set from 0: %v", err)
	}
	if _, err := m.SetStock("MUG", "WH-EAST", 7, &zero); !errors.Is(err, ErrStale) {
		t.Errorf("stale compare: error = %v, want ErrStale", err)
	}
	if _, err := m.SetStock("MUG", "WH-EAST", 7, &five); err != nil {
		t.Errorf("fresh compare: %v", err)
	}
	if got, _ := m.Stock("MUG", "WH-EAST"); got != 7 {
		t.Errorf("stock %d, want 7", got)
	}
	if _, err := m.SetStock("NOPE", "WH-EAST", 1, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown SKU: error = %v, want ErrNotFound", err)
	}
	if _, err := m.SetStock("MUG", "WH-EAST", -1, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative stock: error = %v, want ErrInvalid", err)
	}
}

func TestProductsKeepTheirSalePrice(t *testing.T) {
	m, _ := seeded(t)
	tee, _ := m.ProductBySKU("TEE")
	if !tee.OnSale() {
		t.Fatal("TEE is not on sale")
	}

	got, err := m.UpdateProduct(tee.ID, func(p *Product) error {
		p.PriceMinor, p.SKU = 2600, "RENAMED"
		return nil
	})
	if err != nil || got.PriceMinor != 2600 || got.SalePriceMinor != 1900 || got.SKU != "TEE" {
		t.Errorf("UpdateProduct = %+v, %v; want the price changed, sale price and SKU kept",
			got, err)
	}
	if _, err := m.CreateProduct(Product{SKU: "MUG", Name: "Again", Currency: "EUR"}); !errors.Is(
		err, ErrInvalid) {
		t.Errorf("duplicate SKU: error = %v, want ErrInvalid", err)
	}
}

func TestTouchOrderTellsOfAnUpdate(t *testing.T) {
	m, c := seeded(t)
	o, err := m.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}
	var got []Event
	m.Watch(func(ev Event) { got = append(got, ev) })

	c.t = c.t.Add(time.Hour)
	touched, err := m.TouchOrder(o.ID)
	if err != nil || !touched.Modified.Equal(c.t) {
		t.Fatalf("TouchOrder = %+v, %v; want it modified at %s", touched, err, c.t)
	}
	if len(got) != 1 || got[0].Topic != TopicOrderUpdated || got[0].OrderID != o.ID {
		t.Errorf("events %+v, want one order.updated", got)
	}
	if _, err := m.TouchOrder(999); !errors.Is(err, ErrNotFound) {
		t.Errorf("TouchOrder(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestLocationsGetStableIDs(t *testing.T) {
	m, _ := seeded(t)
	if _, err := m.SetStock("MUG", "WH-EAST", 3, nil); err != nil {
		t.Fatal(err)
	}
	west, err := m.AddLocation("WH-WEST")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := m.AddLocation("WH-WEST")
	if _, err := m.SetStock("TEE", "WH-WEST", 1, nil); err != nil {
		t.Fatal(err)
	}

	got := m.Locations()
	if len(got) != 2 || got[0].Name != "WH-EAST" || got[1] != west || again != west {
		t.Errorf("Locations() = %+v, AddLocation twice = %+v, %+v; want WH-EAST, then "+
			"WH-WEST with one id", got, west, again)
	}
	if _, err := m.AddLocation(""); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddLocation(\"\") error = %v, want ErrInvalid", err)
	}
}

func TestStartIDsAtMovesTheSequenceForwardOnly(t *testing.T) {
	m, _ := seeded(t)
	m.StartIDsAt(5000)
	first, err := m.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}
	m.StartIDsAt(10)
	second, err := m.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != 5000 || second.ID <= first.ID {
		t.Errorf("order ids %d, %d; want 5000, then a higher one", first.ID, second.ID)
	}
}
