package shopify_test

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// events counts the model's events by topic from now on.
type events struct {
	mu     sync.Mutex
	topics map[string]int
}

func (s *shop) events() *events {
	e := &events{topics: map[string]int{}}
	s.model.Watch(func(ev storesandbox.Event) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.topics[ev.Topic]++
	})
	return e
}

func (e *events) count(topic string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.topics[topic]
}

func isInvalidNaming(err error, text string) bool {
	var invalid *syncerr.InvalidError
	return errors.As(err, &invalid) && strings.Contains(err.Error(), text)
}

func TestLoadOrderMapsCancellationAndRefunds(t *testing.T) {
	s := newShop(t)
	o := s.order(t)
	s.clock.Advance(time.Minute)
	r1, err := s.model.RefundOrder(o.ID, storesandbox.Refund{AmountMinor: 1645,
		Reason: "damaged", Lines: []storesandbox.RefundLine{
			{LineID: o.Lines[0].ID, Quantity: 1, AmountMinor: 1150}}})
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Minute)
	r2, err := s.model.RefundOrder(o.ID, storesandbox.Refund{AmountMinor: 495})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.model.CancelOrder(o.ID, "customer"); err != nil {
		t.Fatal(err)
	}

	got, err := s.store.LoadOrder(t.Context(), id(o))
	if err != nil {
		t.Fatalf("LoadOrder() error = %v", err)
	}
	if got.Status != store.OrderCancelled || got.CancelReason != "customer" {
		t.Errorf("status %q, reason %q; want cancelled for customer", got.Status,
			got.CancelReason)
	}
	want := []store.Refund{
		{ID: strconv.FormatInt(r1.ID, 10), AmountMinor: 1645, Reason: "damaged",
			Created: r1.Created, Lines: []store.RefundLine{
				{SKU: "MUG", Quantity: 1, AmountMinor: 1150}}},
		{ID: strconv.FormatInt(r2.ID, 10), AmountMinor: 495, Created: r2.Created},
	}
	if len(got.Refunds) != 2 || !sameRefund(got.Refunds[0], want[0]) ||
		!sameRefund(got.Refunds[1], want[1]) {
		t.Errorf("refunds %+v, want %+v", got.Refunds, want)
	}
}

func sameRefund(a, b store.Refund) bool {
	if !a.Created.Equal(b.Created) || len(a.Lines) != len(b.Lines) {
		return false
	}
	for i := range a.Lines {
		if a.Lines[i] != b.Lines[i] {
			return false
		}
	}
	return a.ID == b.ID && a.AmountMinor == b.AmountMinor && a.Reason == b.Reason
}

func TestLoadOrderReadsEveryLineOfALongRefund(t *testing.T) {
	s := newShop(t)
	o := s.bulkOrder(t, 30)
	var lines []storesandbox.RefundLine
	for _, l := range o.Lines {
		lines = append(lines, storesandbox.RefundLine{LineID: l.ID, Quantity: 1,
			AmountMinor: 100})
	}
	if _, err := s.model.RefundOrder(o.ID, storesandbox.Refund{AmountMinor: 3000,
		Lines: lines}); err != nil {
		t.Fatal(err)
	}

	got, err := s.store.LoadOrder(t.Context(), id(o))
	if err != nil || got.Status != store.OrderOpen || len(got.Refunds) != 1 ||
		len(got.Refunds[0].Lines) != 30 || got.Refunds[0].Lines[29].SKU != "SKU-29" {
		t.Errorf("LoadOrder() = %+v, %v; want one refund of 30 lines", got.Refunds, err)
	}
}

func TestChangedOrdersCarryTotalsCancellationAndERPID(t *testing.T) {
	s := newShop(t)
	a, b := s.order(t), s.order(t)
	if err := s.store.SetERPID(t.Context(), id(a), "SO-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.model.CancelOrder(b.ID, "fraud"); err != nil {
		t.Fatal(err)
	}

	page, err := s.store.ChangedOrders(t.Context(), store.Changes{Since: a.Created})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("ChangedOrders() = %+v, %v; want two orders", page, err)
	}
	for _, c := range page.Items {
		if !c.PlacedAt.Equal(a.Created) || c.Currency != "EUR" || c.TotalMinor != a.TotalMinor {
			t.Errorf("change %+v: want placed %s, EUR %d", c, a.Created, a.TotalMinor)
		}
		switch c.ID {
		case id(a):
			if c.ERPID != "SO-1" || c.Cancelled {
				t.Errorf("order a: %+v, want ERP id SO-1 and open", c)
			}
		case id(b):
			if c.ERPID != "" || !c.Cancelled {
				t.Errorf("order b: %+v, want no ERP id and cancelled", c)
			}
		}
	}
}

