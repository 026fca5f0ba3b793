package erpsandbox

import (
	"errors"
	"testing"
	"time"
)

// pageAll lists every customer changed since since, limit at a time, the way
// a client pages with keyset cursors.
func pageAll(m *Model, since time.Time, limit int) []int64 {
	var ids []int64
	var after Key
	for {
		page := m.ChangedCustomers(since, after, limit)
		for _, c := range page {
			ids = append(ids, c.ID)
		}
		if len(page) < limit {
			return ids
		}
		last := page[len(page)-1]
		after = Key{last.Modified, last.ID}
	}
}

func TestChangedListsInKeyOrderFromTheWatermark(t *testing.T) {
	m, clock := newTestModel()
	var ids []int64
	for i := range 5 {
		c, err := m.CreateCustomer(Customer{Name: "C", Email: "c@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		if i%2 == 1 {
			clock.advance(time.Second) // two customers share each second
		}
	}
	watermark := clock.now()
	clock.advance(time.Second)
	if _, err := m.UpdateCustomer(ids[0], func(c *Customer) error {
		c.Phone = "+351 21 000 0000"
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	got := pageAll(m, time.Time{}, 2)
	want := []int64{ids[1], ids[2], ids[3], ids[4], ids[0]}
	if len(got) != len(want) {
		t.Fatalf("all pages: %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("all pages: %v, want %v", got, want)
		}
	}

	if got := pageAll(m, watermark, 2); len(got) != 2 || got[0] != ids[4] || got[1] != ids[0] {
		t.Errorf("since the watermark: %v, want [%d %d]", got, ids[4], ids[0])
	}
}

func TestShipAndCancelAreListedAsChanges(t *testing.T) {
	m, clock := newTestModel()
	cust, widget, _ := seed(t, m)
	shipped, _ := m.CreateSalesOrder(SalesOrder{CustomerID: cust, Currency: "USD",
		ExternalRef: "demo:1", Lines: []OrderLine{{ProductID: widget, Quantity: 2}}})
	cancelled, _ := m.CreateSalesOrder(SalesOrder{CustomerID: cust, Currency: "USD",
		ExternalRef: "demo:2", Lines: []OrderLine{{ProductID: widget, Quantity: 1}}})

	if _, err := m.ShipSalesOrder(Shipment{OrderID: shipped.ID}); !errors.Is(err, ErrState) {
		t.Fatalf("shipping a draft order: %v, want ErrState", err)
	}
	if _, err := m.ConfirmSalesOrder(shipped.ID); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Minute)
	s, err := m.ShipSalesOrder(Shipment{OrderID: shipped.ID, Carrier: "DHL",
		TrackingNumber: "JD0001"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Lines) != 1 || s.Lines[0].Quantity != 2 || s.Number == "" {
		t.Errorf("shipment %+v, want the whole order with a number", s)
	}
	_, err = m.ShipSalesOrder(Shipment{OrderID: shipped.ID,
		Lines: []ShipmentLine{{ProductID: widget + 100, Quantity: 1}}})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("shipping a product not on the order: %v, want ErrInvalid", err)
	}
	if _, err := m.CancelSalesOrder(cancelled.ID, "out of stock"); err != nil {
		t.Fatal(err)
	}

	if got := m.ChangedShipments(clock.now(), Key{}, 0); len(got) != 1 || got[0].ID != s.ID {
		t.Errorf("changed shipments: %+v, want the one shipment", got)
	}
	got := m.ChangedSalesOrders(time.Time{}, Key{}, 0, true)
	if len(got) != 1 || got[0].ID != cancelled.ID || got[0].CancelReason != "out of stock" {
		t.Errorf("cancelled orders: %+v, want order %d with its reason", got, cancelled.ID)
	}
}

func TestSafetyStock(t *testing.T) {
	m, _ := newTestModel()
	if _, err := m.SetSafetyStock("W-1", "WH", 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("safety stock without a level: %v, want ErrNotFound", err)
	}
	if _, err := m.SetStock("W-1", "WH", 10, 3); err != nil {
		t.Fatal(err)
	}
	s, err := m.SetSafetyStock("W-1", "WH", 2)
	if err != nil || s.SafetyStock != 2 || s.OnHand != 10 || s.Reserved != 3 {
		t.Errorf("SetSafetyStock = %+v, %v", s, err)
	}
	if _, err := m.SetSafetyStock("W-1", "WH", -1); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative safety stock: %v, want ErrInvalid", err)
	}
}
