package odoo

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/erp/odoo/odoosandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

var sandboxCreds = odoosandbox.Credentials{DB: "shop", Login: "sync@example.com",
	APIKey: "secret-api-key"}

// env is an Odoo sandbox behind httptest and a client of it.
type env struct {
	model  *erpsandbox.Model
	faults *erpsandbox.Faults
	url    string
	client *Client

	authCalls atomic.Int64
}

// newEnv starts a sandbox with products seeded. wrap, when not nil, wraps
// the sandbox handler.
func newEnv(t *testing.T, wrap func(http.Handler) http.Handler,
	opts ...odoosandbox.Option) *env {
	t.Helper()
	e := &env{model: erpsandbox.NewModel(nil)}
	_, err := e.model.SeedProducts([]erpsandbox.Product{
		{SKU: "W-1", Name: "Widget", PriceMinor: 1999, Currency: "USD"},
		{SKU: "G-1", Name: "Gadget", PriceMinor: 10, Currency: "USD"},
		{SKU: "T-1", Name: "Tea", PriceMinor: 500, Currency: "JPY"},
	})
	if err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	if e.faults, err = erpsandbox.NewFaults(erpsandbox.Config{}); err != nil {
		t.Fatalf("NewFaults() error = %v", err)
	}

	var h http.Handler = odoosandbox.New(e.model, e.faults, sandboxCreds, opts...)
	h = e.countAuth(h)
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.client = New(Config{URL: srv.URL, DB: "shop", Login: sandboxCreds.Login,
		Password: sandboxCreds.APIKey, Timeout: 5 * time.Second})
	return e
}

// countAuth counts the common.authenticate calls that reach h.
func (e *env) countAuth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(`"method":"authenticate"`)) {
			e.authCalls.Add(1)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
}

func testOrder(ref string) erp.SalesOrder {
	return erp.SalesOrder{
		ExternalRef: ref, Store: "demo", OrderNumber: strings.TrimPrefix(ref, "demo:"),
		Currency:  "USD",
		OrderedAt: time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC),
		Customer: erp.Customer{ExternalID: "cust-7", Email: "Ada@Example.com",
			Name:  "Ada Lovelace",
			Phone: "+44 20 0000", Address: erp.Address{Line1: "1 Analytical St", City: "London",
				PostalCode: "N1", CountryCode: "GB"}},
		Lines: []erp.Line{
			{SKU: "W-1", Quantity: 2, UnitPriceMinor: 1999, Description: "Blue widget"},
			{SKU: "G-1", Quantity: 3, UnitPriceMinor: 10},
		},
		TotalMinor: 4028,
	}
}