func TestCustomerRoundTripWithTerms(t *testing.T) {
	s := newShop(t)
	o := s.order(t)
	cid := strconv.FormatInt(o.Customer.ID, 10)

	found, ok, err := s.store.FindCustomerByEmail(t.Context(), "ANA@Example.TEST")
	if err != nil || !ok || found.ID != cid || found.FirstName != "Ana" ||
		found.City != "Lisboa" || found.Terms != (store.Terms{}) {
		t.Fatalf("FindCustomerByEmail() = %+v, %v, %v; want customer %s", found, ok, err, cid)
	}
	s.clock.Advance(time.Minute)
	limit := int64(500000)
	want := found
	want.Email, want.LastName, want.City, want.Country = "ana.lima@example.test", "Lima-Sá",
		"Porto", "PT"
	want.Terms = store.Terms{CreditLimitMinor: &limit, PaymentTerms: "NET30",
		PriceGroup: "WHOLESALE"}

	got, err := s.store.UpdateCustomer(t.Context(), cid, want)
	if err != nil {
		t.Fatalf("UpdateCustomer() error = %v", err)
	}
	if got.Email != want.Email || got.LastName != "Lima-Sá" || got.City != "Porto" ||
		got.Terms.CreditLimitMinor == nil || *got.Terms.CreditLimitMinor != limit ||
		got.Terms.PaymentTerms != "NET30" || got.Terms.PriceGroup != "WHOLESALE" ||
		!got.Modified.After(found.Modified) {
		t.Errorf("UpdateCustomer() = %+v, want %+v, modified later", got, want)
	}
	a, _ := s.model.Account(o.Customer.ID)
	if a.Metafields["erpsync.credit_limit"] != "500000" ||
		a.Metafields["erpsync.payment_terms"] != "NET30" {
		t.Errorf("stored metafields %v, want the terms under erpsync", a.Metafields)
	}

	want.Terms = store.Terms{PriceGroup: "RETAIL"}
	got, err = s.store.UpdateCustomer(t.Context(), cid, want)
	loaded, loadErr := s.store.LoadCustomer(t.Context(), cid)
	if err != nil || loadErr != nil || loaded.Terms != got.Terms ||
		got.Terms.CreditLimitMinor != nil || got.Terms.PaymentTerms != "" ||
		got.Terms.PriceGroup != "RETAIL" {
		t.Errorf("terms after clearing = %+v (%v), loaded %+v (%v); want only RETAIL",
			got.Terms, err, loaded.Terms, loadErr)
	}
}

func TestCustomerLookupsAndRefusals(t *testing.T) {
	s := newShop(t)
	o := s.order(t)
	other, err := s.model.CreateAccount(storesandbox.Account{Customer: storesandbox.Customer{
		Email: "bo@example.test", FirstName: "Bo"}})
	if err != nil {
		t.Fatal(err)
	}

	if _, ok, err := s.store.FindCustomerByEmail(t.Context(), "nobody@example.test"); ok ||
		err != nil {
		t.Errorf("FindCustomerByEmail(unknown) = %v, %v; want false", ok, err)
	}
	if _, err := s.store.LoadCustomer(t.Context(), "424242"); !errors.Is(err,
		syncerr.ErrNotFound) {
		t.Errorf("LoadCustomer(unknown) error = %v, want ErrNotFound", err)
	}
	c, err := s.store.LoadCustomer(t.Context(), strconv.FormatInt(other.ID, 10))
	if err != nil || c.Email != "bo@example.test" || !c.Modified.Equal(other.Modified) {
		t.Errorf("LoadCustomer() = %+v, %v; want Bo, modified %s", c, err, other.Modified)
	}
	c.Email = "ANA@example.test"
	if _, err := s.store.UpdateCustomer(t.Context(), c.ID, c); !isInvalidNaming(err,
		"email") {
		t.Errorf("UpdateCustomer(e-mail of another) error = %v, want invalid email", err)
	}
	c.Email = "bo@example.test"
	if _, err := s.store.UpdateCustomer(t.Context(), "424242", c); !errors.Is(err,
		syncerr.ErrNotFound) {
		t.Errorf("UpdateCustomer(unknown) error = %v, want ErrNotFound", err)
	}
	if a, _ := s.model.Account(o.Customer.ID); a.Email != "ana@example.test" {
		t.Errorf("Ana's e-mail is %q after refused updates", a.Email)
	}
}

