package sap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/erp/sap/sapsandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// listAll follows a change listing to its end, failing after 20 pages.
func listAll[T any](t *testing.T, list func(context.Context, erp.Changes) (erp.Page[T], error),
	q erp.Changes) ([]T, int) {
	t.Helper()
	var all []T
	for pages := 1; pages <= 20; pages++ {
		page, err := list(t.Context(), q)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		all = append(all, page.Items...)
		if page.Next == "" {
			return all, pages
		}
		q.Cursor = page.Next
	}
	t.Fatalf("listing did not end after 20 pages")
	return nil, 0
}

func TestChangedProductsPagesAndFilters(t *testing.T) {
	f := newFixture(t)
	start := f.clock.Now()
	if _, err := f.model.SeedProducts([]erpsandbox.Product{
		{SKU: "BAG", Name: "Bag", PriceMinor: 1500, Currency: "EUR"},
		{SKU: "CAP", Name: "Cap", PriceMinor: 1900, Currency: "EUR"},
		{SKU: "PIN", Name: "Pin", PriceMinor: 500, Currency: "EUR"},
	}); err != nil {
		t.Fatal(err)
	}

	all, pages := listAll(t, f.client.ChangedProducts, erp.Changes{Since: start, Limit: 2})
	var skus []string
	for _, p := range all {
		skus = append(skus, p.SKU)
	}
	if want := []string{"BAG", "CAP", "MUG", "PIN", "TEE"}; !slices.Equal(skus, want) ||
		pages != 3 {
		t.Fatalf("listed %v in %d pages, want %v in 3", skus, pages, want)
	}
	if p := all[2]; p.Name != "Mug" || p.PriceMinor != 1250 || p.Currency != "EUR" ||
		!p.Active || !p.Modified.Equal(start) {
		t.Errorf("MUG listed as %+v", p)
	}

	f.clock.Advance(time.Hour)
	mug, _ := f.model.ProductBySKU("MUG")
	if _, err := f.model.UpdateProduct(mug.ID, func(p *erpsandbox.Product) error {
		p.PriceMinor = 1300
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	changed, _ := listAll(t, f.client.ChangedProducts,
		erp.Changes{Since: start.Add(30 * time.Minute)})
	if len(changed) != 1 || changed[0].SKU != "MUG" || changed[0].PriceMinor != 1300 {
		t.Errorf("changed since the update = %+v, want MUG at 13.00", changed)
	}
}

func TestServerSidePagingContinues(t *testing.T) {
	f := newFixture(t, sapsandbox.WithPageLimit(2))
	if _, err := f.model.SeedProducts([]erpsandbox.Product{
		{SKU: "BAG", Name: "Bag", PriceMinor: 1500, Currency: "EUR"},
		{SKU: "CAP", Name: "Cap", PriceMinor: 1900, Currency: "EUR"},
		{SKU: "PIN", Name: "Pin", PriceMinor: 500, Currency: "EUR"},
	}); err != nil {
		t.Fatal(err)
	}
	for i, sku := range []string{"BAG", "CAP", "MUG", "PIN", "TEE"} {
		if _, err := f.model.SetStock(sku, "WH", int64(i+1), 0); err != nil {
			t.Fatal(err)
		}
	}

	products, _ := listAll(t, f.client.ChangedProducts, erp.Changes{Limit: 10})
	levels, _ := listAll(t, f.client.ChangedStock, erp.Changes{Limit: 10})
	if len(products) != 5 || len(levels) != 5 {
		t.Errorf("listed %d products and %d stock levels under a server page of 2, want 5 each",
			len(products), len(levels))
	}
}

func TestBadCursorIsInvalid(t *testing.T) {
	f := newFixture(t)
	_, err := f.client.ChangedProducts(t.Context(), erp.Changes{Cursor: "not-a-cursor"})
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != "cursor" {
		t.Errorf("ChangedProducts(bad cursor) error = %v, want InvalidError on cursor", err)
	}
}

func TestCustomersFindCreateUpdate(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	created, err := f.client.CreateCustomer(ctx, erp.Customer{ExternalID: "shop-7",
		Email: "grace@example.com", Name: "Grace Brewster Hopper", Phone: "+351 1",
		Address: erp.Address{Line1: "2 Dock Road", City: "Porto", CountryCode: "pt"}})
	if err != nil {
		t.Fatalf("CreateCustomer() error = %v", err)
	}

	byID, found, err := f.client.FindCustomer(ctx, erp.CustomerQuery{ExternalID: "shop-7"})
	if err != nil || !found || byID.ID != created.ID || byID.Name != "Grace Brewster Hopper" ||
		byID.Email != "grace@example.com" || byID.Phone != "+351 1" ||
		byID.Address.CountryCode != "PT" || byID.Address.City != "Porto" {
		t.Fatalf("FindCustomer(external id) = %+v, %v, %v", byID, found, err)
	}
	byEmail, found, err := f.client.FindCustomer(ctx,
		erp.CustomerQuery{Email: "Grace@Example.com"})
	if err != nil || !found || byEmail.ID != created.ID {
		t.Fatalf("FindCustomer(e-mail) = %+v, %v, %v", byEmail, found, err)
	}
	_, found, err = f.client.FindCustomer(ctx, erp.CustomerQuery{Email: "no@example.com"})
	if err != nil || found {
		t.Errorf("FindCustomer(unknown e-mail) = %v, %v; want not found", found, err)
	}

	f.clock.Advance(time.Minute)
	updated, err := f.client.UpdateCustomer(ctx, created.ID, erp.Customer{
		Email: "grace@navy.example", Name: "Grace Hopper", Address: erp.Address{City: "Lisbon"}})
	if err != nil {
		t.Fatalf("UpdateCustomer() error = %v", err)
	}
	if updated.Email != "grace@navy.example" || updated.Name != "Grace Hopper" ||
		updated.Address.City != "Lisbon" || updated.Address.Line1 != "2 Dock Road" ||
		updated.Phone != "+351 1" || updated.ExternalID != "shop-7" {
		t.Errorf("UpdateCustomer() = %+v, want new e-mail, name and city, the rest kept", updated)
	}
}

func TestUpdateCustomerAddsMissingEmail(t *testing.T) {
	f := newFixture(t)
	c, err := f.model.CreateCustomer(erpsandbox.Customer{Name: "No Mail"})
	if err != nil {
		t.Fatal(err)
	}

	rec, err := f.client.UpdateCustomer(t.Context(), fmt.Sprint(c.ID),
		erp.Customer{Email: "mail@example.com"})
	if err != nil || rec.Email != "mail@example.com" {
		t.Errorf("UpdateCustomer() = %+v, %v; want the e-mail added", rec, err)
	}
}

func TestUpdateUnknownCustomerIsNotFound(t *testing.T) {
	f := newFixture(t)
	_, err := f.client.UpdateCustomer(t.Context(), "999", erp.Customer{Name: "X Y"})
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("UpdateCustomer(999) error = %v, want ErrNotFound", err)
	}
}

func TestChangedCustomersPagesAndFilters(t *testing.T) {
	f := newFixture(t)
	start := f.clock.Now()
	for i := range 5 {
		if _, err := f.model.CreateCustomer(erpsandbox.Customer{Name: fmt.Sprint("C ", i),
			Email: fmt.Sprintf("c%d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)
	}

	all, pages := listAll(t, f.client.ChangedCustomers, erp.Changes{Since: start, Limit: 2})
	if len(all) != 5 || pages != 3 || all[0].Email != "c0@example.com" ||
		all[4].Email != "c4@example.com" {
		t.Fatalf("listed %+v in %d pages, want c0..c4 in 3", all, pages)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Modified.Before(all[i-1].Modified) {
			t.Errorf("customer %d listed before an older one", i)
		}
	}

	later, _ := listAll(t, f.client.ChangedCustomers,
		erp.Changes{Since: start.Add(3 * time.Second)})
	if len(later) != 2 || later[0].Email != "c3@example.com" {
		t.Errorf("changed since +3s = %+v, want c3 and c4", later)
	}
}

func TestChangedCustomersMergesCreatedAndChanged(t *testing.T) {
	f := newFixture(t)
	start := f.clock.Now()
	ids := map[string]int64{}
	create := func(name string) {
		c, err := f.model.CreateCustomer(erpsandbox.Customer{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = c.ID
		f.clock.Advance(time.Second)
	}
	create("A")
	create("B")
	create("C")
	if _, err := f.model.UpdateCustomer(ids["A"], func(c *erpsandbox.Customer) error {
		c.Phone = "+351 2"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Second)
	create("D")

	all, pages := listAll(t, f.client.ChangedCustomers,
		erp.Changes{Since: start.Add(time.Second), Limit: 1})
	var names []string
	for _, c := range all {
		names = append(names, c.Name)
	}
	if want := []string{"B", "C", "A", "D"}; !slices.Equal(names, want) || pages < 4 {
		t.Errorf("listed %v in %d pages, want %v: created and changed in time order",
			names, pages, want)
	}
}

func TestInterleaveStopsWhereAStreamIsUnread(t *testing.T) {
	at := func(sec int, id string) cursor {
		return cursor{Modified: time.Unix(int64(sec), 0), ID: id}
	}
	rows := [2][]cursor{{at(1, "1"), at(5, "2")}, {at(2, "3"), at(3, "4"), at(9, "5")}}
	self := func(c cursor) cursor { return c }

	got, taken := interleave(rows, [2]bool{true, false}, 10, self)
	if len(got) != 4 || taken != [2]int{2, 2} || got[2].ID != "4" {
		t.Errorf("interleave() = %v, %v; want 1, 3, 4, 2 and a stop before 5", got, taken)
	}
	got, _ = interleave(rows, [2]bool{}, 3, self)
	if len(got) != 3 || got[0].ID != "1" || got[1].ID != "3" || got[2].ID != "4" {
		t.Errorf("interleave(size 3) = %v, want 1, 3, 4", got)
	}
}

func TestChangedStockSumsPerLocation(t *testing.T) {
	f := newFixture(t)
	levels := []struct {
		sku, loc         string
		onHand, reserved int64
	}{
		{"MUG", "WH-EAST", 10, 3}, {"MUG", "1710/0001", 4, 0},
		{"TEE", "WH-EAST", 7, 7}, {"BAG", "WH-WEST", 5, 1},
	}
	for _, l := range levels {
		if _, err := f.model.SetStock(l.sku, l.loc, l.onHand, l.reserved); err != nil {
			t.Fatal(err)
		}
	}

	all, pages := listAll(t, f.client.ChangedStock, erp.Changes{Limit: 1})
	got := map[string]erp.StockLevel{}
	for _, l := range all {
		got[l.SKU+"@"+l.Location] = l
	}
	want := map[string][2]int64{
		"BAG@1010/WH-WEST": {5, 1}, "MUG@1010/WH-EAST": {10, 3}, "MUG@1710/0001": {4, 0},
		"TEE@1010/WH-EAST": {7, 7},
	}
	if len(got) != len(want) || len(all) != len(want) || pages < 3 {
		t.Fatalf("listed %+v in %d pages, want %d levels over 3 or more pages", all, pages,
			len(want))
	}
	for key, w := range want {
		if l := got[key]; l.OnHand != w[0] || l.Reserved != w[1] || l.Modified.IsZero() {
			t.Errorf("level %s = %+v, want on hand %d, reserved %d", key, l, w[0], w[1])
		}
	}
}

func TestShipmentsAndCancellations(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	start := f.clock.Now()
	shipped, err := f.client.CreateSalesOrder(ctx, testOrder("demo:s1", "s@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	cancelled, err := f.client.CreateSalesOrder(ctx, testOrder("demo:c1", "s@example.com"))
	if err != nil {
		t.Fatal(err)
	}

	var shippedID, cancelledID int64
	fmt.Sscan(shipped.ID, &shippedID)
	fmt.Sscan(cancelled.ID, &cancelledID)
	f.clock.Advance(time.Hour)
	if _, err := f.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: shippedID,
		TrackingNumber: "1Z999"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.model.CancelSalesOrder(cancelledID, "Z1"); err != nil {
		t.Fatal(err)
	}

	shipments, _ := listAll(t, f.client.ChangedShipments, erp.Changes{Since: start})
	if len(shipments) != 1 {
		t.Fatalf("shipments = %+v, want 1", shipments)
	}
	s := shipments[0]
	if s.SalesOrderID != shipped.ID || s.ExternalRef != "demo:s1" || s.TrackingNumber != "1Z999" ||
		len(s.Lines) != 2 || s.Lines[0] != (erp.ShipmentLine{SKU: "MUG", Quantity: 2}) ||
		!s.ShippedAt.Equal(start.Add(time.Hour)) {
		t.Errorf("shipment = %+v", s)
	}

	cancellations, _ := listAll(t, f.client.ChangedCancellations,
		erp.Changes{Since: start.Add(30 * time.Minute)})
	if len(cancellations) != 1 || cancellations[0].SalesOrderID != cancelled.ID ||
		cancellations[0].ExternalRef != "demo:c1" || cancellations[0].Reason != "Z1" {
		t.Errorf("cancellations = %+v, want demo:c1 with reason Z1", cancellations)
	}
	none, _ := listAll(t, f.client.ChangedCancellations,
		erp.Changes{Since: start.Add(2 * time.Hour)})
	if len(none) != 0 {
		t.Errorf("cancellations after the watermark = %+v, want none", none)
	}
}
