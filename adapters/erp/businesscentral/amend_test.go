package businesscentral

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// seedServiceItems adds the service items that charges and refunds are
// booked on.
func seedServiceItems(t *testing.T, e *env) {
	t.Helper()
	var items []erpsandbox.Product
	for _, sku := range []string{"SHIPPING", "DISCOUNT", "TAX", "REFUND"} {
		items = append(items, erpsandbox.Product{SKU: sku, Name: sku, Currency: "USD"})
	}
	if _, err := e.model.SeedProducts(items); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
}

// counter counts the requests whose method and path end match.
type counter struct {
	method, suffix string
	n              atomic.Int64
}

func (c *counter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == c.method && strings.HasSuffix(r.URL.Path, c.suffix) {
			c.n.Add(1)
		}
		h.ServeHTTP(w, r)
	})
}

func chargedOrder(ref string) erp.SalesOrder {
	o := testOrder(ref)
	o.Lines = append(o.Lines,
		erp.Line{SKU: "SHIPPING", Quantity: 1, UnitPriceMinor: 495, Kind: erp.LineShipping},
		erp.Line{SKU: "DISCOUNT", Description: "Spring sale", Quantity: 1,
			UnitPriceMinor: -1000, Kind: erp.LineDiscount},
		erp.Line{SKU: "TAX", Quantity: 1, UnitPriceMinor: 322, Kind: erp.LineTax})
	o.ShippingMinor = 495
	o.TotalMinor = 4028 + 495 - 1000 + 322
	return o
}

