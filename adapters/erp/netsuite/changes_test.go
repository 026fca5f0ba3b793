package netsuite

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// allPages lists every page of list from since, page by page, and counts
// the pages. It stops after 50 pages.
func allPages[T any](t *testing.T, since time.Time, limit int,
	list func(erp.Changes) (erp.Page[T], error)) ([]T, int) {
	t.Helper()
	var items []T
	q := erp.Changes{Since: since, Limit: limit}
	for pages := 1; pages <= 50; pages++ {
		page, err := list(q)
		if err != nil {
			t.Fatalf("page %d: error = %v", pages, err)
		}
		items = append(items, page.Items...)
		if page.Next == "" {
			return items, pages
		}
		q.Cursor = page.Next
	}
	t.Fatal("listing did not end after 50 pages")
	return nil, 0
}

func TestChangedProductsPagesAndDelta(t *testing.T) {
	e := newEnv(t, "tba", nil)
	t1 := t0.Add(time.Hour)
	e.clock.Set(t1)
	for i := range 5 {
		_, err := e.model.CreateProduct(erpsandbox.Product{SKU: fmt.Sprintf("N-%d", i),
			Name: "New", PriceMinor: int64(100 + i), Currency: "USD"})
		if err != nil {
			t.Fatalf("CreateProduct() error = %v", err)
		}
	}

	list := func(q erp.Changes) (erp.Page[erp.Product], error) {
		return e.client.ChangedProducts(t.Context(), q)
	}
	changed, pages := allPages(t, t1, 2, list)
	if len(changed) != 5 || pages != 3 {
		t.Fatalf("changed since t1 = %d products in %d pages, want 5 in 3", len(changed), pages)
	}
	for i, p := range changed {
		if p.SKU != fmt.Sprintf("N-%d", i) || p.PriceMinor != int64(100+i) ||
			p.Currency != "USD" || !p.Active || !p.Modified.Equal(t1) {
			t.Errorf("product %d = %+v", i, p)
		}
	}

	all, _ := allPages(t, t0, 3, list)
	if len(all) != 7 || all[0].SKU != "W-1" || all[0].PriceMinor != 1999 {
		t.Errorf("changed since t0 = %+v, want 7 products, W-1 first", all)
	}
}

func TestBadCursorIsInvalid(t *testing.T) {
	e := newEnv(t, "tba", nil)
	_, err := e.client.ChangedProducts(t.Context(), erp.Changes{Since: t0, Cursor: "x.y"})
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != "cursor" {
		t.Errorf("ChangedProducts() with a bad cursor: error = %v, want InvalidError", err)
	}
}

func TestChangedStock(t *testing.T) {
	e := newEnv(t, "oauth2", nil)
	for _, loc := range []string{"WH-EAST", "WH-WEST"} {
		if _, err := e.model.SetStock("W-1", loc, 40, 5); err != nil {
			t.Fatalf("SetStock() error = %v", err)
		}
	}
	t1 := t0.Add(time.Minute)
	e.clock.Set(t1)
	if _, err := e.model.SetSafetyStock("W-1", "WH-EAST", 3); err != nil {
		t.Fatalf("SetSafetyStock() error = %v", err)
	}

	levels, _ := allPages(t, t0, 1, func(q erp.Changes) (erp.Page[erp.StockLevel], error) {
		return e.client.ChangedStock(t.Context(), q)
	})
	want := []erp.StockLevel{
		{SKU: "W-1", Location: "WH-WEST", OnHand: 40, Reserved: 5, Modified: t0},
		{SKU: "W-1", Location: "WH-EAST", OnHand: 40, Reserved: 5, SafetyStock: 3, Modified: t1},
	}
	if fmt.Sprint(levels) != fmt.Sprint(want) {
		t.Errorf("ChangedStock() =\n%+v\nwant\n%+v", levels, want)
	}

	delta, _ := allPages(t, t1, 10, func(q erp.Changes) (erp.Page[erp.StockLevel], error) {
		return e.client.ChangedStock(t.Context(), q)
	})
	if len(delta) != 1 || delta[0].Location != "WH-EAST" || delta[0].Available() != 32 {
		t.Errorf("ChangedStock() since t1 = %+v, want WH-EAST with 32 available", delta)
	}
}

