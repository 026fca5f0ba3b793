package bigcommerce

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestLoadOrderMapsDiscountsShippingTaxAndCustomer(t *testing.T) {
	tests := []struct {
		name     string
		included bool
		want     store.Order
	}{
		{name: "tax on top", want: store.Order{TotalMinor: 2*1250 - 100 + 1900 - 250 + 495 + 800,
			ShippingMinor: 495, TaxMinor: 800, DiscountMinor: 350,
			Lines: []store.Line{{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPriceMinor: 1250},
				{SKU: "TEE", Name: "Tee", Quantity: 1, UnitPriceMinor: 1900}}}},
		{name: "tax included", included: true, want: store.Order{
			TotalMinor: 2*1250 - 100 + 1900 - 250 + 495, ShippingMinor: 495, TaxMinor: 800,
			DiscountMinor: 350, TaxesIncluded: true,
			Lines: []store.Line{{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPriceMinor: 1250},
				{SKU: "TEE", Name: "Tee", Quantity: 1, UnitPriceMinor: 1900}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			in := order()
			in.TaxesIncluded = tt.included
			placed, err := f.model.CreateOrder(in)
			if err != nil {
				t.Fatal(err)
			}

			got, err := f.store.LoadOrder(t.Context(), strconv.FormatInt(placed.ID, 10))
			if err != nil {
				t.Fatalf("LoadOrder() error = %v", err)
			}
			checkOrder(t, got, placed, tt.want)
		})
	}
}

// checkOrder compares what LoadOrder returned for the model order placed
// with the amounts and lines of want.
func checkOrder(t *testing.T, got store.Order, placed storesandbox.Order, want store.Order) {
	t.Helper()
	id := strconv.FormatInt(placed.ID, 10)
	if got.ID != id || got.Number != id || got.Currency != "EUR" ||
		!got.PlacedAt.Equal(placed.Created) || !got.UpdatedAt.Equal(placed.Modified) {
		t.Errorf("order head = %s %s %s %s %s, want %s %s EUR %s", got.ID, got.Number,
			got.Currency, got.PlacedAt, got.UpdatedAt, id, id, placed.Created)
	}
	if got.TotalMinor != want.TotalMinor || got.TotalMinor != placed.TotalMinor ||
		got.ShippingMinor != want.ShippingMinor || got.TaxMinor != want.TaxMinor ||
		got.DiscountMinor != want.DiscountMinor || got.TaxesIncluded != want.TaxesIncluded {
		t.Errorf("amounts = total %d shipping %d tax %d discount %d included %v, want %+v",
			got.TotalMinor, got.ShippingMinor, got.TaxMinor, got.DiscountMinor,
			got.TaxesIncluded, want)
	}
	if len(got.Lines) != len(want.Lines) {
		t.Fatalf("lines = %+v, want %+v", got.Lines, want.Lines)
	}
	for i := range want.Lines {
		if got.Lines[i] != want.Lines[i] {
			t.Errorf("line %d = %+v, want %+v", i, got.Lines[i], want.Lines[i])
		}
	}
	wantCustomer := store.Customer{ID: strconv.FormatInt(placed.Customer.ID, 10),
		Email: "ana@example.test", FirstName: "Ana",
		LastName: "Lima", Phone: "+351 21 000 0000", Line1: "1 Harbour Street",
		Line2: "Flat 2", City: "Lisbon", PostalCode: "1100-001", Region: "Lisboa",
		Country: "PT"}
	if got.Customer != wantCustomer {
		t.Errorf("customer = %+v, want %+v", got.Customer, wantCustomer)
	}
	if got.ERPID != "" {
		t.Errorf("ERPID = %q before any write-back, want none", got.ERPID)
	}
}

func TestLoadOrderReadsTheShippingAddressWhenTheBillingAddressLacksIt(t *testing.T) {
	f := newFixture(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/products") &&
				strings.Contains(r.URL.Path, "/v2/orders/") &&
				!strings.HasSuffix(r.URL.Path, "/shipping_addresses") {
				rewrite(w, r, h, func(b []byte) []byte {
					return bytes.ReplaceAll(b, []byte(`"email":"ana@example.test"`),
						[]byte(`"email":""`))
				})
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	placed, err := f.model.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}

	got, err := f.store.LoadOrder(t.Context(), strconv.FormatInt(placed.ID, 10))
	if err != nil {
		t.Fatalf("LoadOrder() error = %v", err)
	}
	path := "/stores/" + testHash + "/v2/orders/" + strconv.FormatInt(placed.ID, 10) +
		"/shipping_addresses"
	if got.Customer.Email != "ana@example.test" || f.requests(http.MethodGet, path) != 1 {
		t.Errorf("customer e-mail = %q after %d reads of the shipping addresses, want it "+
			"from the one read", got.Customer.Email, f.requests(http.MethodGet, path))
	}
}

// rewrite serves r through h and edits the body of the answer.
func rewrite(w http.ResponseWriter, r *http.Request, h http.Handler, edit func([]byte) []byte) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(edit(rec.Body.Bytes()))
}

func TestLoadOrderRefusesUnknownAndBadIDs(t *testing.T) {
	f := newFixture(t, nil)

	if _, err := f.store.LoadOrder(t.Context(), "999999"); !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("LoadOrder(unknown) error = %v, want ErrNotFound", err)
	}
	var invalid *syncerr.InvalidError
	if _, err := f.store.LoadOrder(t.Context(), "#1001"); !errors.As(err, &invalid) ||
		invalid.Field != "order_id" {
		t.Errorf("LoadOrder(#1001) error = %v, want an InvalidError on order_id", err)
	}
}