func TestCreateDraftsCreatesOnlyMissingSKUsOnce(t *testing.T) {
	s := newShop(t)
	products := []store.Product{
		{SKU: "MUG", Name: "Mug again", PriceMinor: 999, Currency: "EUR"},
		{SKU: "BAD", Name: "Dollar", PriceMinor: 100, Currency: "USD"},
	}
	for i := range 12 {
		products = append(products, store.Product{SKU: "NEW-" + strconv.Itoa(i),
			Name: "New " + strconv.Itoa(i), PriceMinor: int64(1000 + i), Currency: "EUR"})
	}

	created, err := s.store.CreateDrafts(t.Context(), products)
	var partial *store.PartialError
	if !errors.As(err, &partial) || len(partial.Items) != 1 || partial.Items[0].Index != 1 ||
		len(created) != 12 {
		t.Fatalf("CreateDrafts() = %v, %v; want 12 created and BAD refused", created, err)
	}
	for i := range 12 {
		p, ok := s.model.ProductBySKU("NEW-" + strconv.Itoa(i))
		if !ok || !p.Draft || p.PriceMinor != int64(1000+i) || p.OnSale() {
			t.Errorf("NEW-%d = %+v, %v; want a draft at %d", i, p, ok, 1000+i)
		}
	}
	if mug, _ := s.model.ProductBySKU("MUG"); mug.Name != "Mug" || mug.PriceMinor != 1250 {
		t.Errorf("MUG = %+v, want it left alone", mug)
	}

	again, err := s.store.CreateDrafts(t.Context(), products[2:])
	if err != nil || len(again) != 0 || len(s.model.Products()) != 15 {
		t.Errorf("second CreateDrafts() = %v, %v, %d products; want none created, 15",
			again, err, len(s.model.Products()))
	}
}