func TestChangedShipmentsAndCancellations(t *testing.T) {
	e := newEnv(t, "tba", nil)
	shipped, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:3001"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	cancelled, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:3002"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}

	t1 := t0.Add(time.Hour)
	e.clock.Set(t1)
	shippedID, _ := strconv.ParseInt(shipped.ID, 10, 64)
	_, err = e.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: shippedID, Carrier: "UPS",
		TrackingNumber: "1Z999", ShippedAt: t1})
	if err != nil {
		t.Fatalf("ShipSalesOrder() error = %v", err)
	}
	cancelledID, _ := strconv.ParseInt(cancelled.ID, 10, 64)
	if _, err := e.model.CancelSalesOrder(cancelledID, "customer asked"); err != nil {
		t.Fatalf("CancelSalesOrder() error = %v", err)
	}

	ships, _ := allPages(t, t1, 10, func(q erp.Changes) (erp.Page[erp.Shipment], error) {
		return e.client.ChangedShipments(t.Context(), q)
	})
	if len(ships) != 1 || ships[0].SalesOrderID != shipped.ID ||
		ships[0].ExternalRef != "demo:3001" || ships[0].TrackingNumber != "1Z999" ||
		ships[0].Carrier != "UPS" || len(ships[0].Lines) != 2 ||
		ships[0].Lines[0] != (erp.ShipmentLine{SKU: "W-1", Quantity: 2}) {
		t.Errorf("ChangedShipments() = %+v", ships)
	}

	cancels, _ := allPages(t, t1, 10, func(q erp.Changes) (erp.Page[erp.Cancellation], error) {
		return e.client.ChangedCancellations(t.Context(), q)
	})
	want := erp.Cancellation{SalesOrderID: cancelled.ID, ExternalRef: "demo:3002",
		Reason: "customer asked", Modified: t1}
	if len(cancels) != 1 || cancels[0] != want {
		t.Errorf("ChangedCancellations() = %+v, want %+v", cancels, want)
	}
}

func TestCustomers(t *testing.T) {
	e := newEnv(t, "oauth2", nil)
	ctx := t.Context()
	c := erp.Customer{ExternalID: "shop:cust-1", Email: "Bea@Example.com", Name: "Bea Reis",
		Phone: "+351 1", Address: erp.Address{Line1: "2 Rua", City: "Porto", CountryCode: "PT"}}

	first, err := e.client.CreateCustomer(ctx, c)
	if err != nil {
		t.Fatalf("CreateCustomer() error = %v", err)
	}
	again, err := e.client.CreateCustomer(ctx, c)
	if err != nil || again.ID != first.ID || len(e.model.Customers()) != 1 {
		t.Fatalf("CreateCustomer() again = %+v, %v; want the same customer", again, err)
	}
	if first.ExternalID != "shop:cust-1" || first.Address.City != "Porto" ||
		first.Address.CountryCode != "PT" || first.Name != "Bea Reis" {
		t.Errorf("CreateCustomer() = %+v", first)
	}

	byEID, found, err := e.client.FindCustomer(ctx, erp.CustomerQuery{ExternalID: "shop:cust-1"})
	if err != nil || !found || byEID.ID != first.ID {
		t.Errorf("FindCustomer(external id) = %+v, %v, %v", byEID, found, err)
	}
	byEmail, found, err := e.client.FindCustomer(ctx, erp.CustomerQuery{Email: "bea@example.COM"})
	if err != nil || !found || byEmail.ID != first.ID {
		t.Errorf("FindCustomer(email) = %+v, %v, %v", byEmail, found, err)
	}
	if _, found, err := e.client.FindCustomer(ctx, erp.CustomerQuery{Email: "x@y.z"}); found ||
		err != nil {
		t.Errorf("FindCustomer(unknown email) = %v, %v; want none", found, err)
	}

	t1 := t0.Add(time.Hour)
	e.clock.Set(t1)
	updated, err := e.client.UpdateCustomer(ctx, first.ID, erp.Customer{Phone: "+351 2"})
	if err != nil || updated.Phone != "+351 2" || updated.Email != c.Email ||
		updated.Address.City != "Porto" {
		t.Fatalf("UpdateCustomer() = %+v, %v", updated, err)
	}

	changed, _ := allPages(t, t1, 10, func(q erp.Changes) (erp.Page[erp.CustomerRecord], error) {
		return e.client.ChangedCustomers(ctx, q)
	})
	if len(changed) != 1 || changed[0].ID != first.ID || !changed[0].Modified.Equal(t1) {
		t.Errorf("ChangedCustomers() = %+v, want the updated customer", changed)
	}
}

