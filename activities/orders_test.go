package activities

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// fakeERP is an ERP that holds sales orders by external reference.
type fakeERP struct {
	orders  map[string]erp.SalesOrderRef
	creates int
}

func (f *fakeERP) FindSalesOrder(_ context.Context, ref string) (erp.SalesOrderRef, bool, error) {
	r, ok := f.orders[ref]
	return r, ok, nil
}

func (f *fakeERP) CreateSalesOrder(_ context.Context, so erp.SalesOrder) (erp.SalesOrderRef, error) {
	f.creates++
	r := erp.SalesOrderRef{ID: "new"}
	f.orders[so.ExternalRef] = r
	return r, nil
}

// A retry of a create whose answer was lost finds the order the first attempt
// committed instead of creating a second one.
func TestCreateSalesOrderRechecksOnRetry(t *testing.T) {
	e := &fakeERP{orders: map[string]erp.SalesOrderRef{"demo:1": {ID: "committed"}}}
	a := &Orders{ERP: e}
	so := erp.SalesOrder{ExternalRef: "demo:1"}

	ref, err := a.createSalesOrder(t.Context(), zap.NewNop(), so, true)
	if err != nil || ref.ID != "committed" || e.creates != 0 {
		t.Fatalf("retry = %+v, %v with %d creates, want the committed order and no create",
			ref, err, e.creates)
	}

	ref, err = a.createSalesOrder(t.Context(), zap.NewNop(), erp.SalesOrder{ExternalRef: "demo:2"},
		true)
	if err != nil || ref.ID != "new" || e.creates != 1 {
		t.Fatalf("retry of a missing order = %+v, %v with %d creates, want one create",
			ref, err, e.creates)
	}
}

func validOrder() store.Order {
	return store.Order{
		ID: "1", Number: "1001", Currency: "EUR",
		Customer: store.Customer{ID: "9", Email: "a@example.com", FirstName: "A", LastName: "B"},
		Lines: []store.Line{
			{SKU: "MUG", Quantity: 2, UnitPriceMinor: 1250},
			{SKU: "TEE", Quantity: 1, UnitPriceMinor: 1999},
		},
		ShippingMinor: 495,
		TotalMinor:    2*1250 + 1999 + 495,
	}
}

func TestMapOrder(t *testing.T) {
	tests := []struct {
		name      string
		change    func(*store.Order)
		wantField string
	}{
		{"valid", func(*store.Order) {}, ""},
		{"no number", func(o *store.Order) { o.Number = " " }, "number"},
		{"bad currency", func(o *store.Order) { o.Currency = "euro" }, "currency"},
		{"no email", func(o *store.Order) { o.Customer.Email = "" }, "customer.email"},
		{"no lines", func(o *store.Order) { o.Lines = nil }, "lines"},
		{"empty sku", func(o *store.Order) { o.Lines[1].SKU = "" }, "lines[1].sku"},
		{"zero quantity", func(o *store.Order) { o.Lines[0].Quantity = 0 }, "lines[0].quantity"},
		{"negative price", func(o *store.Order) { o.Lines[0].UnitPriceMinor = -1 },
			"lines[0].unit_price"},
		{"total off by a cent", func(o *store.Order) { o.TotalMinor++ }, "total"},
		{"discount and tax on top", func(o *store.Order) {
			o.DiscountMinor, o.TaxMinor = 500, 1200
			o.TotalMinor += 700
		}, ""},
		{"tax included in the prices", func(o *store.Order) {
			o.DiscountMinor, o.TaxMinor, o.TaxesIncluded = 500, 1200, true
			o.TotalMinor -= 500
		}, ""},
		{"discount left out of the total", func(o *store.Order) { o.DiscountMinor = 500 },
			"total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOrder()
			tt.change(&o)

			so, err := mapOrder("demo", o, Charges{})

			var invalid *syncerr.InvalidError
			switch {
			case tt.wantField == "" && err != nil:
				t.Fatalf("mapOrder = %v, want no error", err)
			case tt.wantField == "":
				if so.ExternalRef != "demo:1001" || len(so.Lines) != 2 ||
					so.Lines[0].UnitPriceMinor != 1250 || so.Customer.Name != "A B" {
					t.Errorf("mapOrder = %+v, want the order mapped", so)
				}
			case !errors.As(err, &invalid) || invalid.Field != tt.wantField:
				t.Errorf("mapOrder error = %v, want an InvalidError on %s", err, tt.wantField)
			}
		})
	}
}

// fakeLeases records the leases taken and released.
type fakeLeases struct {
	keys     []string
	ttls     []time.Duration
	released int
}

func (f *fakeLeases) Acquire(_ context.Context, key string, ttl time.Duration) (func(), error) {
	f.keys, f.ttls = append(f.keys, key), append(f.ttls, ttl)
	return func() { f.released++ }, nil
}

// Creating a sales order holds the customer's lease, named so that case and
// spaces in the e-mail do not matter and the address itself is not stored.
func TestCreateSalesOrderHoldsTheCustomerLease(t *testing.T) {
	leases := &fakeLeases{}
	a := &Orders{ERP: &fakeERP{orders: map[string]erp.SalesOrderRef{}}, Customers: leases,
		Logger: zap.NewNop()}
	env := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	env.RegisterActivity(a)

	for i, email := range []string{"Ana@Example.com", " ana@example.com"} {
		so := erp.SalesOrder{ExternalRef: "demo:" + strconv.Itoa(i),
			Customer: erp.Customer{Email: email}}
		if _, err := env.ExecuteActivity(a.CreateSalesOrder, so); err != nil {
			t.Fatal(err)
		}
	}

	if len(leases.keys) != 2 || leases.keys[0] != leases.keys[1] || leases.released != 2 {
		t.Fatalf("leases %+v, want one key taken and released twice", leases)
	}
	if strings.Contains(strings.ToLower(leases.keys[0]), "example") {
		t.Errorf("lease key %q shows the e-mail address", leases.keys[0])
	}
	if leases.ttls[0] <= time.Second {
		t.Errorf("lease ttl %s, want the activity's remaining time", leases.ttls[0])
	}
}
