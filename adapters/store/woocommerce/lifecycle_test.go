package woocommerce

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

func TestLoadOrderMapsStatusCancelReasonAndRefunds(t *testing.T) {
	e := newEnv(t)
	placed := placeOrder(t, e.model, false)
	id := strconv.FormatInt(placed.ID, 10)
	mug := placed.Lines[0]

	first, err := e.model.RefundOrder(placed.ID, storesandbox.Refund{AmountMinor: 1500,
		Reason: "damaged", Lines: []storesandbox.RefundLine{{LineID: mug.ID, Quantity: 1,
			AmountMinor: 1200}}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(time.Minute))
	second, err := e.model.RefundOrder(placed.ID, storesandbox.Refund{AmountMinor: 495,
		Reason: "shipping"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.CancelOrder(t.Context(), id, "payment failed"); err != nil {
		t.Fatalf("CancelOrder() error = %v", err)
	}

	got, err := e.store.LoadOrder(t.Context(), id)
	if err != nil {
		t.Fatalf("LoadOrder(%s) error = %v", id, err)
	}
	if got.Status != store.OrderCancelled || got.CancelReason != "payment failed" {
		t.Errorf("status %q reason %q, want cancelled for payment failed", got.Status,
			got.CancelReason)
	}
	want := []store.Refund{
		{ID: strconv.FormatInt(first.ID, 10), AmountMinor: 1500, Reason: "damaged",
			Created: first.Created, Lines: []store.RefundLine{
				{SKU: "MUG", Quantity: 1, AmountMinor: 1200}}},
		{ID: strconv.FormatInt(second.ID, 10), AmountMinor: 495, Reason: "shipping",
			Created: second.Created},
	}
	if !sameRefunds(got.Refunds, want) {
		t.Errorf("refunds %+v, want %+v", got.Refunds, want)
	}
}

func TestLoadOrderOfAnOpenOrderAndOfAMerchantsCancellation(t *testing.T) {
	e := newEnv(t)
	open := placeOrder(t, e.model, false)
	cancelled := placeOrder(t, e.model, false)
	if _, err := e.model.CancelOrder(cancelled.ID, "customer asked"); err != nil {
		t.Fatal(err)
	}

	got, err := e.store.LoadOrder(t.Context(), strconv.FormatInt(open.ID, 10))
	if err != nil || got.Status != store.OrderOpen || len(got.Refunds) != 0 {
		t.Errorf("open order: status %q refunds %v, %v; want open without refunds",
			got.Status, got.Refunds, err)
	}
	if n := e.count(http.MethodGet, notesPath(e, open.ID)); n != 0 {
		t.Errorf("read the notes of an open order %d times, want none", n)
	}
	got, err = e.store.LoadOrder(t.Context(), strconv.FormatInt(cancelled.ID, 10))
	if err != nil || got.Status != store.OrderCancelled || got.CancelReason != "" {
		t.Errorf("cancelled by the merchant: status %q reason %q, %v; want cancelled "+
			"without erpsync's reason", got.Status, got.CancelReason, err)
	}
}

func TestChangedOrdersCarryWhatTheDriftReportCounts(t *testing.T) {
	e := newEnv(t)
	o := placeOrder(t, e.model, false)
	id := strconv.FormatInt(o.ID, 10)
	if err := e.store.SetERPID(t.Context(), id, "SO-7"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CancelOrder(t.Context(), id, ""); err != nil {
		t.Fatal(err)
	}

	page, err := e.store.ChangedOrders(t.Context(), store.Changes{Since: o.Created})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("ChangedOrders() = %+v, %v; want the order", page, err)
	}
	got := page.Items[0]
	if got.ID != id || !got.PlacedAt.Equal(o.Created) || got.Currency != "EUR" ||
		got.TotalMinor != o.TotalMinor || !got.Cancelled || got.ERPID != "SO-7" {
		t.Errorf("change %+v, want order %s placed %s, EUR %d, cancelled, SO-7", got, id,
			o.Created, o.TotalMinor)
	}
}

func TestShipPartlyThenTheRest(t *testing.T) {
	e := newEnv(t)
	o := placeOrder(t, e.model, false)
	id := strconv.FormatInt(o.ID, 10)

	first := store.Shipment{ID: "SH-1", Carrier: "DHL", TrackingNumber: "JD01",
		TrackingURL: "https://track.example/JD01",
		Lines:       []store.ShipmentLine{{SKU: "MUG", Quantity: 1}}}
	if err := e.store.Ship(t.Context(), id, first); err != nil {
		t.Fatalf("Ship(SH-1) error = %v", err)
	}
	if got := wooStatus(t, e, id); got != "processing" {
		t.Errorf("status after a part shipped %q, want processing", got)
	}

	rest := store.Shipment{ID: "SH-2", Carrier: "UPS", TrackingNumber: "1Z9",
		Lines: []store.ShipmentLine{{SKU: "CAP", Quantity: 1}, {SKU: "MUG", Quantity: 1}}}
	if err := e.store.Ship(t.Context(), id, rest); err != nil {
		t.Fatalf("Ship(SH-2) error = %v", err)
	}
	if got := wooStatus(t, e, id); got != "completed" {
		t.Errorf("status after everything shipped %q, want completed", got)
	}

	stored, _ := e.model.Order(o.ID)
	if len(stored.Fulfillments) != 2 || stored.Fulfillments[0].Ref != "SH-1" ||
		stored.Fulfillments[1].Carrier != "UPS" || stored.Fulfillments[1].TrackingNumber != "1Z9" {
		t.Errorf("fulfillments %+v, want SH-1 and SH-2 by UPS 1Z9", stored.Fulfillments)
	}
	for line, units := range storesandbox.Unfulfilled(stored) {
		if units != 0 {
			t.Errorf("line %d has %d units unshipped, want none", line, units)
		}
	}
	notes := readNotes(t, e, id)
	if len(notes) != 2 || !strings.Contains(notes[1].Note, "DHL") ||
		!strings.Contains(notes[1].Note, "JD01") || !strings.Contains(notes[0].Note, "UPS") {
		t.Errorf("notes %+v, want one per shipment with carrier and tracking", notes)
	}
}

func TestShipTheSameShipmentTwiceRecordsItOnce(t *testing.T) {
	e := newEnv(t)
	o := placeOrder(t, e.model, false)
	id := strconv.FormatInt(o.ID, 10)
	sh := store.Shipment{ID: "SH-1", Carrier: "DHL",
		Lines: []store.ShipmentLine{{SKU: "MUG", Quantity: 2}}}

	for i := range 2 {
		if err := e.store.Ship(t.Context(), id, sh); err != nil {
			t.Fatalf("Ship() #%d error = %v", i+1, err)
		}
	}
	stored, _ := e.model.Order(o.ID)
	if len(stored.Fulfillments) != 1 || len(readNotes(t, e, id)) != 1 {
		t.Errorf("fulfillments %+v, %d notes; want one of each", stored.Fulfillments,
			len(readNotes(t, e, id)))
	}
	if n := e.count(http.MethodPut, "/wp-json/wc/v3/orders/"+id); n != 1 {
		t.Errorf("%d order writes, want one", n)
	}
}

func TestShipAgainAfterALostAnswerRecordsOnce(t *testing.T) {
	e := newEnv(t)
	o := placeOrder(t, e.model, false)
	id := strconv.FormatInt(o.ID, 10)
	once := newStore(t, e.srv.URL, testSecret, &http.Client{Timeout: 10 * time.Second})
	sh := store.Shipment{ID: "SH-9", Carrier: "DHL", TrackingNumber: "JD09",
		Lines: []store.ShipmentLine{{SKU: "CAP", Quantity: 1}}}

	if err := e.faults.Enqueue(erpsandbox.Shot{Op: "orders/update",
		Kind: erpsandbox.KindDropResponse}); err != nil {
		t.Fatal(err)
	}
	if err := once.Ship(t.Context(), id, sh); !errors.Is(err, syncerr.ErrUnavailable) {
		t.Fatalf("Ship() with the answer lost: error = %v, want unavailable", err)
	}
	if n := e.faults.Injected()[erpsandbox.KindDropResponse]; n != 1 {
		t.Fatalf("%d answers dropped, want one", n)
	}
	if err := once.Ship(t.Context(), id, sh); err != nil {
		t.Fatalf("Ship() again error = %v", err)
	}

	stored, _ := e.model.Order(o.ID)
	notes := readNotes(t, e, id)
	if len(stored.Fulfillments) != 1 || len(notes) != 1 ||
		!strings.Contains(notes[0].Note, "JD09") {
		t.Errorf("fulfillments %+v, notes %+v; want one of each", stored.Fulfillments, notes)
	}
}

func TestShipRefusesLinesTheOrderHasNotLeft(t *testing.T) {
	e := newEnv(t)
	o := placeOrder(t, e.model, false)
	id := strconv.FormatInt(o.ID, 10)
	if err := e.store.Ship(t.Context(), id, store.Shipment{ID: "SH-1",
		Lines: []store.ShipmentLine{{SKU: "MUG", Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		lines []store.ShipmentLine
		sku   string
	}{
		{"unknown sku", []store.ShipmentLine{{SKU: "TEE", Quantity: 1}}, "TEE"},
		{"more than left", []store.ShipmentLine{{SKU: "MUG", Quantity: 2}}, "MUG"},
		{"more than left in two lines", []store.ShipmentLine{{SKU: "CAP", Quantity: 1},
			{SKU: "CAP", Quantity: 1}}, "CAP"},
		{"no units", []store.ShipmentLine{{SKU: "CAP", Quantity: 0}}, "CAP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.store.Ship(t.Context(), id, store.Shipment{ID: "SH-X", Lines: tt.lines})
			var invalid *syncerr.InvalidError
			if !errors.As(err, &invalid) || !strings.Contains(err.Error(), `"`+tt.sku+`"`) {
				t.Errorf("Ship() error = %v, want an invalid error naming %s", err, tt.sku)
			}
		})
	}
	stored, _ := e.model.Order(o.ID)
	if len(stored.Fulfillments) != 1 {
		t.Errorf("fulfillments %+v, want only SH-1", stored.Fulfillments)
	}
}

func TestCancelOrderTwiceCancelsOnce(t *testing.T) {
	e := newEnv(t)
	o := placeOrder(t, e.model, false)
	id := strconv.FormatInt(o.ID, 10)

	for i := range 2 {
		if err := e.store.CancelOrder(t.Context(), id, "out of stock"); err != nil {
			t.Fatalf("CancelOrder() #%d error = %v", i+1, err)
		}
	}
	stored, _ := e.model.Order(o.ID)
	notes := readNotes(t, e, id)
	if stored.Status != storesandbox.StatusCancelled || len(stored.Refunds) != 0 {
		t.Errorf("order %s status %q refunds %v, want cancelled without refund", id,
			stored.Status, stored.Refunds)
	}
	if len(notes) != 1 || notes[0].Note != "Cancelled by erpsync: out of stock" {
		t.Errorf("notes %+v, want one with the reason", notes)
	}
	if n := e.count(http.MethodPut, "/wp-json/wc/v3/orders/"+id); n != 1 {
		t.Errorf("%d order writes, want one", n)
	}
	err := e.store.Ship(t.Context(), id, store.Shipment{ID: "SH-1",
		Lines: []store.ShipmentLine{{SKU: "MUG", Quantity: 1}}})
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) {
		t.Errorf("Ship() of a cancelled order error = %v, want invalid", err)
	}
}

func TestCancelOrderAgainAfterALostAnswer(t *testing.T) {
	e := newEnv(t)
	o := placeOrder(t, e.model, false)
	id := strconv.FormatInt(o.ID, 10)
	once := newStore(t, e.srv.URL, testSecret, &http.Client{Timeout: 10 * time.Second})

	if err := e.faults.Enqueue(erpsandbox.Shot{Op: "orders/notes/create",
		Kind: erpsandbox.KindDropResponse}); err != nil {
		t.Fatal(err)
	}
	if err := once.CancelOrder(t.Context(), id, "fraud"); err == nil {
		t.Fatal("CancelOrder() with the answer lost: no error")
	}
	if n := e.faults.Injected()[erpsandbox.KindDropResponse]; n != 1 {
		t.Fatalf("%d answers dropped, want one", n)
	}
	if err := once.CancelOrder(t.Context(), id, "fraud"); err != nil {
		t.Fatalf("CancelOrder() again error = %v", err)
	}
	got, err := e.store.LoadOrder(t.Context(), id)
	if err != nil || got.Status != store.OrderCancelled || got.CancelReason != "fraud" ||
		len(readNotes(t, e, id)) != 1 {
		t.Errorf("LoadOrder() = %q %q, %v, %d notes; want cancelled for fraud, one note",
			got.Status, got.CancelReason, err, len(readNotes(t, e, id)))
	}
}

// wooStatus returns WooCommerce's status of order id.
func wooStatus(t *testing.T, e *env, id string) string {
	t.Helper()
	var o order
	if _, err := e.store.do(t.Context(), call{method: http.MethodGet, path: "orders/" + id},
		&o); err != nil {
		t.Fatal(err)
	}
	return o.Status
}

// readNotes returns the private notes of order id, newest first.
func readNotes(t *testing.T, e *env, id string) []note {
	t.Helper()
	notes, err := e.store.notes(t.Context(), "orders/"+id)
	if err != nil {
		t.Fatal(err)
	}
	return notes
}

// notesPath is the URL path of the notes of order id.
func notesPath(_ *env, id int64) string {
	return "/wp-json/wc/v3/orders/" + strconv.FormatInt(id, 10) + "/notes"
}

// sameRefunds compares refunds, their times as instants.
func sameRefunds(a, b []store.Refund) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ID != y.ID || x.AmountMinor != y.AmountMinor || x.Reason != y.Reason ||
			!x.Created.Equal(y.Created) || len(x.Lines) != len(y.Lines) {
			return false
		}
		for j := range x.Lines {
			if x.Lines[j] != y.Lines[j] {
				return false
			}
		}
	}
	return true
}
