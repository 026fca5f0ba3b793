package erpsandbox

import (
	"errors"
	"math"
	"testing"
	"time"
)

// fakeClock is a clock that tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)}
}

func newTestModel() (*Model, *fakeClock) {
	c := newFakeClock()
	return NewModel(c.now), c
}

// seed creates one customer and two products and returns their ids.
func seed(t *testing.T, m *Model) (customer, widget, gadget int64) {
	t.Helper()
	c, err := m.CreateCustomer(Customer{Name: "Ada", Email: "ada@example.com"})
	if err != nil {
		t.Fatalf("CreateCustomer() error = %v", err)
	}
	ps, err := m.SeedProducts([]Product{
		{SKU: "W-1", Name: "Widget", PriceMinor: 1999, Currency: "USD"},
		{SKU: "G-1", Name: "Gadget", PriceMinor: 10, Currency: "USD"},
	})
	if err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	return c.ID, ps[0].ID, ps[1].ID
}

func TestCreateSalesOrder(t *testing.T) {
	m, clock := newTestModel()
	cust, widget, gadget := seed(t, m)

	o, err := m.CreateSalesOrder(SalesOrder{
		CustomerID: cust, ExternalRef: "demo:1", Currency: "USD",
		Lines: []OrderLine{
			{ProductID: widget, Quantity: 2, UnitPriceMinor: 1999},
			{ProductID: gadget, Quantity: 3, UnitPriceMinor: 10},
		},
	})
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	if o.Number != "S00001" || o.State != OrderDraft || o.TotalMinor != 4028 {
		t.Errorf("CreateSalesOrder() = %s %s total %d, want S00001 draft total 4028",
			o.Number, o.State, o.TotalMinor)
	}
	if o.Lines[0].ID == 0 || o.Lines[1].ID == o.Lines[0].ID {
		t.Errorf("line ids = %d, %d, want distinct non-zero ids", o.Lines[0].ID, o.Lines[1].ID)
	}
	if !o.Created.Equal(clock.t) || !o.OrderedAt.Equal(clock.t) {
		t.Errorf("Created = %v, OrderedAt = %v, want %v", o.Created, o.OrderedAt, clock.t)
	}

	clock.advance(time.Minute)
	o2, err := m.CreateSalesOrder(SalesOrder{CustomerID: cust, Currency: "USD"})
	if err != nil {
		t.Fatalf("second CreateSalesOrder() error = %v", err)
	}
	if o2.Number != "S00002" || !o2.Modified.Equal(clock.t) {
		t.Errorf("second order = %s modified %v, want S00002 modified %v",
			o2.Number, o2.Modified, clock.t)
	}
}

func TestCreateSalesOrderRefusesBadOrders(t *testing.T) {
	m, _ := newTestModel()
	cust, widget, _ := seed(t, m)

	tests := []struct {
		name  string
		order SalesOrder
	}{
		{"unknown customer", SalesOrder{CustomerID: 999, Currency: "USD"}},
		{"bad currency", SalesOrder{CustomerID: cust, Currency: "usd"}},
		{"unknown product", SalesOrder{CustomerID: cust, Currency: "USD",
			Lines: []OrderLine{{ProductID: 999, Quantity: 1}}}},
		{"overflow", SalesOrder{CustomerID: cust, Currency: "USD",
			Lines: []OrderLine{{ProductID: widget, Quantity: math.MaxInt64, UnitPriceMinor: 2}}}},
		{"unknown state", SalesOrder{CustomerID: cust, Currency: "USD", State: "shipped"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.CreateSalesOrder(tt.order)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("CreateSalesOrder() error = %v, want ErrInvalid", err)
			}
		})
	}
	if n := len(m.SalesOrders()); n != 0 {
		t.Errorf("SalesOrders() holds %d orders after refusals, want 0", n)
	}
}

// cancelOrder cancels with a reason, as the transition steps need it.
func cancelOrder(m *Model, id int64) (SalesOrder, error) {
	return m.CancelSalesOrder(id, "customer asked")
}

func TestOrderStateTransitions(t *testing.T) {
	tests := []struct {
		name    string
		steps   []func(*Model, int64) (SalesOrder, error)
		want    OrderState
		wantErr error
	}{
		{"confirm draft", []func(*Model, int64) (SalesOrder, error){
			(*Model).ConfirmSalesOrder}, OrderConfirmed, nil},
		{"confirm twice", []func(*Model, int64) (SalesOrder, error){
			(*Model).ConfirmSalesOrder, (*Model).ConfirmSalesOrder}, OrderConfirmed, ErrState},
		{"cancel confirmed", []func(*Model, int64) (SalesOrder, error){
			(*Model).ConfirmSalesOrder, cancelOrder}, OrderCancelled, nil},
		{"confirm cancelled", []func(*Model, int64) (SalesOrder, error){
			cancelOrder, (*Model).ConfirmSalesOrder}, OrderCancelled, ErrState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestModel()
			cust, _, _ := seed(t, m)
			o, err := m.CreateSalesOrder(SalesOrder{CustomerID: cust, Currency: "EUR"})
			if err != nil {
				t.Fatalf("CreateSalesOrder() error = %v", err)
			}

			for _, step := range tt.steps {
				_, err = step(m, o.ID)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("last step error = %v, want %v", err, tt.wantErr)
			}
			got, _ := m.SalesOrder(o.ID)
			if got.State != tt.want {
				t.Errorf("state = %s, want %s", got.State, tt.want)
			}
		})
	}
}