// shipOrder places an order of three mugs and two caps.
func (s *shop) shipOrder(t *testing.T) storesandbox.Order {
	t.Helper()
	o, err := s.model.CreateOrder(storesandbox.Order{Currency: "EUR",
		Customer: storesandbox.Customer{Email: "ship@example.test"},
		Lines: []storesandbox.Line{
			{SKU: "MUG", Name: "Mug", Quantity: 3, UnitPriceMinor: 1250},
			{SKU: "CAP", Name: "Cap", Quantity: 2, UnitPriceMinor: 800},
		}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestShipPartlyThenTheRest(t *testing.T) {
	s := newShop(t)
	o := s.shipOrder(t)
	first := store.Shipment{ID: "SHP-1", Carrier: "DHL", TrackingNumber: "TRK-1",
		TrackingURL: "https://track.example/TRK-1",
		Lines:       []store.ShipmentLine{{SKU: "MUG", Quantity: 2}}}
	rest := store.Shipment{ID: "SHP-2", Carrier: "DHL", TrackingNumber: "TRK-2",
		Lines: []store.ShipmentLine{{SKU: "MUG", Quantity: 1}, {SKU: "CAP", Quantity: 2}}}

	if err := s.store.Ship(t.Context(), id(o), first); err != nil {
		t.Fatalf("Ship(first) error = %v", err)
	}
	got, _ := s.model.Order(o.ID)
	left := storesandbox.Unfulfilled(got)
	if len(got.Fulfillments) != 1 || left[o.Lines[0].ID] != 1 || left[o.Lines[1].ID] != 2 {
		t.Fatalf("after the first shipment: %+v, left %v; want 1 mug and 2 caps left",
			got.Fulfillments, left)
	}
	if f := got.Fulfillments[0]; f.Carrier != "DHL" || f.TrackingNumber != "TRK-1" ||
		f.TrackingURL != first.TrackingURL {
		t.Errorf("fulfillment %+v, want DHL TRK-1 with its url", f)
	}

	if err := s.store.Ship(t.Context(), id(o), rest); err != nil {
		t.Fatalf("Ship(rest) error = %v", err)
	}
	got, _ = s.model.Order(o.ID)
	left = storesandbox.Unfulfilled(got)
	if len(got.Fulfillments) != 2 || left[o.Lines[0].ID] != 0 || left[o.Lines[1].ID] != 0 {
		t.Errorf("after the rest: %d fulfillments, left %v; want 2, nothing left",
			len(got.Fulfillments), left)
	}
	if got.Metafields["erpsync.shipments"] != `["SHP-1","SHP-2"]` {
		t.Errorf("shipments metafield %q, want both ids", got.Metafields["erpsync.shipments"])
	}
}

func TestShipTwiceMakesOneFulfillment(t *testing.T) {
	s := newShop(t)
	o := s.shipOrder(t)
	sh := store.Shipment{ID: "SHP-1", Lines: []store.ShipmentLine{{SKU: "CAP", Quantity: 1}}}

	for range 2 {
		if err := s.store.Ship(t.Context(), id(o), sh); err != nil {
			t.Fatalf("Ship() error = %v", err)
		}
	}
	if got, _ := s.model.Order(o.ID); len(got.Fulfillments) != 1 {
		t.Errorf("%d fulfillments, want 1", len(got.Fulfillments))
	}
}

func TestShipAfterALostAnswerMakesOneFulfillment(t *testing.T) {
	s := newShop(t)
	o := s.shipOrder(t)
	sh := store.Shipment{ID: "SHP-1", Carrier: "UPS", TrackingNumber: "1Z999",
		Lines: []store.ShipmentLine{{SKU: "MUG", Quantity: 3}}}
	queue(t, s, erpsandbox.Shot{Op: "graphql/fulfillmentCreate",
		Kind: erpsandbox.KindDropResponse})

	if err := s.store.Ship(t.Context(), id(o), sh); !errors.Is(err, syncerr.ErrUnavailable) {
		t.Fatalf("Ship() with a lost answer: error = %v, want ErrUnavailable", err)
	}
	if got, _ := s.model.Order(o.ID); len(got.Fulfillments) != 1 {
		t.Fatalf("%d fulfillments after the lost answer, want the one made", len(got.Fulfillments))
	}
	if err := s.store.Ship(t.Context(), id(o), sh); err != nil {
		t.Fatalf("Ship() again: error = %v", err)
	}
	got, _ := s.model.Order(o.ID)
	if len(got.Fulfillments) != 1 || got.Metafields["erpsync.shipments"] != `["SHP-1"]` {
		t.Errorf("after the retry: %d fulfillments, shipments %q; want 1 and SHP-1",
			len(got.Fulfillments), got.Metafields["erpsync.shipments"])
	}
}

func TestShipRefusesWhatTheOrderCannotShip(t *testing.T) {
	s := newShop(t)
	o := s.shipOrder(t)
	tests := []struct {
		name  string
		lines []store.ShipmentLine
		want  string
	}{
		{"unknown sku", []store.ShipmentLine{{SKU: "TEE", Quantity: 1}}, `"TEE"`},
		{"too many units", []store.ShipmentLine{{SKU: "MUG", Quantity: 2},
			{SKU: "CAP", Quantity: 3}}, `"CAP"`},
		{"no units", []store.ShipmentLine{{SKU: "MUG"}}, `"MUG"`},
	}
	for _, tt := range tests {
		err := s.store.Ship(t.Context(), id(o), store.Shipment{ID: tt.name, Lines: tt.lines})
		if !isInvalidNaming(err, tt.want) {
			t.Errorf("%s: Ship() error = %v, want ErrInvalid naming %s", tt.name, err, tt.want)
		}
	}
	if got, _ := s.model.Order(o.ID); len(got.Fulfillments) != 0 {
		t.Errorf("%d fulfillments after refused shipments, want none", len(got.Fulfillments))
	}
	if err := s.store.Ship(t.Context(), "424242", store.Shipment{ID: "x",
		Lines: []store.ShipmentLine{{SKU: "MUG", Quantity: 1}}}); !errors.Is(err,
		syncerr.ErrNotFound) {
		t.Errorf("Ship(unknown order) error = %v, want ErrNotFound", err)
	}
}

func TestCancelOrderTwiceCancelsOnceWithoutRefund(t *testing.T) {
	s := newShop(t)
	o := s.shipOrder(t)
	ev := s.events()

	for range 2 {
		err := s.store.CancelOrder(t.Context(), id(o), "sales order cancelled in ERP")
		if err != nil {
			t.Fatalf("CancelOrder() error = %v", err)
		}
	}
	got, _ := s.model.Order(o.ID)
	if got.Status != storesandbox.StatusCancelled || len(got.Refunds) != 0 ||
		ev.count(storesandbox.TopicOrderCancelled) != 1 {
		t.Errorf("order %s with %d refunds, %d cancellations; want cancelled once, no refund",
			got.Status, len(got.Refunds), ev.count(storesandbox.TopicOrderCancelled))
	}
	loaded, err := s.store.LoadOrder(t.Context(), id(o))
	if err != nil || loaded.Status != store.OrderCancelled || loaded.CancelReason != "other" {
		t.Errorf("LoadOrder() = %s %q, %v; want cancelled for other", loaded.Status,
			loaded.CancelReason, err)
	}
	err = s.store.Ship(t.Context(), id(o), store.Shipment{ID: "late",
		Lines: []store.ShipmentLine{{SKU: "MUG", Quantity: 1}}})
	if !isInvalidNaming(err, "cancelled") {
		t.Errorf("Ship(cancelled order) error = %v, want ErrInvalid", err)
	}
	if err := s.store.CancelOrder(t.Context(), "424242", "x"); !errors.Is(err,
		syncerr.ErrNotFound) {
		t.Errorf("CancelOrder(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestReadStockReadsEveryLocationInBatches(t *testing.T) {
	s := newShop(t)
	var skus []string
	for i := range 30 {
		sku := "STK-" + strconv.Itoa(i)
		if _, err := s.model.CreateProduct(storesandbox.Product{SKU: sku, Name: sku,
			PriceMinor: 100, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.model.SetStock(sku, "WH-EAST", int64(i), nil); err != nil {
			t.Fatal(err)
		}
		skus = append(skus, sku)
	}
	for i := range 12 {
		name := "SHOP-" + strconv.Itoa(10+i)
		if _, err := s.model.AddLocation(name); err != nil {
			t.Fatal(err)
		}
		if _, err := s.model.SetStock("STK-29", name, 1, nil); err != nil {
			t.Fatal(err)
		}
	}

	got, err := s.store.ReadStock(t.Context(), append(skus, "NOPE", "MUG"))
	if err != nil {
		t.Fatalf("ReadStock() error = %v", err)
	}
	levels := map[[2]string]int64{}
	for _, l := range got {
		levels[[2]string{l.SKU, l.Location}] = l.Available
	}
	if len(got) != 30+12 || levels[[2]string{"STK-7", "WH-EAST"}] != 7 ||
		levels[[2]string{"STK-29", "SHOP-21"}] != 1 {
		t.Errorf("ReadStock() = %d levels %v; want 42 with STK-7 at 7 and STK-29 at SHOP-21",
			len(got), got)
	}
	for _, l := range got {
		if l.SKU == "NOPE" || l.SKU == "MUG" {
			t.Errorf("level %+v of a SKU that is not stocked", l)
		}
	}
}

func TestShipKeepsAShipmentRecordedMeanwhile(t *testing.T) {
	s := newShop(t)
	o := s.shipOrder(t)
	var once sync.Once
	s.model.Watch(func(ev storesandbox.Event) {
		if ev.Topic == storesandbox.TopicOrderFulfilled {
			once.Do(func() {
				if _, err := s.model.SetMetafield(o.ID, "erpsync.shipments",
					`["OTHER"]`); err != nil {
					t.Error(err)
				}
			})
		}
	})

	err := s.store.Ship(t.Context(), id(o), store.Shipment{ID: "SHP-1",
		Lines: []store.ShipmentLine{{SKU: "CAP", Quantity: 2}}})
	got, _ := s.model.Order(o.ID)
	if err != nil || got.Metafields["erpsync.shipments"] != `["OTHER","SHP-1"]` {
		t.Errorf("Ship() = %v, shipments %q; want both ids", err,
			got.Metafields["erpsync.shipments"])
	}
}