func TestCreateAndFindSalesOrder(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()

	ref, err := e.client.CreateSalesOrder(ctx, testOrder("demo:1001"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	if ref.Number != "S00001" || ref.ID == "" {
		t.Errorf("CreateSalesOrder() = %+v, want number S00001 and an id", ref)
	}

	orders := e.model.SalesOrders()
	if len(orders) != 1 {
		t.Fatalf("model holds %d orders, want 1", len(orders))
	}
	o := orders[0]
	if o.State != erpsandbox.OrderConfirmed || o.ExternalRef != "demo:1001" ||
		o.TotalMinor != 4028 || o.Currency != "USD" || len(o.Lines) != 2 {
		t.Errorf("stored order = %+v, want confirmed demo:1001 USD total 4028 with 2 lines", o)
	}
	if o.Lines[0].Description != "Blue widget" || o.Lines[1].Description != "[G-1] Gadget" ||
		!o.OrderedAt.Equal(time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("stored lines %+v ordered at %v, want descriptions and order time kept",
			o.Lines, o.OrderedAt)
	}
	c, _ := e.model.Customer(o.CustomerID)
	if c.Email != "Ada@Example.com" || c.ExternalRef != "cust-7" || c.Address.City != "London" {
		t.Errorf("stored customer = %+v, want e-mail, ref and city from the order", c)
	}

	found, ok, err := e.client.FindSalesOrder(ctx, "demo:1001")
	if err != nil || !ok || found != ref {
		t.Errorf("FindSalesOrder() = %+v, %v, %v, want %+v, true, nil", found, ok, err, ref)
	}
	if _, ok, err := e.client.FindSalesOrder(ctx, "demo:404"); ok || err != nil {
		t.Errorf("FindSalesOrder(demo:404) = %v, %v, want false, nil", ok, err)
	}
	if n := e.authCalls.Load(); n != 1 {
		t.Errorf("authenticate called %d times, want 1: the uid is cached", n)
	}
}

func TestPartnerDeduplicatedByEmail(t *testing.T) {
	e := newEnv(t, nil)
	// A partner whose e-mail would match "ada_example.com" if "_" stayed a wildcard.
	if _, err := e.model.CreateCustomer(erpsandbox.Customer{Name: "Decoy",
		Email: "adaXexample.com"}); err != nil {
		t.Fatalf("CreateCustomer() error = %v", err)
	}

	first := testOrder("demo:1")
	second := testOrder("demo:2")
	second.Customer.Email = "ADA@example.COM"
	third := testOrder("demo:3")
	third.Customer.Email = "ada_example.com"
	for _, o := range []erp.SalesOrder{first, second, third} {
		if _, err := e.client.CreateSalesOrder(t.Context(), o); err != nil {
			t.Fatalf("CreateSalesOrder(%s) error = %v", o.ExternalRef, err)
		}
	}

	orders := e.model.SalesOrders()
	if orders[0].CustomerID != orders[1].CustomerID {
		t.Errorf("orders of one e-mail in two cases have customers %d and %d, want one",
			orders[0].CustomerID, orders[1].CustomerID)
	}
	if decoy := e.model.Customers()[0].ID; orders[2].CustomerID == decoy ||
		orders[2].CustomerID == orders[0].CustomerID {
		t.Errorf("ada_example.com matched customer %d, want a new one", orders[2].CustomerID)
	}
	if n := len(e.model.Customers()); n != 3 {
		t.Errorf("model holds %d customers, want 3", n)
	}
}

func TestUnknownSKUIsInvalid(t *testing.T) {
	e := newEnv(t, nil)
	o := testOrder("demo:1002")
	o.Lines = append(o.Lines, erp.Line{SKU: "NOPE-9", Quantity: 1, UnitPriceMinor: 100})

	_, err := e.client.CreateSalesOrder(t.Context(), o)
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != "lines[2].sku" ||
		!strings.Contains(invalid.Reason, `"NOPE-9"`) {
		t.Fatalf("CreateSalesOrder() error = %v, want InvalidError on lines[2].sku naming NOPE-9",
			err)
	}
	if !strings.HasPrefix(err.Error(), `create sale.order for "demo:1002": `) {
		t.Errorf("error %q does not say what failed for which order", err)
	}
	if len(e.model.Customers()) != 0 || len(e.model.SalesOrders()) != 0 {
		t.Errorf("refused order created %d customers and %d orders, want none",
			len(e.model.Customers()), len(e.model.SalesOrders()))
	}
}

func TestInvalidOrders(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*erp.SalesOrder)
		field string
	}{
		{"no reference", func(o *erp.SalesOrder) { o.ExternalRef = "" }, "external_ref"},
		{"bad currency", func(o *erp.SalesOrder) { o.Currency = "dollars" }, "currency"},
		{"inactive currency", func(o *erp.SalesOrder) { o.Currency = "CHF" }, "currency"},
		{"no e-mail", func(o *erp.SalesOrder) { o.Customer.Email = "" }, "customer.email"},
		{"no lines", func(o *erp.SalesOrder) { o.Lines = nil }, "lines"},
		{"zero quantity", func(o *erp.SalesOrder) { o.Lines[1].Quantity = 0 },
			"lines[1].quantity"},
		{"no sku", func(o *erp.SalesOrder) { o.Lines[0].SKU = "" }, "lines[0].sku"},
	}
	e := newEnv(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOrder("demo:1")
			tt.edit(&o)
			_, err := e.client.CreateSalesOrder(t.Context(), o)
			var invalid *syncerr.InvalidError
			if !errors.As(err, &invalid) || invalid.Field != tt.field {
				t.Errorf("CreateSalesOrder() error = %v, want InvalidError on %s", err, tt.field)
			}
		})
	}
	if n := len(e.model.SalesOrders()); n != 0 {
		t.Errorf("invalid orders created %d orders, want 0", n)
	}
}

func TestOdooValidationIsInvalid(t *testing.T) {
	e := newEnv(t, nil)
	err := e.client.exec.execute(t.Context(), call{model: "sale.order", method: "create",
		args: []arg{{name: "vals_list", value: map[string]any{"client_order_ref": "x"}}}}, nil)

	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || !strings.Contains(invalid.Reason, "ValidationError") ||
		!strings.Contains(invalid.Reason, "partner_id") {
		t.Errorf("create without partner error = %v, want InvalidError with Odoo's message", err)
	}
}

func TestMoneyRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		currency string
		sku      string
		prices   []int64
	}{
		{"tenths", "USD", "G-1", []int64{10, 20}},
		{"cents", "USD", "W-1", []int64{1, 1999, 100000001}},
		{"yen", "JPY", "T-1", []int64{500, 1}},
		{"three decimals", "KWD", "W-1", []int64{1234, 5}},
		{"negative", "EUR", "W-1", []int64{-250}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil, odoosandbox.WithCurrencies("USD", "EUR", "JPY", "KWD"))
			o := testOrder("demo:1")
			o.Currency = tt.currency
			o.Lines = nil
			total := int64(0)
			for _, p := range tt.prices {
				o.Lines = append(o.Lines, erp.Line{SKU: tt.sku, Quantity: 1, UnitPriceMinor: p})
				total += p
			}

			if _, err := e.client.CreateSalesOrder(t.Context(), o); err != nil {
				t.Fatalf("CreateSalesOrder() error = %v", err)
			}
			stored := e.model.SalesOrders()[0]
			for i, l := range stored.Lines {
				if l.UnitPriceMinor != tt.prices[i] {
					t.Errorf("line %d price = %d, want %d", i, l.UnitPriceMinor, tt.prices[i])
				}
			}
			if stored.TotalMinor != total || stored.Currency != tt.currency {
				t.Errorf("stored total = %d %s, want %d %s", stored.TotalMinor, stored.Currency,
					total, tt.currency)
			}
		})
	}
}

func TestRateLimited(t *testing.T) {
	e := newEnv(t, nil)
	if err := e.faults.Enqueue(erpsandbox.Shot{Op: "sale.order/create",
		Kind: erpsandbox.KindRateLimit, RetryAfterSeconds: 7}); err != nil {
		t.Fatalf("Enqueue() error = %v", err)
	}

	_, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:1"))
	var limited *syncerr.RateLimitedError
	if !errors.As(err, &limited) || limited.RetryAfter != 7*time.Second {
		t.Fatalf("CreateSalesOrder() error = %v, want RateLimitedError after 7s", err)
	}
	if n := len(e.model.SalesOrders()); n != 0 {
		t.Errorf("rate-limited create stored %d orders, want 0", n)
	}
}

func TestServerErrorIsUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	if err := e.faults.Enqueue(erpsandbox.Shot{Op: "product.product/search_read",
		Kind: erpsandbox.KindServerError, Status: 502}); err != nil {
		t.Fatalf("Enqueue() error = %v", err)
	}

	_, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:1"))
	if !errors.Is(err, syncerr.ErrUnavailable) || syncerr.IsPermanent(err) {
		t.Fatalf("CreateSalesOrder() error = %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "resolve skus") {
		t.Errorf("error %q does not name the failed step", err)
	}
}

func TestDroppedResponseAfterCommit(t *testing.T) {
	e := newEnv(t, nil)
	if err := e.faults.Enqueue(erpsandbox.Shot{Op: "sale.order/create",
		Kind: erpsandbox.KindDropResponse}); err != nil {
		t.Fatalf("Enqueue() error = %v", err)
	}

	_, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:1001"))
	if !errors.Is(err, syncerr.ErrUnavailable) {
		t.Fatalf("CreateSalesOrder() error = %v, want ErrUnavailable", err)
	}
	if got := e.model.SalesOrdersByExternalRef()["demo:1001"]; got != 1 {
		t.Fatalf("model holds %d orders for demo:1001, want 1: the create was committed", got)
	}
	if o := e.model.SalesOrders()[0]; o.State != erpsandbox.OrderDraft {
		t.Fatalf("stored order is %s, want draft: the confirm never ran", o.State)
	}

	ref, ok, err := e.client.FindSalesOrder(t.Context(), "demo:1001")
	if err != nil || !ok || ref.Number != "S00001" {
		t.Fatalf("FindSalesOrder() = %+v, %v, %v, want S00001 found", ref, ok, err)
	}
	if o := e.model.SalesOrders()[0]; o.State != erpsandbox.OrderConfirmed {
		t.Errorf("order after FindSalesOrder is %s, want confirmed", o.State)
	}
	if n := len(e.model.SalesOrders()); n != 1 {
		t.Errorf("model holds %d orders, want 1", n)
	}
}

func TestAuthFailure(t *testing.T) {
	e := newEnv(t, nil)
	c := New(Config{URL: e.url, DB: "shop", Login: sandboxCreds.Login, Password: "wrong-pass"})

	_, _, err := c.FindSalesOrder(t.Context(), "demo:1")
	var auth *syncerr.AuthError
	if !errors.As(err, &auth) || !syncerr.IsPermanent(err) {
		t.Fatalf("FindSalesOrder() error = %v, want AuthError", err)
	}
	for _, secret := range []string{"wrong-pass", sandboxCreds.Login} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q reveals %q", err, secret)
		}
	}

	_, err = c.CreateSalesOrder(t.Context(), testOrder("demo:1"))
	for _, pii := range []string{"Ada", "Lovelace", "Analytical", "+44"} {
		if err == nil || strings.Contains(err.Error(), pii) {
			t.Errorf("CreateSalesOrder() error %v reveals customer data %q", err, pii)
		}
	}
}