func TestUpdateSalesOrder(t *testing.T) {
	m, clock := newTestModel()
	cust, widget, gadget := seed(t, m)
	o, err := m.CreateSalesOrder(SalesOrder{CustomerID: cust, Currency: "USD",
		Lines: []OrderLine{{ProductID: widget, Quantity: 1, UnitPriceMinor: 1999}}})
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}

	clock.advance(time.Hour)
	got, err := m.UpdateSalesOrder(o.ID, func(o *SalesOrder) error {
		o.Lines = append(o.Lines, OrderLine{ProductID: gadget, Quantity: 5, UnitPriceMinor: 10})
		o.State = OrderConfirmed // not allowed to stick
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateSalesOrder() error = %v", err)
	}
	if got.TotalMinor != 2049 || got.State != OrderDraft || got.Lines[1].ID == 0 {
		t.Errorf("UpdateSalesOrder() = total %d state %s line id %d, want 2049 draft non-zero",
			got.TotalMinor, got.State, got.Lines[1].ID)
	}
	if !got.Modified.Equal(clock.t) || got.Created.Equal(clock.t) {
		t.Errorf("times = created %v modified %v, want modified at %v only",
			got.Created, got.Modified, clock.t)
	}

	_, err = m.UpdateSalesOrder(o.ID, func(o *SalesOrder) error {
		o.Lines[0].ProductID = 999
		return nil
	})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("UpdateSalesOrder(unknown product) error = %v, want ErrInvalid", err)
	}
	if after, _ := m.SalesOrder(o.ID); after.TotalMinor != 2049 {
		t.Errorf("refused update changed the order: total %d, want 2049", after.TotalMinor)
	}
}

func TestModelReturnsCopies(t *testing.T) {
	m, _ := newTestModel()
	cust, widget, _ := seed(t, m)
	o, err := m.CreateSalesOrder(SalesOrder{CustomerID: cust, Currency: "USD",
		Lines: []OrderLine{{ProductID: widget, Quantity: 1, UnitPriceMinor: 5}}})
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}

	o.Lines[0].Quantity = 100
	if got, _ := m.SalesOrder(o.ID); got.Lines[0].Quantity != 1 {
		t.Errorf("changing a returned order changed the model: quantity %d, want 1",
			got.Lines[0].Quantity)
	}
}

func TestSalesOrdersByExternalRef(t *testing.T) {
	m, _ := newTestModel()
	cust, _, _ := seed(t, m)
	for _, ref := range []string{"a", "b", "a", ""} {
		if _, err := m.CreateSalesOrder(SalesOrder{CustomerID: cust, Currency: "USD",
			ExternalRef: ref}); err != nil {
			t.Fatalf("CreateSalesOrder(%q) error = %v", ref, err)
		}
	}

	got := m.SalesOrdersByExternalRef()
	if len(got) != 2 || got["a"] != 2 || got["b"] != 1 {
		t.Errorf("SalesOrdersByExternalRef() = %v, want map[a:2 b:1]", got)
	}
}

func TestProductsAndCustomers(t *testing.T) {
	m, clock := newTestModel()
	seed(t, m)

	_, err := m.CreateProduct(Product{SKU: "W-1", Name: "Again", Currency: "USD"})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("CreateProduct(duplicate sku) error = %v, want ErrInvalid", err)
	}
	if _, err = m.CreateCustomer(Customer{Email: "x@example.com"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("CreateCustomer(no name) error = %v, want ErrInvalid", err)
	}

	p, ok := m.ProductBySKU("G-1")
	if !ok || p.PriceMinor != 10 {
		t.Fatalf("ProductBySKU(G-1) = %+v, %v, want the gadget", p, ok)
	}
	clock.advance(time.Second)
	p, err = m.UpdateProduct(p.ID, func(p *Product) error { p.PriceMinor = 12; return nil })
	if err != nil || p.PriceMinor != 12 || !p.Modified.Equal(clock.t) {
		t.Errorf("UpdateProduct() = %+v, %v, want price 12 modified now", p, err)
	}
	_, err = m.UpdateCustomer(999, func(*Customer) error { return nil })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateCustomer(999) error = %v, want ErrNotFound", err)
	}
}

func TestSetStock(t *testing.T) {
	m, _ := newTestModel()
	a, err := m.SetStock("W-1", "WH/Stock", 10, 2)
	if err != nil {
		t.Fatalf("SetStock() error = %v", err)
	}
	b, err := m.SetStock("W-1", "WH/Stock", 8, 1)
	if err != nil {
		t.Fatalf("SetStock() again error = %v", err)
	}
	c, err := m.SetStock("G-1", "WH/Stock", 1, 0)
	if err != nil {
		t.Fatalf("SetStock(G-1) error = %v", err)
	}

	if b.ID != a.ID || c.LocationID != a.LocationID || len(m.StockLevels()) != 2 {
		t.Errorf("levels = %+v, want two levels sharing one location", m.StockLevels())
	}
	if _, err := m.SetStock("W-1", "WH/Stock", 1, 2); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetStock(reserved > on hand) error = %v, want ErrInvalid", err)
	}
}

func TestRequestsServed(t *testing.T) {
	m, _ := newTestModel()
	m.CountRequest()
	m.CountRequest()
	if got := m.RequestsServed(); got != 2 {
		t.Errorf("RequestsServed() = %d, want 2", got)
	}
}