func TestOrderWithChargeLinesTotalsTheStoreOrder(t *testing.T) {
	e := newEnv(t, nil)
	seedServiceItems(t, e)
	o := chargedOrder("demo:7001")

	ref, err := e.client.CreateSalesOrder(t.Context(), o)
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	orders := e.model.SalesOrders()
	if len(orders) != 1 || orders[0].TotalMinor != o.TotalMinor || len(orders[0].Lines) != 5 {
		t.Fatalf("model orders = %+v, want one of %d with five lines", orders, o.TotalMinor)
	}
	discount := orders[0].Lines[3]
	if discount.UnitPriceMinor != -1000 || discount.Description != "Spring sale" {
		t.Errorf("discount line = %+v, want -10.00 described", discount)
	}

	page, err := e.client.ChangedSalesOrders(t.Context(), erp.Changes{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("ChangedSalesOrders() = %+v, %v; want the order", page, err)
	}
	if got := page.Items[0]; got.ID != ref.ID || got.TotalMinor != o.TotalMinor {
		t.Errorf("listed order = %+v, want %s with total %d", got, ref.ID, o.TotalMinor)
	}
}

func TestCustomerTermsRoundTrip(t *testing.T) {
	terms := counter{method: http.MethodGet, suffix: "/paymentTerms"}
	e := newEnv(t, terms.wrap)
	ctx := t.Context()
	limit := int64(250_000)

	created, err := e.client.CreateCustomer(ctx, erp.Customer{ExternalID: "demo:t-1",
		Email: "terms@example.com", Name: "Terms Ltd", Terms: erp.Terms{
			CreditLimitMinor: &limit, PaymentTerms: "net30", PriceGroup: "WHOLESALE"}})
	if err != nil {
		t.Fatalf("CreateCustomer() error = %v", err)
	}
	if c := created.Terms; c.CreditLimitMinor == nil || *c.CreditLimitMinor != limit ||
		c.PaymentTerms != "NET30" || c.PriceGroup != "" {
		t.Fatalf("created terms = %+v, want 2500.00, NET30 and no price group", c)
	}
	stored := e.model.Customers()[0]
	if stored.CreditLimitMinor == nil || *stored.CreditLimitMinor != limit ||
		stored.PaymentTerms != "NET30" {
		t.Errorf("model customer = %+v, want the limit and NET30", stored)
	}

	e.clock.Advance(time.Minute)
	updated, err := e.client.UpdateCustomer(ctx, created.ID, erp.Customer{
		Email: "new@example.com", Name: "Terms Group", Phone: "+44 1",
		Address: erp.Address{Line1: "2 Quay", City: "Cork", CountryCode: "IE"},
		Terms:   erp.Terms{PaymentTerms: "NET60"}})
	if err != nil {
		t.Fatalf("UpdateCustomer() error = %v", err)
	}
	if updated.Email != "new@example.com" || updated.Name != "Terms Group" ||
		updated.Phone != "+44 1" || updated.Address.City != "Cork" ||
		updated.Terms.PaymentTerms != "NET60" || updated.Terms.CreditLimitMinor == nil ||
		*updated.Terms.CreditLimitMinor != limit {
		t.Errorf("updated = %+v, want new contact fields, NET60 and the limit kept", updated)
	}

	found, ok, err := e.client.FindCustomer(ctx, erp.CustomerQuery{Email: "new@example.com"})
	if err != nil || !ok || found.Terms.PaymentTerms != "NET60" {
		t.Errorf("FindCustomer() = %+v, %v, %v; want NET60", found, ok, err)
	}
	page, err := e.client.ChangedCustomers(ctx, erp.Changes{Since: e.clock.Now()})
	if err != nil || len(page.Items) != 1 || page.Items[0].Terms.PaymentTerms != "NET60" {
		t.Errorf("ChangedCustomers() = %+v, %v; want the customer with NET60", page, err)
	}
	if n := terms.n.Load(); n != 1 {
		t.Errorf("payment terms read %d times, want once", n)
	}
}

func TestUnknownPaymentTermsAreInvalid(t *testing.T) {
	e := newEnv(t, nil)
	created, err := e.client.CreateCustomer(t.Context(), erp.Customer{Email: "a@example.com",
		Name: "A"})
	if err != nil {
		t.Fatal(err)
	}
	if created.Terms != (erp.Terms{}) {
		t.Errorf("terms of a customer created without = %+v, want none", created.Terms)
	}

	_, err = e.client.UpdateCustomer(t.Context(), created.ID, erp.Customer{Name: "B",
		Terms: erp.Terms{PaymentTerms: "NET99"}})
	var inv *syncerr.InvalidError
	if !errors.As(err, &inv) || inv.Field != "customer.terms.payment_terms" {
		t.Fatalf("UpdateCustomer(NET99) error = %v, want InvalidError on payment terms", err)
	}
	if c := e.model.Customers()[0]; c.Name != "A" || c.PaymentTerms != "" {
		t.Errorf("model customer = %+v, want it unchanged", c)
	}
}

func TestCancelSalesOrderTwiceDeletesOnce(t *testing.T) {
	deletes := counter{method: http.MethodDelete, suffix: ")"}
	e := newEnv(t, deletes.wrap)
	ref, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:8001"))
	if err != nil {
		t.Fatal(err)
	}

	for i := range 2 {
		if err := e.client.CancelSalesOrder(t.Context(), ref.ID, "customer asked"); err != nil {
			t.Fatalf("CancelSalesOrder() call %d error = %v", i+1, err)
		}
	}
	if n := deletes.n.Load(); n != 1 {
		t.Errorf("DELETE requests = %d, want 1", n)
	}
	if o := e.model.SalesOrders()[0]; o.State != erpsandbox.OrderCancelled {
		t.Errorf("model order state = %s, want cancelled", o.State)
	}
	if _, found, _ := e.client.FindSalesOrder(t.Context(), "demo:8001"); found {
		t.Error("FindSalesOrder() finds the deleted order")
	}
}

func TestCancelUnknownSalesOrderIsNotFound(t *testing.T) {
	e := newEnv(t, nil)
	err := e.client.CancelSalesOrder(t.Context(), "00000000-0000-4000-8000-0000000003e7", "")
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("CancelSalesOrder(unknown) error = %v, want ErrNotFound", err)
	}
	err = e.client.CancelSalesOrder(t.Context(), "S00001", "")
	var inv *syncerr.InvalidError
	if !errors.As(err, &inv) || inv.Field != "id" {
		t.Errorf("CancelSalesOrder(not a GUID) error = %v, want InvalidError on id", err)
	}
}

func TestCancelShippedSalesOrderIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	ref, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:8002"))
	if err != nil {
		t.Fatal(err)
	}
	order := e.model.SalesOrders()[0]
	if _, err := e.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: order.ID}); err != nil {
		t.Fatal(err)
	}

	err = e.client.CancelSalesOrder(t.Context(), ref.ID, "")
	if !errors.Is(err, erp.ErrShipped) {
		t.Fatalf("CancelSalesOrder(shipped) error = %v, want ErrShipped", err)
	}
	if o, _ := e.model.SalesOrder(order.ID); o.State != erpsandbox.OrderConfirmed {
		t.Errorf("model order state = %s, want confirmed", o.State)
	}
}

// TestCancelRefusedByBusinessCentralIsShipped ships the order between the
// adapter's look-up of shipments and its DELETE, so that Business Central
// itself refuses the delete.
func TestCancelRefusedByBusinessCentralIsShipped(t *testing.T) {
	var e *env
	e = newEnv(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete {
				o := e.model.SalesOrders()[0]
				_, err := e.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: o.ID})
				if err != nil {
					t.Errorf("ShipSalesOrder() error = %v", err)
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	ref, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:8003"))
	if err != nil {
		t.Fatal(err)
	}

	err = e.client.CancelSalesOrder(t.Context(), ref.ID, "")
	if !errors.Is(err, erp.ErrShipped) || !strings.Contains(err.Error(), "Qty. Shipped") {
		t.Fatalf("CancelSalesOrder() error = %v, want ErrShipped with BC's message", err)
	}
}

func TestCancelWithLostAnswerIsDone(t *testing.T) {
	e := newEnv(t, nil)
	ref, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:8004"))
	if err != nil {
		t.Fatal(err)
	}
	shot := erpsandbox.Shot{Op: "salesOrders/delete", Kind: erpsandbox.KindDropResponse}
	if err := e.faults.Enqueue(shot); err != nil {
		t.Fatal(err)
	}

	if err := e.client.CancelSalesOrder(t.Context(), ref.ID, ""); err != nil {
		t.Fatalf("CancelSalesOrder() with a lost answer: error = %v, want nil", err)
	}
	if o := e.model.SalesOrders()[0]; o.State != erpsandbox.OrderCancelled {
		t.Errorf("model order state = %s, want cancelled", o.State)
	}
}

func refundOf(orderID, ref string) erp.CreditMemo {
	return erp.CreditMemo{
		ExternalRef: ref, SalesOrderID: orderID, Currency: "USD", Reason: "damaged",
		Lines: []erp.Line{
			{SKU: "W-1", Quantity: 1, UnitPriceMinor: 1999},
			{SKU: "REFUND", Description: "refund r-1", Quantity: 1, UnitPriceMinor: 301,
				Kind: erp.LineRefund},
		},
		TotalMinor: 2300, RefundedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	}
}

func TestCreditMemoTwiceIsOneDocument(t *testing.T) {
	e := newEnv(t, nil)
	seedServiceItems(t, e)
	order, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:9001"))
	if err != nil {
		t.Fatal(err)
	}

	memo := refundOf(order.ID, "demo:9001:refund:r-1")
	first, err := e.client.CreateCreditMemo(t.Context(), memo)
	if err != nil || first.ID == "" || first.Number == "" {
		t.Fatalf("CreateCreditMemo() = %+v, %v; want a document", first, err)
	}
	second, err := e.client.CreateCreditMemo(t.Context(), memo)
	if err != nil || second != first {
		t.Fatalf("second CreateCreditMemo() = %+v, %v; want %+v", second, err, first)
	}

	memos := e.model.CreditMemos()
	if len(memos) != 1 || memos[0].TotalMinor != 2300 || len(memos[0].Lines) != 2 ||
		memos[0].OrderID != e.model.SalesOrders()[0].ID {
		t.Errorf("model memos = %+v, want one of 23.00 with two lines on the order", memos)
	}
}

func TestCreditMemoWithLostAnswerIsFound(t *testing.T) {
	e := newEnv(t, nil)
	seedServiceItems(t, e)
	order, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:9002"))
	if err != nil {
		t.Fatal(err)
	}
	shot := erpsandbox.Shot{Op: "salesCreditMemos/create", Kind: erpsandbox.KindDropResponse}
	if err := e.faults.Enqueue(shot); err != nil {
		t.Fatal(err)
	}

	// A reference longer than externalDocumentNumber's 35 characters.
	memo := refundOf(order.ID, "demo-store-eu:9002:refund:1234567890123")
	first, err := e.client.CreateCreditMemo(t.Context(), memo)
	if err != nil || first.ID == "" {
		t.Fatalf("CreateCreditMemo() with a lost answer = %+v, %v; want the document", first,
			err)
	}
	again, err := e.client.CreateCreditMemo(t.Context(), memo)
	if err != nil || again != first {
		t.Errorf("CreateCreditMemo() again = %+v, %v; want %+v", again, err, first)
	}
	if memos := e.model.CreditMemos(); len(memos) != 1 {
		t.Errorf("model memos = %d, want 1", len(memos))
	}
}

func TestCreditMemoRefusals(t *testing.T) {
	tests := []struct {
		name   string
		change func(*erp.CreditMemo)
		field  string
	}{
		{"total off", func(m *erp.CreditMemo) { m.TotalMinor++ }, "total_minor"},
		{"negative line", func(m *erp.CreditMemo) { m.Lines[0].UnitPriceMinor = -1 },
			"lines[0].unit_price_minor"},
		{"no lines", func(m *erp.CreditMemo) { m.Lines = nil }, "lines"},
		{"other currency", func(m *erp.CreditMemo) { m.Currency = "EUR" }, "currency"},
		{"bad order id", func(m *erp.CreditMemo) { m.SalesOrderID = "S1" }, "sales_order_id"},
		{"unknown sku", func(m *erp.CreditMemo) { m.Lines[0].SKU = "NONE" }, "lines[0].sku"},
	}
	e := newEnv(t, nil)
	seedServiceItems(t, e)
	order, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:9003"))
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := refundOf(order.ID, fmt.Sprintf("demo:9003:refund:%d", i))
			tt.change(&m)
			_, err := e.client.CreateCreditMemo(t.Context(), m)
			var inv *syncerr.InvalidError
			if !errors.As(err, &inv) || inv.Field != tt.field {
				t.Errorf("CreateCreditMemo() error = %v, want InvalidError on %s", err, tt.field)
			}
		})
	}
	if n := len(e.model.CreditMemos()); n != 0 {
		t.Errorf("model memos = %d, want 0", n)
	}

	_, err = e.client.CreateCreditMemo(t.Context(),
		refundOf("00000000-0000-4000-8000-0000000003e7", "demo:9003:refund:x"))
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("CreateCreditMemo(unknown order) error = %v, want ErrNotFound", err)
	}
}