func TestChangedStockPagesWithinOneSecond(t *testing.T) {
	e := newEnv(t, "tba", nil)
	for _, s := range []struct{ sku, loc string }{
		{"G-1", "WH-B"}, {"W-1", "WH-A"}, {"W-1", "WH-B"}, {"G-1", "WH-A"},
	} {
		if _, err := e.model.SetStock(s.sku, s.loc, 10, 1); err != nil {
			t.Fatalf("SetStock() error = %v", err)
		}
	}

	levels, pages := allPages(t, t0, 1, func(q erp.Changes) (erp.Page[erp.StockLevel], error) {
		return e.client.ChangedStock(t.Context(), q)
	})
	seen := map[string]bool{}
	for _, l := range levels {
		seen[l.SKU+"@"+l.Location] = true
	}
	if len(levels) != 4 || len(seen) != 4 || pages != 4 {
		t.Errorf("ChangedStock() in pages of 1 = %+v in %d pages, want 4 levels once each",
			levels, pages)
	}
}

// TestChangesDuringPaging changes records while a listing pages: a record
// already listed comes again at the end, one not yet listed comes once, and
// none is skipped.
func TestChangesDuringPaging(t *testing.T) {
	e := newEnv(t, "oauth2", nil)
	for i := range 3 {
		_, err := e.model.CreateProduct(erpsandbox.Product{SKU: fmt.Sprintf("N-%d", i),
			Name: "New", PriceMinor: 100, Currency: "USD"})
		if err != nil {
			t.Fatalf("CreateProduct() error = %v", err)
		}
	}
	q := erp.Changes{Since: t0, Limit: 2}
	first, err := e.client.ChangedProducts(t.Context(), q)
	if err != nil || len(first.Items) != 2 || first.Next == "" {
		t.Fatalf("first page = %+v, %v", first, err)
	}

	e.clock.Set(t0.Add(time.Minute))
	for _, id := range []string{first.Items[0].ID, "4"} {
		n, _ := strconv.ParseInt(id, 10, 64)
		touch := func(p *erpsandbox.Product) error { p.PriceMinor++; return nil }
		if _, err := e.model.UpdateProduct(n, touch); err != nil {
			t.Fatalf("UpdateProduct(%d) error = %v", n, err)
		}
	}

	var rest []string
	q.Cursor = first.Next
	for pages := 0; q.Cursor != ""; pages++ {
		if pages == 10 {
			t.Fatal("listing did not end after 10 pages")
		}
		page, err := e.client.ChangedProducts(t.Context(), q)
		if err != nil {
			t.Fatalf("ChangedProducts() error = %v", err)
		}
		for _, p := range page.Items {
			rest = append(rest, p.ID)
		}
		q.Cursor = page.Next
	}
	want := fmt.Sprint([]string{"3", "5", first.Items[0].ID, "4"})
	if got := fmt.Sprint(rest); got != want {
		t.Errorf("pages after the first = %s, want %s", got, want)
	}
}
