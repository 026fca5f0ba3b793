package postgres

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// placeOrder creates the sample order and returns its id.
func placeOrder(t *testing.T, s *Store, number string) string {
	t.Helper()
	id, err := s.CreateOrder(t.Context(), sampleOrder(number, "ada@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func fulfillments(t *testing.T, s *Store, id string) []store.Shipment {
	t.Helper()
	got, err := s.Fulfillments(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestShipPartlyThenTheRest(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	id := placeOrder(t, s, "#8001")
	shippedAt := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	first := store.Shipment{ID: "SHP-1", Carrier: "DHL", TrackingNumber: "JD0001",
		TrackingURL: "https://track.example/JD0001", ShippedAt: shippedAt,
		Lines: []store.ShipmentLine{{SKU: "WIDGET-1", Quantity: 2}}}
	if err := s.Ship(ctx, id, first); err != nil {
		t.Fatal(err)
	}

	over := store.Shipment{ID: "SHP-2", Lines: []store.ShipmentLine{
		{SKU: "GADGET-9", Quantity: 1}, {SKU: "WIDGET-1", Quantity: 2}}}
	checkInvalid(t, s.Ship(ctx, id, over), "lines[1].quantity")

	rest := store.Shipment{ID: "SHP-2", Carrier: "UPS", Lines: []store.ShipmentLine{
		{SKU: "WIDGET-1", Quantity: 1}, {SKU: "GADGET-9", Quantity: 1},
		{SKU: "FREE-GIFT", Quantity: 2}}}
	if err := s.Ship(ctx, id, rest); err != nil {
		t.Fatal(err)
	}

	got := fulfillments(t, s, id)
	if len(got) != 2 || got[1].ShippedAt.IsZero() {
		t.Fatalf("Fulfillments = %+v, want two shipments", got)
	}
	rest.ShippedAt = got[1].ShippedAt
	if want := []store.Shipment{first, rest}; !reflect.DeepEqual(got, want) {
		t.Errorf("Fulfillments =\n%+v\nwant\n%+v", got, want)
	}
	more := store.Shipment{ID: "SHP-3", Lines: []store.ShipmentLine{{SKU: "WIDGET-1",
		Quantity: 1}}}
	checkInvalid(t, s.Ship(ctx, id, more), "lines[0].quantity")
}

func TestShipSameIDOnce(t *testing.T) {
	s, pool := newStore(t)
	id := placeOrder(t, s, "#8101")
	sh := store.Shipment{ID: "SHP-9", Lines: []store.ShipmentLine{{SKU: "WIDGET-1",
		Quantity: 3}}}

	// Retries after lost answers, some of them at once.
	errs := make([]error, 5)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = s.Ship(t.Context(), id, sh) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Ship, call %d = %v, want nil", i, err)
		}
	}
	if err := s.Ship(t.Context(), id, sh); err != nil {
		t.Errorf("Ship once more = %v, want nil", err)
	}

	if n := count(t, pool, "storefront.fulfillments"); n != 1 {
		t.Errorf("fulfillments after six calls with one id = %d, want 1", n)
	}
	if n := count(t, pool, "storefront.fulfillment_lines WHERE quantity = 3"); n != 1 {
		t.Errorf("fulfillment lines of 3 units = %d, want 1", n)
	}
}

func TestShipSpreadsOverLinesOfOneSKU(t *testing.T) {
	s, _ := newStore(t)
	o := sampleOrder("#8201", "ada@example.com")
	o.Lines = []store.Line{
		{SKU: "MUG", Quantity: 2, UnitPriceMinor: 100},
		{SKU: "TEE", Quantity: 1, UnitPriceMinor: 100},
		{SKU: "MUG", Quantity: 3, UnitPriceMinor: 90},
	}
	id, err := s.CreateOrder(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}

	err = s.Ship(t.Context(), id, store.Shipment{ID: "A", Lines: []store.ShipmentLine{
		{SKU: "MUG", Quantity: 1}, {SKU: "MUG", Quantity: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	got := fulfillments(t, s, id)
	want := []store.ShipmentLine{{SKU: "MUG", Quantity: 2}, {SKU: "MUG", Quantity: 2}}
	if len(got) != 1 || !reflect.DeepEqual(got[0].Lines, want) {
		t.Errorf("Fulfillments = %+v, want one shipment of lines %+v", got, want)
	}
	err = s.Ship(t.Context(), id, store.Shipment{ID: "B", Lines: []store.ShipmentLine{
		{SKU: "MUG", Quantity: 2}}})
	checkInvalid(t, err, "lines[0].quantity")
}

func TestShipRefusals(t *testing.T) {
	s, pool := newStore(t)
	id := placeOrder(t, s, "#8301")
	cancelled := placeOrder(t, s, "#8302")
	if err := s.CancelOrder(t.Context(), cancelled, "out of stock"); err != nil {
		t.Fatal(err)
	}
	line := func(sku string, n int64) []store.ShipmentLine {
		return []store.ShipmentLine{{SKU: "WIDGET-1", Quantity: 1}, {SKU: sku, Quantity: n}}
	}

	tests := []struct {
		name  string
		order string
		sh    store.Shipment
		field string
	}{
		{"unknown sku", id, store.Shipment{ID: "S", Lines: line("NOPE", 1)}, "lines[1].sku"},
		{"too many", id, store.Shipment{ID: "S", Lines: line("GADGET-9", 2)},
			"lines[1].quantity"},
		{"zero units", id, store.Shipment{ID: "S", Lines: line("GADGET-9", 0)},
			"lines[1].quantity"},
		{"no id", id, store.Shipment{Lines: line("GADGET-9", 1)}, "id"},
		{"no lines", id, store.Shipment{ID: "S"}, "lines"},
		{"cancelled", cancelled, store.Shipment{ID: "S", Lines: line("GADGET-9", 1)},
			"status"},
		{"bad order id", "x", store.Shipment{ID: "S", Lines: line("GADGET-9", 1)}, "order_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkInvalid(t, s.Ship(t.Context(), tt.order, tt.sh), tt.field)
		})
	}

	err := s.Ship(t.Context(), "777777", store.Shipment{ID: "S", Lines: line("GADGET-9", 1)})
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("Ship of an unknown order = %v, want ErrNotFound", err)
	}
	if n := count(t, pool, "storefront.fulfillments"); n != 0 {
		t.Errorf("fulfillments after refused shipments = %d, want 0", n)
	}
}

func TestCancelOrderTwice(t *testing.T) {
	s, pool := newStore(t)
	ctx := t.Context()
	id := placeOrder(t, s, "#8401")
	stamp := timestamps(t, pool, id)[0]

	if err := s.CancelOrder(ctx, id, "customer changed their mind"); err != nil {
		t.Fatal(err)
	}
	o := loadOrder(t, s, id)
	if o.Status != store.OrderCancelled || o.CancelReason != "customer changed their mind" ||
		!o.UpdatedAt.After(stamp) {
		t.Errorf("order after CancelOrder: status %q, reason %q, updated %v (was %v)",
			o.Status, o.CancelReason, o.UpdatedAt, stamp)
	}

	if err := s.CancelOrder(ctx, id, "another reason"); err != nil {
		t.Errorf("CancelOrder again = %v, want nil", err)
	}
	again := loadOrder(t, s, id)
	if again.CancelReason != o.CancelReason || !again.UpdatedAt.Equal(o.UpdatedAt) {
		t.Errorf("second CancelOrder changed the order: reason %q, updated %v",
			again.CancelReason, again.UpdatedAt)
	}
	if len(again.Refunds) != 0 {
		t.Errorf("CancelOrder refunded %+v, want nothing", again.Refunds)
	}
	if err := s.CancelOrder(ctx, "888888", "x"); !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("CancelOrder of an unknown order = %v, want ErrNotFound", err)
	}
}

func TestRefundsLoaded(t *testing.T) {
	s, pool := newStore(t)
	ctx := t.Context()
	o := sampleOrder("#8501", "ada@example.com")
	o.Lines[1].UnitPriceMinor, o.TotalMinor = 5000, 3*1999+5000+495-500+1200
	id, err := s.CreateOrder(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	stamp := timestamps(t, pool, id)[0]

	damaged := store.Refund{AmountMinor: 2*1999 + 495, Reason: "damaged",
		Created: time.Date(2026, 3, 16, 8, 0, 0, 0, time.UTC),
		Lines:   []store.RefundLine{{SKU: "WIDGET-1", Quantity: 2, AmountMinor: 2 * 1999}}}
	goodwill := store.Refund{AmountMinor: 300, Reason: "goodwill"}
	for _, r := range []store.Refund{damaged, goodwill} {
		if _, err := s.RefundOrder(ctx, id, r); err != nil {
			t.Fatal(err)
		}
	}

	got := loadOrder(t, s, id)
	if len(got.Refunds) != 2 || got.Refunds[0].ID == "" || got.Refunds[1].Created.IsZero() {
		t.Fatalf("Refunds = %+v, want two with ids and times", got.Refunds)
	}
	damaged.ID = got.Refunds[0].ID
	goodwill.ID, goodwill.Created = got.Refunds[1].ID, got.Refunds[1].Created
	if want := []store.Refund{damaged, goodwill}; !reflect.DeepEqual(got.Refunds, want) {
		t.Errorf("Refunds =\n%+v\nwant\n%+v", got.Refunds, want)
	}
	if !got.UpdatedAt.After(stamp) {
		t.Errorf("order updated_at %v after refunds, want later than %v", got.UpdatedAt, stamp)
	}

	left := o.TotalMinor - damaged.AmountMinor - goodwill.AmountMinor
	_, err = s.RefundOrder(ctx, id, store.Refund{AmountMinor: left + 1})
	checkInvalid(t, err, "amount_minor")
	_, err = s.RefundOrder(ctx, id, store.Refund{AmountMinor: 1, Lines: []store.RefundLine{
		{SKU: "WIDGET-1", Quantity: 2}}})
	checkInvalid(t, err, "lines[0].quantity")
	_, err = s.RefundOrder(ctx, id, store.Refund{AmountMinor: 1, Lines: []store.RefundLine{
		{SKU: "NOPE", Quantity: 1}}})
	checkInvalid(t, err, "lines[0].sku")
	if n := count(t, pool, "storefront.refunds"); n != 2 {
		t.Errorf("refunds after refused ones = %d, want 2", n)
	}
}

func TestChangedOrdersFields(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	synced, cancelled := placeOrder(t, s, "#8601"), placeOrder(t, s, "#8602")
	if err := s.SetERPID(ctx, synced, "SO-77"); err != nil {
		t.Fatal(err)
	}
	if err := s.CancelOrder(ctx, cancelled, "fraud"); err != nil {
		t.Fatal(err)
	}

	page, err := s.ChangedOrders(ctx, store.Changes{Since: time.Unix(0, 0)})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("ChangedOrders = %+v, %v; want two orders", page, err)
	}
	o := sampleOrder("", "")
	want := []store.OrderChange{
		{ID: synced, Number: "#8601", PlacedAt: o.PlacedAt, Currency: "EUR",
			TotalMinor: o.TotalMinor, ERPID: "SO-77"},
		{ID: cancelled, Number: "#8602", PlacedAt: o.PlacedAt, Currency: "EUR",
			TotalMinor: o.TotalMinor, Cancelled: true},
	}
	for i := range want {
		want[i].Modified = page.Items[i].Modified
	}
	if !reflect.DeepEqual(page.Items, want) {
		t.Errorf("ChangedOrders =\n%+v\nwant\n%+v", page.Items, want)
	}
}

func TestEditOrderLines(t *testing.T) {
	s, pool := newStore(t)
	ctx := t.Context()
	o := sampleOrder("#8701", "ada@example.com")
	o.Lines = []store.Line{{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPriceMinor: 1000},
		{SKU: "TEE", Name: "Tee", Quantity: 1, UnitPriceMinor: 2000}}
	o.ShippingMinor, o.DiscountMinor, o.TaxMinor = 500, 300, 400
	o.TotalMinor = 4000 + 500 - 300 + 400
	id, err := s.CreateOrder(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Ship(ctx, id, store.Shipment{ID: "S1", Lines: []store.ShipmentLine{{SKU: "MUG",
		Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	stamp := timestamps(t, pool, id)[0]

	dropShipped := []store.Line{{SKU: "TEE", Quantity: 1, UnitPriceMinor: 2000}}
	checkInvalid(t, s.EditOrderLines(ctx, id, dropShipped), "lines[0]")

	edited := []store.Line{{SKU: "MUG", Name: "Mug", Quantity: 1, UnitPriceMinor: 1000},
		{SKU: "CAP", Name: "Cap", Quantity: 3, UnitPriceMinor: 700}}
	if err := s.EditOrderLines(ctx, id, edited); err != nil {
		t.Fatal(err)
	}
	got := loadOrder(t, s, id)
	if !reflect.DeepEqual(got.Lines, edited) || got.TotalMinor != 3100+500-300+400 ||
		!got.UpdatedAt.After(stamp) {
		t.Errorf("edited order: lines %+v, total %d, updated %v; want %+v, %d, after %v",
			got.Lines, got.TotalMinor, got.UpdatedAt, edited, 3100+500-300+400, stamp)
	}

	if err := s.CancelOrder(ctx, id, "x"); err != nil {
		t.Fatal(err)
	}
	checkInvalid(t, s.EditOrderLines(ctx, id, edited), "status")
	checkInvalid(t, s.EditOrderLines(ctx, id, nil), "lines")
}

func TestReadStock(t *testing.T) {
	s := catalog(t)
	err := s.SeedStock(t.Context(), []StockLevel{{"TEE", "WH-WEST", 0}, {"TEE", "WH-EAST", 6}})
	if err != nil {
		t.Fatal(err)
	}

	got, err := s.ReadStock(t.Context(), []string{"TEE", "NOPE", "MUG"})
	want := []store.StockLevel{
		{SKU: "MUG", Location: "WH-EAST", Available: 4},
		{SKU: "TEE", Location: "WH-EAST", Available: 6},
		{SKU: "TEE", Location: "WH-WEST", Available: 0},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ReadStock = %+v, %v; want %+v", got, err, want)
	}
	if none, err := s.ReadStock(t.Context(), []string{"NOPE"}); err != nil || len(none) != 0 {
		t.Errorf("ReadStock of an unknown SKU = %+v, %v; want nothing", none, err)
	}
}

func TestSetPricesSparesScheduledPromotions(t *testing.T) {
	s := catalog(t)
	ctx := t.Context()
	err := s.UpsertProducts(ctx, []Product{
		{SKU: "LATER", Name: "Later", PriceMinor: 1000, Currency: "EUR"},
		{SKU: "OVER", Name: "Over", PriceMinor: 1000, Currency: "EUR"},
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	if err := s.SetSalePrice(ctx, "LATER", 800, at(24*time.Hour), at(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSalePrice(ctx, "OVER", 800, at(-48*time.Hour), at(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	report, err := s.SetPrices(ctx, []store.Price{
		{SKU: "LATER", PriceMinor: 1100, Currency: "EUR"},
		{SKU: "OVER", PriceMinor: 1100, Currency: "EUR"},
		{SKU: "TEE", PriceMinor: 2600, Currency: "EUR"},
	})
	if err != nil || report.Updated != 1 || !reflect.DeepEqual(report.Promoted,
		[]string{"LATER", "TEE"}) {
		t.Errorf("SetPrices = %+v, %v; want OVER updated, LATER and TEE promoted", report, err)
	}
	if n := count(t, s.pool, "storefront.products WHERE price_minor = 1100"); n != 1 {
		t.Errorf("products repriced to 1100 = %d, want 1 (OVER)", n)
	}

	err = s.SetSalePrice(ctx, "LATER", 800, at(time.Hour), at(-time.Hour))
	checkInvalid(t, err, "sale_ends_at")
	if err := s.SetSalePrice(ctx, "NOPE", 800, nil, nil); !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("SetSalePrice of an unknown SKU = %v, want ErrNotFound", err)
	}
	if err := s.SetSalePrice(ctx, "LATER", 0, nil, nil); err != nil {
		t.Fatal(err)
	}
	report, err = s.SetPrices(ctx, []store.Price{{SKU: "LATER", PriceMinor: 1200,
		Currency: "EUR"}})
	if err != nil || report.Updated != 1 {
		t.Errorf("SetPrices after the sale ended = %+v, %v; want LATER updated", report, err)
	}
}

func TestRefundOrderConcurrentlyStaysWithinTotal(t *testing.T) {
	s, pool := newStore(t)
	o := sampleOrder("#8801", "ada@example.com")
	o.Lines = []store.Line{{SKU: "MUG", Quantity: 1, UnitPriceMinor: 900}}
	o.ShippingMinor, o.DiscountMinor, o.TaxMinor, o.TotalMinor = 0, 0, 0, 900
	id, err := s.CreateOrder(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}

	errs := make([]error, 5)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = s.RefundOrder(t.Context(), id, store.Refund{AmountMinor: 300})
		})
	}
	wg.Wait()

	accepted := 0
	for _, err := range errs {
		var invalid *syncerr.InvalidError
		switch {
		case err == nil:
			accepted++
		case !errors.As(err, &invalid) || invalid.Field != "amount_minor":
			t.Errorf("RefundOrder = %v, want nil or an InvalidError for amount_minor", err)
		}
	}
	if n := count(t, pool, "storefront.refunds"); accepted != 3 || n != 3 {
		t.Errorf("refunds of 300 on a total of 900: %d accepted, %d stored; want 3", accepted,
			n)
	}
}
