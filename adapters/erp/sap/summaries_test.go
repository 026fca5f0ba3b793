package sap

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// seedServiceItems adds the merchant's service materials to the catalog.
func seedServiceItems(t *testing.T, f *fixture) {
	t.Helper()
	var items []erpsandbox.Product
	for _, sku := range []string{"SHIPPING", "DISCOUNT", "TAX", "REFUND"} {
		items = append(items, erpsandbox.Product{SKU: sku, Name: sku, Currency: "EUR"})
	}
	if _, err := f.model.SeedProducts(items); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
}

// chargedOrder is testOrder with shipping, a discount and tax lines.
func chargedOrder(ref string) erp.SalesOrder {
	o := testOrder(ref, "ada@example.com")
	o.Lines = append(o.Lines,
		erp.Line{SKU: "SHIPPING", Quantity: 1, UnitPriceMinor: 495, Kind: erp.LineShipping},
		erp.Line{SKU: "DISCOUNT", Quantity: 2, UnitPriceMinor: -250, Kind: erp.LineDiscount},
		erp.Line{SKU: "TAX", Quantity: 1, UnitPriceMinor: 1012, Kind: erp.LineTax},
	)
	o.ShippingMinor = 495
	o.TotalMinor = 4798 + 495 - 500 + 1012
	return o
}

func TestServiceLinesMakeTheStoreTotal(t *testing.T) {
	f := newFixture(t)
	seedServiceItems(t, f)
	start := f.clock.Now()
	order := chargedOrder("demo:2001")

	ref, err := f.client.CreateSalesOrder(t.Context(), order)
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	stored := f.model.SalesOrders()[0]
	if stored.TotalMinor != order.TotalMinor || len(stored.Lines) != 5 ||
		stored.Lines[3].UnitPriceMinor != -250 || stored.Lines[3].Quantity != 2 {
		t.Errorf("stored order = %+v, want 5 lines totalling %d", stored, order.TotalMinor)
	}

	body := f.posted("/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder")
	items := body["to_Item"].(map[string]any)["results"].([]any)
	discount := items[3].(map[string]any)["to_PricingElement"].(map[string]any)["results"]
	conds := discount.([]any)
	if len(conds) != 2 || conds[0].(map[string]any)["ConditionRateValue"] != "0.00" ||
		conds[1].(map[string]any)["ConditionType"] != "RB00" ||
		conds[1].(map[string]any)["ConditionRateValue"] != "-5.00" {
		t.Errorf("discount item conditions = %v, want PPR0 0.00 and RB00 -5.00", conds)
	}

	listed, _ := listAll(t, f.client.ChangedSalesOrders, erp.Changes{Since: start})
	if len(listed) != 1 || listed[0].ID != ref.ID || listed[0].TotalMinor != order.TotalMinor {
		t.Errorf("ChangedSalesOrders() = %+v, want %s totalling %d", listed, ref.ID,
			order.TotalMinor)
	}
}

func TestLinePricesOfTheWrongSignAreInvalid(t *testing.T) {
	f := newFixture(t)
	seedServiceItems(t, f)
	tests := []struct {
		name  string
		line  erp.Line
		field string
	}{
		{"negative product", erp.Line{SKU: "MUG", Quantity: 1, UnitPriceMinor: -1},
			"lines[2].unit_price_minor"},
		{"negative shipping", erp.Line{SKU: "SHIPPING", Quantity: 1, UnitPriceMinor: -1,
			Kind: erp.LineShipping}, "lines[2].unit_price_minor"},
		{"positive discount", erp.Line{SKU: "DISCOUNT", Quantity: 1, UnitPriceMinor: 1,
			Kind: erp.LineDiscount}, "lines[2].unit_price_minor"},
		{"unknown kind", erp.Line{SKU: "MUG", Quantity: 1, Kind: "gift"}, "lines[2].kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOrder("demo:bad", "ada@example.com")
			o.Lines = append(o.Lines, tt.line)
			_, err := f.client.CreateSalesOrder(t.Context(), o)
			var invalid *syncerr.InvalidError
			if !errors.As(err, &invalid) || invalid.Field != tt.field {
				t.Errorf("CreateSalesOrder() error = %v, want InvalidError on %s", err, tt.field)
			}
		})
	}
	if n := f.model.RequestsServed(); n != 0 {
		t.Errorf("sandbox served %d requests, want none", n)
	}
}

func TestChangedSalesOrdersPagesWithoutGaps(t *testing.T) {
	f := newFixture(t)
	seedServiceItems(t, f)
	ctx := t.Context()
	start := f.clock.Now()
	var ids []string
	for i := range 5 {
		o := chargedOrder(fmt.Sprintf("demo:30%02d", i))
		o.OrderedAt = start.AddDate(0, 0, -i)
		ref, err := f.client.CreateSalesOrder(ctx, o)
		if err != nil {
			t.Fatalf("CreateSalesOrder(%d) error = %v", i, err)
		}
		ids = append(ids, ref.ID)
		if i%2 == 1 {
			f.clock.Advance(time.Second) // orders 0-1 and 2-3 share a time
		}
	}
	f.clock.Advance(time.Minute)
	if err := f.client.CancelSalesOrder(ctx, ids[1], "cancelled in the store"); err != nil {
		t.Fatal(err)
	}

	all, pages := listAll(t, f.client.ChangedSalesOrders, erp.Changes{Since: start, Limit: 2})
	var got []string
	for _, s := range all {
		got = append(got, s.ID)
	}
	want := []string{ids[0], ids[2], ids[3], ids[4], ids[1]}
	if fmt.Sprint(got) != fmt.Sprint(want) || pages != 3 {
		t.Fatalf("listed %v in %d pages, want %v in 3: by change time, then number", got,
			pages, want)
	}
	first, cancelled := all[0], all[4]
	day := start.Truncate(24 * time.Hour) // SAP keeps the purchase order date as a day
	if first.ExternalRef != "demo:3000" || first.Currency != "EUR" ||
		first.TotalMinor != chargedOrder("").TotalMinor || first.Cancelled ||
		!first.OrderedAt.Equal(day) || !first.Modified.Equal(start) {
		t.Errorf("first summary = %+v", first)
	}
	if !cancelled.Cancelled || cancelled.ExternalRef != "demo:3001" ||
		!cancelled.OrderedAt.Equal(day.AddDate(0, 0, -1)) {
		t.Errorf("cancelled summary = %+v, want demo:3001 cancelled", cancelled)
	}

	later, _ := listAll(t, f.client.ChangedSalesOrders,
		erp.Changes{Since: start.Add(30 * time.Second)})
	if len(later) != 1 || later[0].ID != ids[1] {
		t.Errorf("changed after the cancellation's watermark = %+v, want only %s", later, ids[1])
	}
}
