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

// seedLaterProducts adds n products one minute apart, after the seeded
// ones, and returns the time the first of them was stamped.
func seedLaterProducts(t *testing.T, e *env, n int) time.Time {
	t.Helper()
	e.clock.Advance(time.Hour)
	start := e.clock.Now()
	for i := range n {
		_, err := e.model.CreateProduct(erpsandbox.Product{SKU: fmt.Sprintf("L-%d", i),
			Name: "Later", PriceMinor: int64(100 + i), Currency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
	}
	return start
}

func TestChangedProductsPagesByNextLink(t *testing.T) {
	e := newEnv(t, nil)
	seedLaterProducts(t, e, 3)

	var skus []string
	q := erp.Changes{Limit: 2}
	for pages := 1; ; pages++ {
		page, err := e.client.ChangedProducts(t.Context(), q)
		if err != nil {
			t.Fatalf("ChangedProducts(%+v) error = %v", q, err)
		}
		if len(page.Items) > 2 {
			t.Fatalf("page %d has %d items, want at most 2", pages, len(page.Items))
		}
		for _, p := range page.Items {
			skus = append(skus, p.SKU)
		}
		if page.Next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		q.Cursor = page.Next
	}
	if got := strings.Join(skus, ","); got != "W-1,G-1,T-1,L-0,L-1,L-2" {
		t.Errorf("products listed = %s, want oldest first, each once", got)
	}
}

func TestChangedProductsDeltaAndPrices(t *testing.T) {
	e := newEnv(t, nil)
	since := seedLaterProducts(t, e, 2)

	page, err := e.client.ChangedProducts(t.Context(), erp.Changes{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	want := []erp.Product{
		{SKU: "L-0", PriceMinor: 100, Currency: "USD", Active: true, Modified: since},
		{SKU: "L-1", PriceMinor: 101, Currency: "USD", Active: true,
			Modified: since.Add(time.Minute)},
	}
	if len(page.Items) != len(want) {
		t.Fatalf("ChangedProducts(since) = %+v, want %d products", page.Items, len(want))
	}
	for i, w := range want {
		g := page.Items[i]
		if g.SKU != w.SKU || g.PriceMinor != w.PriceMinor || g.Currency != w.Currency ||
			!g.Active || !g.Modified.Equal(w.Modified) || g.ID == "" {
			t.Errorf("product %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestCursorOfAnotherHostIsInvalid(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.client.ChangedProducts(t.Context(),
		erp.Changes{Cursor: "https://elsewhere.test/items?$skiptoken=x"})
	var inv *syncerr.InvalidError
	if !errors.As(err, &inv) || inv.Field != "cursor" {
		t.Fatalf("ChangedProducts(foreign cursor) error = %v, want InvalidError on cursor", err)
	}
}

func TestChangedStockSumsLocationsInKeysetPages(t *testing.T) {
	e := newEnv(t, nil)
	for _, s := range []struct {
		sku, loc string
		qty      int64
	}{{"W-1", "EAST", 5}, {"W-1", "WEST", 7}, {"G-1", "EAST", 3}, {"T-1", "WEST", 0}} {
		if _, err := e.model.SetStock(s.sku, s.loc, s.qty, 0); err != nil {
			t.Fatal(err)
		}
	}

	got := map[string]int64{}
	var order []string
	q := erp.Changes{Limit: 2}
	for range 5 {
		page, err := e.client.ChangedStock(t.Context(), q)
		if err != nil {
			t.Fatalf("ChangedStock(%+v) error = %v", q, err)
		}
		for _, l := range page.Items {
			got[l.SKU] = l.OnHand
			order = append(order, l.SKU)
		}
		if q.Cursor = page.Next; q.Cursor == "" {
			break
		}
	}
	if strings.Join(order, ",") != "G-1,T-1,W-1" || got["W-1"] != 12 || got["G-1"] != 3 {
		t.Errorf("stock listed %v as %v, want G-1 3, T-1 0, W-1 12 by item number", order, got)
	}
}

func TestChangedShipmentsLinkTheirOrders(t *testing.T) {
	e := newEnv(t, nil)
	ref, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:5001"))
	if err != nil {
		t.Fatal(err)
	}
	orders := e.model.SalesOrders()
	e.clock.Advance(time.Hour)
	shipped, err := e.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: orders[0].ID,
		Lines: []erpsandbox.ShipmentLine{{ProductID: orders[0].Lines[0].ProductID, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}

	page, err := e.client.ChangedShipments(t.Context(), erp.Changes{Since: shipped.Modified})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("ChangedShipments() = %+v, want one shipment", page.Items)
	}
	s := page.Items[0]
	if s.SalesOrderID != ref.ID || !strings.EqualFold(s.ExternalRef, "demo:5001") ||
		len(s.Lines) != 1 || s.Lines[0] != (erp.ShipmentLine{SKU: "W-1", Quantity: 1}) ||
		!s.Modified.Equal(shipped.Modified) || s.ShippedAt.IsZero() {
		t.Errorf("shipment = %+v, want order %s, one W-1", s, ref.ID)
	}

	later, err := e.client.ChangedShipments(t.Context(),
		erp.Changes{Since: shipped.Modified.Add(time.Second)})
	if err != nil || len(later.Items) != 0 {
		t.Errorf("ChangedShipments(after) = %+v, %v; want none", later.Items, err)
	}
}

func TestCustomersFindCreateUpdateAndDelta(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	created, err := e.client.CreateCustomer(ctx, erp.Customer{ExternalID: "demo:c-1",
		Email: "Grace@Example.com", Name: "Grace Hopper", Address: erp.Address{City: "NYC"}})
	if err != nil {
		t.Fatalf("CreateCustomer() error = %v", err)
	}

	byID, found, err := e.client.FindCustomer(ctx, erp.CustomerQuery{ExternalID: "demo:c-1"})
	if err != nil || !found || byID.ID != created.ID {
		t.Fatalf("FindCustomer(external id) = %+v, %v, %v", byID, found, err)
	}
	byEmail, found, err := e.client.FindCustomer(ctx,
		erp.CustomerQuery{Email: "grace@example.COM"})
	if err != nil || !found || byEmail.ID != created.ID {
		t.Fatalf("FindCustomer(e-mail) = %+v, %v, %v", byEmail, found, err)
	}

	e.clock.Advance(time.Hour)
	since := e.clock.Now()
	updated, err := e.client.UpdateCustomer(ctx, created.ID, erp.Customer{Phone: "+1 555"})
	if err != nil || updated.Phone != "+1 555" || updated.Name != "Grace Hopper" ||
		updated.Address.City != "NYC" {
		t.Fatalf("UpdateCustomer() = %+v, %v; want the phone set, the rest kept", updated, err)
	}

	page, err := e.client.ChangedCustomers(ctx, erp.Changes{Since: since})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != created.ID ||
		!page.Items[0].Modified.Equal(since) {
		t.Errorf("ChangedCustomers(since update) = %+v, %v; want the updated one", page, err)
	}
}

func TestCustomerExternalIDLongerThan20IsInvalid(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.client.CreateCustomer(t.Context(), erp.Customer{
		ExternalID: strings.Repeat("x", 21), Email: "x@example.com", Name: "X"})
	var inv *syncerr.InvalidError
	if !errors.As(err, &inv) || inv.Field != "customer.external_id" {
		t.Fatalf("CreateCustomer() error = %v, want InvalidError on customer.external_id", err)
	}
}

// TestUpdateCustomerRetriesStaleETag changes the customer between the
// adapter's read and its PATCH once: the sandbox answers 412 and the
// adapter reads again.
func TestUpdateCustomerRetriesStaleETag(t *testing.T) {
	var e *env
	var patches, raced atomic.Int64
	e = newEnv(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPatch {
				patches.Add(1)
				if raced.Add(1) == 1 {
					_, _ = e.model.UpdateCustomer(e.model.Customers()[0].ID,
						func(c *erpsandbox.Customer) error { c.Phone = "raced"; return nil })
				}
			}
			h.ServeHTTP(w, r)
		})
	})
	created, err := e.client.CreateCustomer(t.Context(), erp.Customer{Email: "a@example.com",
		Name: "A"})
	if err != nil {
		t.Fatal(err)
	}

	updated, err := e.client.UpdateCustomer(t.Context(), created.ID, erp.Customer{Name: "B"})
	if err != nil || updated.Name != "B" {
		t.Fatalf("UpdateCustomer() = %+v, %v; want renamed", updated, err)
	}
	if n := patches.Load(); n != 2 {
		t.Errorf("PATCH requests = %d, want 2 (one refused with 412)", n)
	}
}

func TestUpdateUnknownCustomerIsNotFound(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.client.UpdateCustomer(t.Context(), "00000000-0000-4000-8000-0000000003e7",
		erp.Customer{Name: "B"})
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Fatalf("UpdateCustomer(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestChangedCancellationsIsEmpty(t *testing.T) {
	e := newEnv(t, nil)
	page, err := e.client.ChangedCancellations(t.Context(), erp.Changes{})
	if err != nil || len(page.Items) != 0 || page.Next != "" {
		t.Errorf("ChangedCancellations() = %+v, %v; want an empty last page", page, err)
	}
}