func TestChangedSalesOrdersPagesWithoutGaps(t *testing.T) {
	e := newEnv(t, nil)
	var refs []erp.SalesOrderRef
	for i := range 5 {
		e.clock.Advance(time.Minute)
		ref, err := e.client.CreateSalesOrder(t.Context(), testOrder(fmt.Sprintf("demo:%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	if err := e.client.CancelSalesOrder(t.Context(), refs[2].ID, ""); err != nil {
		t.Fatal(err)
	}

	var got []string
	q := erp.Changes{Limit: 2}
	for pages := 1; ; pages++ {
		page, err := e.client.ChangedSalesOrders(t.Context(), q)
		if err != nil {
			t.Fatalf("ChangedSalesOrders(%+v) error = %v", q, err)
		}
		for _, o := range page.Items {
			got = append(got, o.ExternalRef)
			if o.Currency != "USD" || o.TotalMinor != 4028 || o.Cancelled ||
				!o.OrderedAt.Equal(time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC)) ||
				o.Modified.IsZero() {
				t.Errorf("summary = %+v, want USD 40.28 ordered 2026-02-27", o)
			}
		}
		if q.Cursor = page.Next; q.Cursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if s := strings.Join(got, ","); s != "DEMO:0,DEMO:1,DEMO:3,DEMO:4" {
		t.Errorf("orders listed = %s, want the live ones oldest first, each once", s)
	}
}
