package netsuite

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// mustID parses an internal id.
func mustID(t *testing.T, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatalf("id %q is not a number", id)
	}
	return n
}

// seedServiceItems adds the service items of order charges.
func (e *env) seedServiceItems(t *testing.T) {
	t.Helper()
	var items []erpsandbox.Product
	for _, sku := range []string{"SHIPPING", "DISCOUNT", "TAX", "REFUND"} {
		items = append(items, erpsandbox.Product{SKU: sku, Name: sku, Currency: "USD"})
	}
	if _, err := e.model.SeedProducts(items); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
}

// chargedOrder is testOrder with shipping, a discount of two units at
// -1.50 and tax: 40.28 + 5.00 - 3.00 + 2.50 = 44.78.
func chargedOrder(ref string) erp.SalesOrder {
	o := testOrder(ref)
	o.Lines = append(o.Lines,
		erp.Line{SKU: "SHIPPING", Quantity: 1, UnitPriceMinor: 500, Kind: erp.LineShipping},
		erp.Line{SKU: "DISCOUNT", Quantity: 2, UnitPriceMinor: -150, Kind: erp.LineDiscount},
		erp.Line{SKU: "TAX", Quantity: 1, UnitPriceMinor: 250, Kind: erp.LineTax})
	o.ShippingMinor, o.TotalMinor = 500, 4478
	return o
}

func TestServiceLinesMakeTheStoreTotal(t *testing.T) {
	e := newEnv(t, "tba", nil)
	e.seedServiceItems(t)
	ref, err := e.client.CreateSalesOrder(t.Context(), chargedOrder("demo:5001"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}

	o, _ := e.model.SalesOrder(mustID(t, ref.ID))
	if o.TotalMinor != 4478 || len(o.Lines) != 5 {
		t.Fatalf("sandbox order = %+v, want total 4478 in 5 lines", o)
	}
	if d := o.Lines[3]; d.Quantity != 1 || d.UnitPriceMinor != -300 {
		t.Errorf("discount line = %+v, want one discount of -300", d)
	}
	so, err := e.client.readSalesOrder(t.Context(), ref.ID)
	if err != nil || so.Total.String() != "44.78" {
		t.Errorf("netsuite total = %q, %v; want 44.78", so.Total, err)
	}
}

func TestServiceLineSignsAreChecked(t *testing.T) {
	e := newEnv(t, "tba", nil)
	e.seedServiceItems(t)
	for i, change := range []func(*erp.SalesOrder){
		func(o *erp.SalesOrder) { o.Lines[3].UnitPriceMinor = 150 },
		func(o *erp.SalesOrder) { o.Lines[2].UnitPriceMinor = -500 },
	} {
		o := chargedOrder("demo:5002")
		change(&o)
		_, err := e.client.CreateSalesOrder(t.Context(), o)
		var invalid *syncerr.InvalidError
		if !errors.As(err, &invalid) || invalid.Field == "" {
			t.Errorf("case %d: CreateSalesOrder() error = %v, want InvalidError", i, err)
		}
	}
	if n := len(e.model.SalesOrders()); n != 0 {
		t.Errorf("sales orders = %d, want none", n)
	}
}

func TestCancelSalesOrderClosesItOnce(t *testing.T) {
	e := newEnv(t, "oauth2", nil)
	e.seedServiceItems(t)
	ctx := t.Context()
	ref, err := e.client.CreateSalesOrder(ctx, chargedOrder("demo:5003"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}

	if err := e.client.CancelSalesOrder(ctx, ref.ID, "customer changed mind"); err != nil {
		t.Fatalf("CancelSalesOrder() error = %v", err)
	}
	o, _ := e.model.SalesOrder(mustID(t, ref.ID))
	if o.State != erpsandbox.OrderCancelled || o.CancelReason != "customer changed mind" {
		t.Errorf("sandbox order = %s %q, want cancelled with the reason", o.State,
			o.CancelReason)
	}
	so, err := e.client.readOrder(ctx, ref.ID, true)
	if err != nil || so.OrderStatus == nil || so.OrderStatus.ID != statusClosed ||
		so.Item == nil || len(so.Item.Items) != 5 || !so.Item.Items[0].IsClosed {
		t.Errorf("order after cancel = %+v, %v; want closed lines, status H", so, err)
	}

	modified := o.Modified
	e.clock.Advance(time.Minute)
	if err := e.client.CancelSalesOrder(ctx, ref.ID, "again"); err != nil {
		t.Fatalf("CancelSalesOrder() again error = %v", err)
	}
	again, _ := e.model.SalesOrder(mustID(t, ref.ID))
	if !again.Modified.Equal(modified) || again.CancelReason != "customer changed mind" {
		t.Errorf("second cancel changed the order: %+v", again)
	}
}

func TestCancelPendingApprovalOrder(t *testing.T) {
	e := newEnv(t, "tba", nil)
	c, _ := e.model.CreateCustomer(erpsandbox.Customer{Name: "Dee", Email: "dee@example.com"})
	w, _ := e.model.ProductBySKU("W-1")
	draft, err := e.model.CreateSalesOrder(erpsandbox.SalesOrder{CustomerID: c.ID,
		Currency: "USD", Lines: []erpsandbox.OrderLine{{ProductID: w.ID, Quantity: 1,
			UnitPriceMinor: 1999}}})
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}

	id := strconv.FormatInt(draft.ID, 10)
	if err := e.client.CancelSalesOrder(t.Context(), id, ""); err != nil {
		t.Fatalf("CancelSalesOrder() error = %v", err)
	}
	so, err := e.client.readSalesOrder(t.Context(), id)
	if err != nil || so.OrderStatus == nil || so.OrderStatus.ID != statusCancelled {
		t.Errorf("order after cancel = %+v, %v; want status C", so, err)
	}
}

func TestCancelShippedOrderIsRefused(t *testing.T) {
	e := newEnv(t, "tba", nil)
	ctx := t.Context()
	ref, err := e.client.CreateSalesOrder(ctx, testOrder("demo:5004"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	id := mustID(t, ref.ID)
	if _, err := e.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: id}); err != nil {
		t.Fatalf("ShipSalesOrder() error = %v", err)
	}

	err = e.client.CancelSalesOrder(ctx, ref.ID, "too late")
	if !errors.Is(err, erp.ErrShipped) {
		t.Fatalf("CancelSalesOrder() of a shipped order: error = %v, want ErrShipped", err)
	}
	if o, _ := e.model.SalesOrder(id); o.State != erpsandbox.OrderConfirmed {
		t.Errorf("shipped order is %s, want confirmed", o.State)
	}

	// NetSuite itself refuses to close the lines of a fulfilled order.
	so, err := e.client.readOrder(ctx, ref.ID, true)
	if err != nil {
		t.Fatalf("readOrder() error = %v", err)
	}
	_, err = e.client.do(ctx, request{method: http.MethodPatch,
		path: "/record/v1/salesOrder/" + ref.ID, body: cancelBody(so, "B", "")})
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || codeOf(err) != "USER_ERROR" {
		t.Errorf("closing a fulfilled order's lines: error = %v, want USER_ERROR", err)
	}
}

func TestCancelUnknownOrderIsNotFound(t *testing.T) {
	e := newEnv(t, "tba", nil)
	err := e.client.CancelSalesOrder(t.Context(), "987654", "")
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("CancelSalesOrder() of an unknown order: error = %v, want ErrNotFound", err)
	}
	var invalid *syncerr.InvalidError
	if err := e.client.CancelSalesOrder(t.Context(), "12; DROP", ""); !errors.As(err, &invalid) {
		t.Errorf("CancelSalesOrder() with a bad id: error = %v, want InvalidError", err)
	}
}

