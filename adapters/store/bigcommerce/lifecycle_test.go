package bigcommerce

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// place creates the order of order() in the fixture's model.
func (f *fixture) place(t *testing.T) storesandbox.Order {
	t.Helper()
	o, err := f.model.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func idOfOrder(o storesandbox.Order) string { return strconv.FormatInt(o.ID, 10) }

func TestLoadOrderMapsCancellationAndRefunds(t *testing.T) {
	f := newFixture(t, nil)
	placed := f.place(t)
	f.clock.Advance(time.Minute)
	first, err := f.model.RefundOrder(placed.ID, storesandbox.Refund{AmountMinor: 1150,
		Reason: "damaged", Lines: []storesandbox.RefundLine{{LineID: placed.Lines[0].ID,
			Quantity: 1, AmountMinor: 1150}}})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	second, err := f.model.RefundOrder(placed.ID, storesandbox.Refund{AmountMinor: 495,
		Reason: "late"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.model.CancelOrder(placed.ID, "customer asked"); err != nil {
		t.Fatal(err)
	}

	got, err := f.store.LoadOrder(t.Context(), idOfOrder(placed))
	if err != nil {
		t.Fatalf("LoadOrder() error = %v", err)
	}
	if got.Status != store.OrderCancelled || got.CancelReason != "customer asked" {
		t.Errorf("status = %q, %q; want cancelled, customer asked", got.Status,
			got.CancelReason)
	}
	want := []store.Refund{
		{ID: strconv.FormatInt(first.ID, 10), AmountMinor: 1150, Reason: "damaged",
			Created: first.Created, Lines: []store.RefundLine{{SKU: "MUG", Quantity: 1,
				AmountMinor: 1150}}},
		{ID: strconv.FormatInt(second.ID, 10), AmountMinor: 495, Reason: "late",
			Created: second.Created},
	}
	if len(got.Refunds) != len(want) {
		t.Fatalf("refunds = %+v, want %+v", got.Refunds, want)
	}
	for i := range want {
		g, w := got.Refunds[i], want[i]
		if g.ID != w.ID || g.AmountMinor != w.AmountMinor || g.Reason != w.Reason ||
			!g.Created.Equal(w.Created) || len(g.Lines) != len(w.Lines) ||
			(len(w.Lines) > 0 && g.Lines[0] != w.Lines[0]) {
			t.Errorf("refund %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestLoadOrderOfAnOpenOrderIsOpenWithoutRefunds(t *testing.T) {
	f := newFixture(t, nil)
	placed := f.place(t)

	got, err := f.store.LoadOrder(t.Context(), idOfOrder(placed))
	if err != nil {
		t.Fatalf("LoadOrder() error = %v", err)
	}
	if got.Status != store.OrderOpen || got.CancelReason != "" || len(got.Refunds) != 0 {
		t.Errorf("LoadOrder() = status %q reason %q refunds %v, want open", got.Status,
			got.CancelReason, got.Refunds)
	}
}

func TestMapRefundPricesUnitsWithoutARequestedAmount(t *testing.T) {
	mug := store.Line{SKU: "MUG", Quantity: 3, UnitPriceMinor: 1250}
	twelve := decimal("12.5")
	tests := []struct {
		name    string
		item    v3RefundItem
		want    []store.RefundLine
		wantErr bool
	}{
		{"by quantity", v3RefundItem{ItemType: "PRODUCT", ItemID: 7, Quantity: 2},
			[]store.RefundLine{{SKU: "MUG", Quantity: 2, AmountMinor: 2500}}, false},
		{"requested amount", v3RefundItem{ItemType: "PRODUCT", ItemID: 7, Quantity: 1,
			RequestedAmount: &twelve},
			[]store.RefundLine{{SKU: "MUG", Quantity: 1, AmountMinor: 1250}}, false},
		{"shipping", v3RefundItem{ItemType: "SHIPPING", ItemID: 9, RequestedAmount: &twelve},
			nil, false},
		{"unknown product", v3RefundItem{ItemType: "PRODUCT", ItemID: 8, Quantity: 1},
			nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := v3Refund{ID: 3, Created: "2026-05-01T09:00:00+00:00", TotalAmount: "25",
				Items: []v3RefundItem{tt.item}}
			got, err := mapRefund(r, "refunds[0]", "EUR", map[int64]store.Line{7: mug})
			if (err != nil) != tt.wantErr {
				t.Fatalf("mapRefund() error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got.AmountMinor != 2500 || len(got.Lines) != len(tt.want) ||
				(len(tt.want) > 0 && got.Lines[0] != tt.want[0]) {
				t.Errorf("mapRefund() = %+v, want 2500 with lines %+v", got, tt.want)
			}
		})
	}
}

func TestChangedOrdersTellsTotalsAndCancellations(t *testing.T) {
	f := newFixture(t, nil)
	open := f.place(t)
	f.clock.Advance(time.Second)
	cancelled := f.place(t)
	if _, err := f.model.CancelOrder(cancelled.ID, "fraud"); err != nil {
		t.Fatal(err)
	}

	page, err := f.store.ChangedOrders(t.Context(), store.Changes{})
	if err != nil {
		t.Fatalf("ChangedOrders() error = %v", err)
	}
	if len(page.Items) != 2 {
		t.Fatalf("ChangedOrders() = %+v, want two orders", page.Items)
	}
	for i, o := range []storesandbox.Order{open, cancelled} {
		got := page.Items[i]
		if got.ID != idOfOrder(o) || !got.PlacedAt.Equal(o.Created) || got.Currency != "EUR" ||
			got.TotalMinor != o.TotalMinor || got.Cancelled != (o.ID == cancelled.ID) ||
			got.ERPID != "" {
			t.Errorf("item %d = %+v, want order %d placed %s total %d", i, got, o.ID,
				o.Created, o.TotalMinor)
		}
	}
}

// shipment returns a shipment of id with lines of sku and quantity pairs.
func shipment(id string, lines ...any) store.Shipment {
	s := store.Shipment{ID: id, Carrier: "DHL", TrackingNumber: "TRK-" + id,
		TrackingURL: "https://track.example.test/" + id}
	for i := 0; i+1 < len(lines); i += 2 {
		s.Lines = append(s.Lines, store.ShipmentLine{SKU: lines[i].(string),
			Quantity: int64(lines[i+1].(int))})
	}
	return s
}

func TestShipPartlyThenTheRest(t *testing.T) {
	f := newFixture(t, nil)
	placed := f.place(t)
	id := idOfOrder(placed)
	posts := func() int {
		return f.requests(http.MethodPost, "/stores/"+testHash+"/v2/orders/"+id+"/shipments")
	}

	if err := f.store.Ship(t.Context(), id, shipment("SH-1", "MUG", 1)); err != nil {
		t.Fatalf("Ship(SH-1) error = %v", err)
	}
	o, _ := f.model.Order(placed.ID)
	if len(o.Fulfillments) != 1 || o.Fulfillments[0].Lines[0].Quantity != 1 ||
		o.Fulfillments[0].Carrier != "DHL" || o.Fulfillments[0].TrackingNumber != "TRK-SH-1" ||
		o.Fulfillments[0].TrackingURL != "https://track.example.test/SH-1" {
		t.Fatalf("fulfillments after SH-1 = %+v, want one of 1 MUG by DHL", o.Fulfillments)
	}
	if st := f.orderStatus(t, id); st != 3 {
		t.Errorf("status after a partial shipment = %d, want 3 (Partially Shipped)", st)
	}

	if err := f.store.Ship(t.Context(), id, shipment("SH-2", "MUG", 1, "TEE", 1)); err != nil {
		t.Fatalf("Ship(SH-2) error = %v", err)
	}
	if err := f.store.Ship(t.Context(), id, shipment("SH-2", "MUG", 1, "TEE", 1)); err != nil {
		t.Fatalf("Ship(SH-2) again error = %v", err)
	}
	o, _ = f.model.Order(placed.ID)
	if len(o.Fulfillments) != 2 || posts() != 2 {
		t.Errorf("%d fulfillments after %d posts, want 2 and 2: the repeat writes nothing",
			len(o.Fulfillments), posts())
	}
	if st := f.orderStatus(t, id); st != 2 {
		t.Errorf("status after shipping the rest = %d, want 2 (Shipped)", st)
	}
}

// orderStatus reads the V2 status of order id through the adapter.
func (f *fixture) orderStatus(t *testing.T, id string) int {
	t.Helper()
	var head v2Order
	if _, err := f.store.do(t.Context(), call{method: http.MethodGet, path: "/v2/orders/" + id},
		&head); err != nil {
		t.Fatal(err)
	}
	return head.StatusID
}

func TestShipRefusesWhatIsNotLeftToShip(t *testing.T) {
	tests := []struct {
		name  string
		ship  store.Shipment
		field string
		sku   string
	}{
		{"unknown sku", shipment("SH-9", "NOPE", 1), "lines[0].sku", "NOPE"},
		{"too many units", shipment("SH-9", "MUG", 1, "MUG", 2), "lines[1].quantity", "MUG"},
		{"no units", shipment("SH-9", "TEE", 0), "lines[0].quantity", "TEE"},
		{"no lines", store.Shipment{ID: "SH-9"}, "lines", ""},
		{"no id", shipment("", "MUG", 1), "id", ""},
	}
	f := newFixture(t, nil)
	id := idOfOrder(f.place(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.store.Ship(t.Context(), id, tt.ship)
			var invalid *syncerr.InvalidError
			if !errors.As(err, &invalid) || invalid.Field != tt.field ||
				!strings.Contains(err.Error(), tt.sku) {
				t.Errorf("Ship() error = %v, want an InvalidError of %s naming %q", err,
					tt.field, tt.sku)
			}
		})
	}
	if o, _ := f.model.Order(mustID(t, id)); len(o.Fulfillments) != 0 {
		t.Errorf("fulfillments = %+v, want none", o.Fulfillments)
	}
}

func mustID(t *testing.T, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestShipAgainAfterALostAnswerMakesOneShipment(t *testing.T) {
	f := newFixture(t, nil)
	placed := f.place(t)
	err := f.faults.Enqueue(erpsandbox.Shot{Op: "shipments/create",
		Kind: erpsandbox.KindDropResponse, Count: 1})
	if err != nil {
		t.Fatal(err)
	}

	sh := shipment("SH-LOST", "MUG", 2, "TEE", 1)
	if err := f.store.Ship(t.Context(), idOfOrder(placed), sh); err == nil {
		t.Fatal("Ship() with its answer lost succeeded, want an error")
	}
	if err := f.store.Ship(t.Context(), idOfOrder(placed), sh); err != nil {
		t.Fatalf("Ship() again error = %v", err)
	}
	o, _ := f.model.Order(placed.ID)
	if len(o.Fulfillments) != 1 {
		t.Errorf("%d fulfillments, want the one the lost answer made", len(o.Fulfillments))
	}
}

func TestCancelOrderTwiceCancelsOnce(t *testing.T) {
	f := newFixture(t, nil)
	placed := f.place(t)
	id := idOfOrder(placed)
	for range 2 {
		if err := f.store.CancelOrder(t.Context(), id, "cancelled in the ERP"); err != nil {
			t.Fatalf("CancelOrder() error = %v", err)
		}
	}

	o, _ := f.model.Order(placed.ID)
	if o.Status != storesandbox.StatusCancelled || o.CancelReason != "cancelled in the ERP" ||
		len(o.Refunds) != 0 {
		t.Errorf("order = %s %q refunds %v, want cancelled with the reason, no refund",
			o.Status, o.CancelReason, o.Refunds)
	}
	if n := f.requests(http.MethodPut, "/stores/"+testHash+"/v2/orders/"+id); n != 1 {
		t.Errorf("%d PUTs of the order, want 1", n)
	}
	got, err := f.store.LoadOrder(t.Context(), id)
	if err != nil || got.Status != store.OrderCancelled ||
		got.CancelReason != "cancelled in the ERP" {
		t.Errorf("LoadOrder() = %q %q, %v; want cancelled with the reason", got.Status,
			got.CancelReason, err)
	}
	if err := f.store.CancelOrder(t.Context(), "999999", "x"); !errors.Is(err,
		syncerr.ErrNotFound) {
		t.Errorf("CancelOrder(unknown) error = %v, want ErrNotFound", err)
	}
}