func TestMapOrderRefusesWhatCannotBeRead(t *testing.T) {
	good := v2Order{ID: 7, StatusID: 11, CurrencyCode: "USD", TotalIncTax: "10.0000",
		DateCreated:  "Tue, 05 Mar 2019 21:40:11 +0000",
		DateModified: "Tue, 05 Mar 2019 21:40:11 +0000"}
	lines := []v2Product{{SKU: "MUG", Quantity: 1, PriceExTax: "10.0000"}}
	tests := []struct {
		name  string
		edit  func(*v2Order, []v2Product)
		field string
	}{
		{"incomplete order", func(o *v2Order, _ []v2Product) { o.StatusID = 0 }, "status_id"},
		{"no currency", func(o *v2Order, _ []v2Product) { o.CurrencyCode = "" }, "currency_code"},
		{"sub-cent total", func(o *v2Order, _ []v2Product) { o.TotalIncTax = "10.0050" },
			"total_inc_tax"},
		{"text amount", func(_ *v2Order, l []v2Product) { l[0].PriceExTax = "ten" },
			"products[0].price"},
		{"bad date", func(o *v2Order, _ []v2Product) { o.DateCreated = "2019-03-05" },
			"date_created"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, l := good, append([]v2Product(nil), lines...)
			tt.edit(&o, l)
			_, err := mapOrder(o, l, nil)
			var invalid *syncerr.InvalidError
			if !errors.As(err, &invalid) || invalid.Field != tt.field {
				t.Errorf("mapOrder() error = %v, want an InvalidError on %s", err, tt.field)
			}
		})
	}
	if _, err := mapOrder(good, lines, nil); err != nil {
		t.Errorf("mapOrder(good) error = %v", err)
	}
}

func TestMalformedAnswersGiveClearErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/orders/1"):
			_, _ = w.Write([]byte(`{"id": 1, "date_created": `))
		case strings.HasSuffix(r.URL.Path, "/orders/2"):
			_, _ = w.Write([]byte(`{"currency_code": "EUR"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s, err := New(Config{URL: srv.URL, StoreHash: testHash, AccessToken: testToken,
		WebhookSecret: testSecret}, srv.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}

	_, err = s.LoadOrder(t.Context(), "1")
	if !errors.Is(err, syncerr.ErrUnavailable) || !strings.Contains(err.Error(), "malformed") ||
		!strings.Contains(err.Error(), "GET /v2/orders/1") {
		t.Errorf("LoadOrder(truncated JSON) error = %v, want a malformed answer of "+
			"GET /v2/orders/1", err)
	}
	var invalid *syncerr.InvalidError
	if _, err := s.LoadOrder(t.Context(), "2"); !errors.As(err, &invalid) ||
		invalid.Field != "id" {
		t.Errorf("LoadOrder(order without id) error = %v, want an InvalidError on id", err)
	}
}

func TestOrdersAddUpAfterLoading(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 3 {
		in := order()
		in.TaxesIncluded = i%2 == 0
		in.Lines[0].Quantity = int64(i + 1)
		placed, err := f.model.CreateOrder(in)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)

		got, err := f.store.LoadOrder(t.Context(), strconv.FormatInt(placed.ID, 10))
		if err != nil {
			t.Fatal(err)
		}
		sum := got.ShippingMinor - got.DiscountMinor
		if !got.TaxesIncluded {
			sum += got.TaxMinor
		}
		for _, l := range got.Lines {
			sum += l.Quantity * l.UnitPriceMinor
		}
		if sum != got.TotalMinor {
			t.Errorf("order %d adds up to %d, total %d", i, sum, got.TotalMinor)
		}
	}
}