// refund is a credit memo of one widget and 5.00 not tied to products.
func refund(orderID, ref string) erp.CreditMemo {
	return erp.CreditMemo{ExternalRef: ref, SalesOrderID: orderID, Currency: "USD",
		Reason: "damaged", TotalMinor: 2499, RefundedAt: t0.Add(48 * time.Hour),
		Lines: []erp.Line{
			{SKU: "W-1", Quantity: 1, UnitPriceMinor: 1999},
			{SKU: "REFUND", Quantity: 1, UnitPriceMinor: 500, Kind: erp.LineRefund},
		}}
}

func TestCreateCreditMemoTwiceMakesOne(t *testing.T) {
	e := newEnv(t, "oauth2", nil)
	e.seedServiceItems(t)
	ctx := t.Context()
	order, err := e.client.CreateSalesOrder(ctx, chargedOrder("demo:5005"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}

	first, err := e.client.CreateCreditMemo(ctx, refund(order.ID, "demo:5005:refund:1"))
	if err != nil {
		t.Fatalf("CreateCreditMemo() error = %v", err)
	}
	second, err := e.client.CreateCreditMemo(ctx, refund(order.ID, "demo:5005:refund:1"))
	if err != nil || second != first || first.ID == "" || first.Number == "" {
		t.Fatalf("CreateCreditMemo() twice = %+v then %+v, %v; want one document", first,
			second, err)
	}

	memos := e.model.CreditMemos()
	if len(memos) != 1 || memos[0].TotalMinor != 2499 || memos[0].OrderID != mustID(t, order.ID) ||
		memos[0].ExternalRef != "demo:5005:refund:1" || memos[0].Reason != "damaged" ||
		len(memos[0].Lines) != 2 {
		t.Errorf("sandbox credit memos = %+v, want one of 2499 against the order", memos)
	}
}

func TestCreditMemoWithLostAnswer(t *testing.T) {
	retrying := &http.Client{Timeout: 10 * time.Second,
		Transport: &httpretry.Transport{BaseDelay: time.Millisecond}}
	for name, hc := range map[string]*http.Client{"plain": plainClient, "retrying": retrying} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, "tba", func(c *Config) { c.HTTPClient = hc })
			e.seedServiceItems(t)
			ctx := t.Context()
			order, err := e.client.CreateSalesOrder(ctx, testOrder("demo:5006"))
			if err != nil {
				t.Fatalf("CreateSalesOrder() error = %v", err)
			}
			e.shoot(t, erpsandbox.Shot{Op: "creditMemo/upsert",
				Kind: erpsandbox.KindDropResponse})

			first, err := e.client.CreateCreditMemo(ctx, refund(order.ID, "demo:5006:refund:1"))
			if err != nil {
				t.Fatalf("CreateCreditMemo() with the answer lost: error = %v", err)
			}
			second, err := e.client.CreateCreditMemo(ctx, refund(order.ID, "demo:5006:refund:1"))
			if err != nil || second != first {
				t.Errorf("CreateCreditMemo() again = %+v, %v; want %+v", second, err, first)
			}
			if n := len(e.model.CreditMemos()); n != 1 {
				t.Errorf("credit memos = %d, want 1", n)
			}
		})
	}
}

