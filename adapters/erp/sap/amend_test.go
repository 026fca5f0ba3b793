package sap

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// bookOrder creates an order with service lines and returns its model id.
func bookOrder(t *testing.T, f *fixture, ref string) (string, int64) {
	t.Helper()
	seedServiceItems(t, f)
	created, err := f.client.CreateSalesOrder(t.Context(), chargedOrder(ref))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	id, err := strconv.ParseInt(created.ID, 10, 64)
	if err != nil {
		t.Fatalf("sales order number %q: %v", created.ID, err)
	}
	return created.ID, id
}

// itemPatches counts the PATCHes of sales order items.
func itemPatches(f *fixture) int {
	n := 0
	for _, p := range f.patched() {
		if strings.Contains(p, "/A_SalesOrderItem(") {
			n++
		}
	}
	return n
}

func TestCancelRejectsEveryItemOnce(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	id, modelID := bookOrder(t, f, "demo:4001")
	start := f.clock.Now()
	f.clock.Advance(time.Minute)

	if err := f.client.CancelSalesOrder(ctx, id, "cancelled in the store"); err != nil {
		t.Fatalf("CancelSalesOrder() error = %v", err)
	}
	o, _ := f.model.SalesOrder(modelID)
	if o.State != erpsandbox.OrderCancelled || o.CancelReason != DefaultRejectionReason {
		t.Errorf("order after cancel = %s with reason %q, want cancelled with %s", o.State,
			o.CancelReason, DefaultRejectionReason)
	}
	if n := itemPatches(f); n != 5 {
		t.Errorf("PATCHed %d items, want all 5", n)
	}

	if err := f.client.CancelSalesOrder(ctx, id, "cancelled in the store"); err != nil {
		t.Fatalf("second CancelSalesOrder() error = %v, want none", err)
	}
	if n := itemPatches(f); n != 5 {
		t.Errorf("second cancel PATCHed items (%d in all), want none", n)
	}

	cancellations, _ := listAll(t, f.client.ChangedCancellations, erp.Changes{Since: start})
	if len(cancellations) != 1 || cancellations[0].SalesOrderID != id ||
		cancellations[0].Reason != DefaultRejectionReason {
		t.Errorf("ChangedCancellations() = %+v, want %s with reason %s", cancellations, id,
			DefaultRejectionReason)
	}
}

func TestCancelUsesTheConfiguredReason(t *testing.T) {
	f := newFixture(t)
	id, modelID := bookOrder(t, f, "demo:4002")
	c := New(Config{URL: f.url, User: testCreds.User, Password: testCreds.Password,
		RejectionReason: "03"})

	if err := c.CancelSalesOrder(t.Context(), id, "too expensive"); err != nil {
		t.Fatalf("CancelSalesOrder() error = %v", err)
	}
	if o, _ := f.model.SalesOrder(modelID); o.CancelReason != "03" {
		t.Errorf("reason = %q, want 03", o.CancelReason)
	}
}

func TestCancelShippedOrderIsRefused(t *testing.T) {
	f := newFixture(t)
	id, modelID := bookOrder(t, f, "demo:4003")
	mug, _ := f.model.ProductBySKU("MUG")
	if _, err := f.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: modelID,
		Lines: []erpsandbox.ShipmentLine{{ProductID: mug.ID, Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}

	err := f.client.CancelSalesOrder(t.Context(), id, "cancelled in the store")
	if !errors.Is(err, erp.ErrShipped) {
		t.Fatalf("CancelSalesOrder() of a shipped order error = %v, want ErrShipped", err)
	}
	if o, _ := f.model.SalesOrder(modelID); o.State != erpsandbox.OrderConfirmed {
		t.Errorf("shipped order is %s, want it left confirmed", o.State)
	}
	if n := itemPatches(f); n != 0 {
		t.Errorf("PATCHed %d items of a shipped order, want none", n)
	}
}

func TestCancelRefusedForADeliveryMeanwhileIsShipped(t *testing.T) {
	f := newFixture(t)
	id, modelID := bookOrder(t, f, "demo:4004")
	var once sync.Once
	ship := func() {
		if _, err := f.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: modelID}); err != nil {
			t.Errorf("ShipSalesOrder() error = %v", err)
		}
	}
	f.mu.Lock()
	f.before = func(r *http.Request) {
		if r.Method == http.MethodPatch {
			once.Do(ship)
		}
	}
	f.mu.Unlock()

	err := f.client.CancelSalesOrder(t.Context(), id, "cancelled in the store")
	var invalid *syncerr.InvalidError
	if !errors.Is(err, erp.ErrShipped) || !errors.As(err, &invalid) ||
		!strings.Contains(invalid.Reason, "subsequent delivery") {
		t.Fatalf("CancelSalesOrder() error = %v, want ErrShipped with SAP's refusal", err)
	}
	if o, _ := f.model.SalesOrder(modelID); o.State != erpsandbox.OrderConfirmed {
		t.Errorf("order is %s, want it left confirmed", o.State)
	}
}

func TestCancelUnknownOrderIsNotFound(t *testing.T) {
	f := newFixture(t)
	err := f.client.CancelSalesOrder(t.Context(), "999999", "")
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("CancelSalesOrder(999999) error = %v, want ErrNotFound", err)
	}
	var invalid *syncerr.InvalidError
	if err := f.client.CancelSalesOrder(t.Context(), "", ""); !errors.As(err, &invalid) {
		t.Errorf("CancelSalesOrder(\"\") error = %v, want InvalidError", err)
	}
}

func TestCancelAfterALostAnswerFinishes(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	id, modelID := bookOrder(t, f, "demo:4005")
	f.shot(erpsandbox.Shot{Kind: erpsandbox.KindDropResponse,
		Op: "API_SALES_ORDER_SRV/A_SalesOrderItem/PATCH"})

	err := f.client.CancelSalesOrder(ctx, id, "")
	if !errors.Is(err, syncerr.ErrUnavailable) {
		t.Fatalf("CancelSalesOrder() with a lost answer error = %v, want ErrUnavailable", err)
	}
	if err := f.client.CancelSalesOrder(ctx, id, ""); err != nil {
		t.Fatalf("CancelSalesOrder() again error = %v", err)
	}
	if o, _ := f.model.SalesOrder(modelID); o.State != erpsandbox.OrderCancelled {
		t.Errorf("order is %s, want cancelled", o.State)
	}
	if n := itemPatches(f); n != 5 {
		t.Errorf("PATCHed %d items in all, want 5: the lost one was applied", n)
	}
}

func TestCreditMemoIsUnsupported(t *testing.T) {
	f := newFixture(t)
	memo := erp.CreditMemo{ExternalRef: "demo:1:refund:1", SalesOrderID: "1",
		Currency: "EUR", TotalMinor: 100,
		Lines: []erp.Line{{SKU: "REFUND", Quantity: 1, UnitPriceMinor: 100,
			Kind: erp.LineRefund}}}

	for range 2 {
		ref, err := f.client.CreateCreditMemo(t.Context(), memo)
		if !errors.Is(err, erp.ErrUnsupported) || ref != (erp.CreditMemoRef{}) ||
			!strings.Contains(err.Error(), "API_CREDIT_MEMO_REQUEST_SRV") {
			t.Errorf("CreateCreditMemo() = %+v, %v; want ErrUnsupported naming the API", ref,
				err)
		}
	}
	if n := f.model.RequestsServed(); n != 0 || len(f.model.CreditMemos()) != 0 {
		t.Errorf("sandbox served %d requests, want none and no credit memo", n)
	}
}