func TestReauthenticatesOnceWhenSessionRefused(t *testing.T) {
	var refuse atomic.Int64
	denyOnce := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if bytes.Contains(body, []byte("execute_kw")) && refuse.Add(-1) >= 0 {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"error":{"code":200,`+
					`"message":"Odoo Server Error","data":{"name":"odoo.exceptions.AccessDenied",`+
					`"message":"Access Denied","arguments":["Access Denied"],"context":{},`+
					`"debug":""}}}`)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			h.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, denyOnce)
	ctx := t.Context()

	if _, _, err := e.client.FindSalesOrder(ctx, "demo:1"); err != nil {
		t.Fatalf("first FindSalesOrder() error = %v", err)
	}
	refuse.Store(1)
	if _, _, err := e.client.FindSalesOrder(ctx, "demo:1"); err != nil {
		t.Fatalf("FindSalesOrder() after a refused session error = %v, want a retry", err)
	}
	if n := e.authCalls.Load(); n != 2 {
		t.Errorf("authenticate called %d times, want 2", n)
	}

	refuse.Store(2)
	_, _, err := e.client.FindSalesOrder(ctx, "demo:1")
	var auth *syncerr.AuthError
	if !errors.As(err, &auth) {
		t.Errorf("FindSalesOrder() refused twice error = %v, want AuthError", err)
	}
	if n := e.authCalls.Load(); n != 3 {
		t.Errorf("authenticate called %d times, want 3: one retry only", n)
	}
}

func TestConcurrentCallsAuthenticateOnce(t *testing.T) {
	e := newEnv(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, _, err := e.client.FindSalesOrder(t.Context(), "demo:1")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)

	for err := range errs {
		if err != nil {
			t.Errorf("FindSalesOrder() error = %v", err)
		}
	}
	if n := e.authCalls.Load(); n != 1 {
		t.Errorf("authenticate called %d times by 8 concurrent calls, want 1", n)
	}
}

func TestTransportFailuresAreUnavailable(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		c := New(Config{URL: url, DB: "shop", Login: "x", Password: "y"})
		_, _, err := c.FindSalesOrder(t.Context(), "demo:1")
		if !errors.Is(err, syncerr.ErrUnavailable) {
			t.Errorf("FindSalesOrder() error = %v, want ErrUnavailable", err)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		e := newEnv(t, nil)
		if err := e.faults.Enqueue(erpsandbox.Shot{Op: "common/authenticate",
			Kind: erpsandbox.KindLatency, LatencyMS: 500}); err != nil {
			t.Fatalf("Enqueue() error = %v", err)
		}
		c := New(Config{URL: e.url, DB: "shop", Login: sandboxCreds.Login,
			Password: sandboxCreds.APIKey, Timeout: 50 * time.Millisecond})
		_, _, err := c.FindSalesOrder(t.Context(), "demo:1")
		if !errors.Is(err, syncerr.ErrUnavailable) {
			t.Errorf("FindSalesOrder() error = %v, want ErrUnavailable", err)
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		e := newEnv(t, nil)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, _, err := e.client.FindSalesOrder(ctx, "demo:1")
		if !errors.Is(err, syncerr.ErrUnavailable) || !errors.Is(err, context.Canceled) {
			t.Errorf("FindSalesOrder() error = %v, want ErrUnavailable and context.Canceled", err)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	good := Config{URL: "https://example.odoo.com", DB: "db", Login: "l", Password: "p"}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"good", func(*Config) {}, ""},
		{"no scheme", func(c *Config) { c.URL = "example.odoo.com" }, "url"},
		{"no db", func(c *Config) { c.DB = "" }, "db"},
		{"no login", func(c *Config) { c.Login = "" }, "login"},
		{"no password", func(c *Config) { c.Password = "" }, "password"},
		{"negative timeout", func(c *Config) { c.Timeout = -1 }, "timeout"},
		{"api key instead of password", func(c *Config) { c.Password, c.APIKey = "", "k" }, ""},
		{"json2", func(c *Config) {
			c.Transport, c.Login, c.Password, c.APIKey = TransportJSON2, "", "", "k"
		}, ""},
		{"json2 without key", func(c *Config) { c.Transport = TransportJSON2 }, "API key"},
		{"unknown transport", func(c *Config) { c.Transport = "xmlrpc" }, "transport"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.edit(&c)
			err := c.Validate()
			if (tt.want == "") != (err == nil) ||
				(err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate() = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}