func TestInvalidCreditMemos(t *testing.T) {
	e := newEnv(t, "tba", nil)
	e.seedServiceItems(t)
	order, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:5007"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	tests := []struct {
		name   string
		change func(*erp.CreditMemo)
		field  string
	}{
		{"no reference", func(m *erp.CreditMemo) { m.ExternalRef = "" }, "external_ref"},
		{"bad order id", func(m *erp.CreditMemo) { m.SalesOrderID = "x" }, "sales_order_id"},
		{"wrong total", func(m *erp.CreditMemo) { m.TotalMinor = 1 }, "total_minor"},
		{"negative line", func(m *erp.CreditMemo) { m.Lines[1].UnitPriceMinor = -500 },
			"lines[1].unit_price_minor"},
		{"unknown sku", func(m *erp.CreditMemo) { m.Lines[0].SKU = "NOPE" }, "lines[0].sku"},
		{"other currency", func(m *erp.CreditMemo) { m.Currency = "EUR" }, "currency"},
	}
	for _, tt := range tests {
		m := refund(order.ID, "demo:5007:refund:1")
		tt.change(&m)
		_, err := e.client.CreateCreditMemo(t.Context(), m)
		var invalid *syncerr.InvalidError
		if !errors.As(err, &invalid) || invalid.Field != tt.field {
			t.Errorf("%s: CreateCreditMemo() error = %v, want InvalidError on %s", tt.name, err,
				tt.field)
		}
	}

	_, err = e.client.CreateCreditMemo(t.Context(), refund("987654", "demo:x:refund:1"))
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("CreateCreditMemo() of an unknown order: error = %v, want ErrNotFound", err)
	}
	if n := len(e.model.CreditMemos()); n != 0 {
		t.Errorf("credit memos = %d, want none", n)
	}
}

func TestChangedSalesOrdersPages(t *testing.T) {
	e := newEnv(t, "tba", nil)
	e.seedServiceItems(t)
	ctx := t.Context()
	var ids []string
	for i := range 5 {
		if i == 3 {
			e.clock.Advance(time.Hour)
		}
		ref, err := e.client.CreateSalesOrder(ctx, chargedOrder("demo:60"+strconv.Itoa(i)))
		if err != nil {
			t.Fatalf("CreateSalesOrder() error = %v", err)
		}
		ids = append(ids, ref.ID)
	}
	e.clock.Advance(time.Hour)
	if err := e.client.CancelSalesOrder(ctx, ids[1], "out of stock"); err != nil {
		t.Fatalf("CancelSalesOrder() error = %v", err)
	}

	list := func(q erp.Changes) (erp.Page[erp.SalesOrderSummary], error) {
		return e.client.ChangedSalesOrders(ctx, q)
	}
	got, pages := allPages(t, t0, 2, list)
	if len(got) != 5 || pages != 3 {
		t.Fatalf("ChangedSalesOrders() = %d orders in %d pages, want 5 in 3", len(got), pages)
	}
	wantOrder := []string{ids[0], ids[2], ids[3], ids[4], ids[1]}
	for i, s := range got {
		if s.ID != wantOrder[i] || s.TotalMinor != 4478 || s.Currency != "USD" ||
			!s.OrderedAt.Equal(t0.Truncate(24*time.Hour)) || s.Number == "" ||
			s.Cancelled != (s.ID == ids[1]) {
			t.Errorf("summary %d = %+v, want order %s of 44.78 USD", i, s, wantOrder[i])
		}
		if i > 0 && s.Modified.Before(got[i-1].Modified) {
			t.Errorf("summary %d modified %v before the one before it", i, s.Modified)
		}
	}
	if got[4].ExternalRef != "demo:601" {
		t.Errorf("cancelled order's reference = %q, want demo:601", got[4].ExternalRef)
	}

	late, _ := allPages(t, t0.Add(90*time.Minute), 2, list)
	if len(late) != 1 || late[0].ID != ids[1] || !late[0].Cancelled {
		t.Errorf("changed after the cancel = %+v, want the cancelled order only", late)
	}
}
