package sap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/erp/sap/sapsandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
	"github.com/erpsync/erpsync/internal/testclock"
)

var testCreds = sapsandbox.Credentials{User: "COMM_USER", Password: "comm-password"}

// fixture is a sandbox over a model with a small catalog, and a client of it.
type fixture struct {
	t       *testing.T
	model   *erpsandbox.Model
	faults  *erpsandbox.Faults
	sandbox *sapsandbox.Server
	url     string
	clock   *testclock.Clock
	client  *Client

	fetches atomic.Int64

	mu      sync.Mutex
	posts   map[string][]byte // the last body POSTed to each path
	patches []string          // the paths PATCHed, in order
	// before, when set, sees each request before the sandbox does.
	before func(*http.Request)
}

// patched returns the paths PATCHed so far.
func (f *fixture) patched() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.patches...)
}

// posted returns the last body POSTed to path, decoded.
func (f *fixture) posted(path string) map[string]any {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var body map[string]any
	if err := json.Unmarshal(f.posts[path], &body); err != nil {
		f.t.Fatalf("body POSTed to %s: %v", path, err)
	}
	return body
}

func newFixture(t *testing.T, opts ...sapsandbox.Option) *fixture {
	t.Helper()
	f := &fixture{t: t, clock: testclock.New(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)),
		posts: map[string][]byte{}}
	f.model = erpsandbox.NewModel(f.clock.Now)
	var err error
	if f.faults, err = erpsandbox.NewFaults(erpsandbox.Config{}); err != nil {
		t.Fatalf("NewFaults() error = %v", err)
	}
	if _, err := f.model.SeedProducts([]erpsandbox.Product{
		{SKU: "MUG", Name: "Mug", PriceMinor: 1250, Currency: "EUR"},
		{SKU: "TEE", Name: "Tee", PriceMinor: 2400, Currency: "EUR"},
	}); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}

	f.sandbox = sapsandbox.New(f.model, f.faults, testCreds, opts...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("X-CSRF-Token"), "fetch") {
			f.fetches.Add(1)
		}
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(r.Body)
			f.mu.Lock()
			f.posts[r.URL.Path] = body
			f.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		f.mu.Lock()
		if r.Method == http.MethodPatch {
			f.patches = append(f.patches, r.URL.Path)
		}
		before := f.before
		f.mu.Unlock()
		if before != nil {
			before(r)
		}
		f.sandbox.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	f.client = f.newClient(testCreds.Password)
	return f
}

func (f *fixture) newClient(password string) *Client {
	cfg := Config{URL: f.url, User: testCreds.User, Password: password,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}}
	if err := cfg.Validate(); err != nil {
		f.t.Fatalf("Validate() error = %v", err)
	}
	return New(cfg)
}

// shot queues a one-shot fault for op.
func (f *fixture) shot(s erpsandbox.Shot) {
	f.t.Helper()
	if err := f.faults.Enqueue(s); err != nil {
		f.t.Fatalf("Enqueue(%+v) error = %v", s, err)
	}
}

func testOrder(ref, email string) erp.SalesOrder {
	return erp.SalesOrder{
		ExternalRef: ref, Store: "demo", OrderNumber: "1001", Currency: "EUR",
		OrderedAt: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC),
		Customer: erp.Customer{ExternalID: "42", Email: email, Name: "Ada Lovelace",
			Address: erp.Address{Line1: "1 Harbour Street", City: "Lisbon", PostalCode: "1100-001",
				CountryCode: "PT"}},
		Lines: []erp.Line{
			{SKU: "MUG", Description: "Stoneware mug", Quantity: 2, UnitPriceMinor: 1199},
			{SKU: "TEE", Quantity: 1, UnitPriceMinor: 2400},
		},
		TotalMinor: 4798,
	}
}

func TestConfigValidate(t *testing.T) {
	good := Config{URL: "https://my1-api.s4hana.cloud.sap", User: "U", Password: "p"}
	tests := []struct {
		name   string
		change func(*Config)
		ok     bool
	}{
		{"complete", func(*Config) {}, true},
		{"no url", func(c *Config) { c.URL = "" }, false},
		{"not http", func(c *Config) { c.URL = "ftp://host" }, false},
		{"query", func(c *Config) { c.URL += "?sap-client=100" }, false},
		{"no user", func(c *Config) { c.User = "" }, false},
		{"no password", func(c *Config) { c.Password = "" }, false},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, false},
		{"rejection reason", func(c *Config) { c.RejectionReason = "03" }, true},
		{"long rejection reason", func(c *Config) { c.RejectionReason = "Z10" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.change(&c)
			if err := c.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestWrongPasswordIsAuthError(t *testing.T) {
	f := newFixture(t)
	c := f.newClient("wrong")

	_, _, err := c.FindSalesOrder(t.Context(), "demo:1")
	var auth *syncerr.AuthError
	if !errors.As(err, &auth) || !syncerr.IsPermanent(err) {
		t.Fatalf("FindSalesOrder() error = %v, want a permanent AuthError", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error %q quotes the password", err)
	}

	_, err = c.CreateSalesOrder(t.Context(), testOrder("demo:1", "ada@example.com"))
	if !errors.As(err, &auth) {
		t.Errorf("CreateSalesOrder() error = %v, want an AuthError", err)
	}
}

func TestCreateThenFind(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()

	if _, found, err := f.client.FindSalesOrder(ctx, "demo:1001"); err != nil || found {
		t.Fatalf("FindSalesOrder() before create = found %v, %v; want not found", found, err)
	}
	ref, err := f.client.CreateSalesOrder(ctx, testOrder("demo:1001", "Ada@Example.com"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	got, found, err := f.client.FindSalesOrder(ctx, "demo:1001")
	if err != nil || !found || got != ref {
		t.Fatalf("FindSalesOrder() = %+v, %v, %v; want %+v", got, found, err, ref)
	}

	orders := f.model.SalesOrders()
	if len(orders) != 1 {
		t.Fatalf("model holds %d orders, want 1", len(orders))
	}
	o := orders[0]
	if o.ExternalRef != "demo:1001" || o.TotalMinor != 4798 || o.Currency != "EUR" ||
		len(o.Lines) != 2 || o.Lines[0].UnitPriceMinor != 1199 ||
		!o.OrderedAt.Equal(time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("stored order = %+v, want the store's reference, prices and date", o)
	}
	partner := f.posted("/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner")
	area := partner["to_Customer"].(map[string]any)["to_CustomerSalesArea"].(map[string]any)
	want := map[string]any{"SalesOrganization": "1010", "DistributionChannel": "10",
		"Division": "00", "Currency": "EUR"}
	if got := area["results"].([]any)[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("sales area of the new partner = %v, want %v", got, want)
	}
	order := f.posted("/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder")
	item := order["to_Item"].(map[string]any)["results"].([]any)[0].(map[string]any)
	if item["Material"] != "MUG" || item["RequestedQuantity"] != "2" ||
		item["SalesOrderItemText"] != "Stoneware mug" {
		t.Errorf("first item sent = %v", item)
	}

	cust, ok := f.model.Customer(o.CustomerID)
	if !ok || cust.Email != "Ada@Example.com" || cust.Name != "Ada Lovelace" ||
		cust.ExternalRef != "42" || cust.Address.City != "Lisbon" {
		t.Errorf("stored customer = %+v, want Ada with e-mail, external id and city", cust)
	}
}

func TestSecondOrderReusesTheCustomer(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()

	for i, email := range []string{"ada@example.com", "ADA@example.com"} {
		o := testOrder(fmt.Sprintf("demo:%d", i), email)
		if _, err := f.client.CreateSalesOrder(ctx, o); err != nil {
			t.Fatalf("CreateSalesOrder(%d) error = %v", i, err)
		}
	}
	if n := len(f.model.Customers()); n != 1 {
		t.Errorf("model holds %d customers, want 1 found by e-mail", n)
	}
}

func TestUnknownSKUIsInvalidOnTheLine(t *testing.T) {
	f := newFixture(t)
	o := testOrder("demo:7", "ada@example.com")
	o.Lines[1].SKU = "NO-SUCH-SKU"

	_, err := f.client.CreateSalesOrder(t.Context(), o)
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != "lines[1].sku" ||
		!strings.Contains(invalid.Reason, "NO-SUCH-SKU") {
		t.Fatalf("CreateSalesOrder() error = %v, want InvalidError on lines[1].sku naming it", err)
	}
	if n := len(f.model.SalesOrders()) + len(f.model.Customers()); n != 0 {
		t.Errorf("model holds %d orders and customers, want none", n)
	}
}

func TestExternalRefOverThirtyFiveCharacters(t *testing.T) {
	f := newFixture(t)
	long := "demo:" + strings.Repeat("9", 31)

	_, _, err := f.client.FindSalesOrder(t.Context(), long)
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != "external_ref" ||
		!strings.Contains(invalid.Reason, "35") {
		t.Errorf("FindSalesOrder() error = %v, want InvalidError on external_ref", err)
	}
	_, err = f.client.CreateSalesOrder(t.Context(), testOrder(long, "ada@example.com"))
	if !errors.As(err, &invalid) || invalid.Field != "external_ref" {
		t.Errorf("CreateSalesOrder() error = %v, want InvalidError on external_ref", err)
	}
	if f.model.RequestsServed() != 0 {
		t.Errorf("sandbox served %d requests, want none", f.model.RequestsServed())
	}
}

func TestFindEscapesQuotes(t *testing.T) {
	f := newFixture(t)
	ref := "demo:O'Brien-1"
	created, err := f.client.CreateSalesOrder(t.Context(), testOrder(ref, "ob@example.com"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}

	got, found, err := f.client.FindSalesOrder(t.Context(), ref)
	if err != nil || !found || got != created {
		t.Errorf("FindSalesOrder(%q) = %+v, %v, %v; want %+v", ref, got, found, err, created)
	}
	if _, found, err := f.client.FindSalesOrder(t.Context(), "demo:O"); err != nil || found {
		t.Errorf("FindSalesOrder(prefix) = found %v, %v; want not found", found, err)
	}
}

func TestValidationErrorCarriesSAPMessage(t *testing.T) {
	f := newFixture(t)
	cust := erp.Customer{Email: "x@example.com", Name: "X Y",
		Address: erp.Address{CountryCode: "PORTUGAL"}}

	_, err := f.client.CreateCustomer(t.Context(), cust)
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || !syncerr.IsPermanent(err) ||
		!strings.Contains(invalid.Reason, "/IWBEP/CM_MGW_RT/020") ||
		!strings.Contains(invalid.Reason, "Country") {
		t.Errorf("CreateCustomer() error = %v, want InvalidError with SAP's code and message", err)
	}
}

func TestRateLimitCarriesRetryAfter(t *testing.T) {
	f := newFixture(t)
	f.shot(erpsandbox.Shot{Kind: erpsandbox.KindRateLimit, Op: "API_SALES_ORDER_SRV/*",
		RetryAfterSeconds: 7})

	_, _, err := f.client.FindSalesOrder(t.Context(), "demo:1")
	var limited *syncerr.RateLimitedError
	if !errors.As(err, &limited) || limited.RetryAfter != 7*time.Second {
		t.Errorf("FindSalesOrder() error = %v, want RateLimitedError after 7s", err)
	}
}

func TestServerErrorIsUnavailable(t *testing.T) {
	f := newFixture(t)
	f.shot(erpsandbox.Shot{Kind: erpsandbox.KindServerError, Op: "API_SALES_ORDER_SRV/*",
		Status: 502})

	_, _, err := f.client.FindSalesOrder(t.Context(), "demo:1")
	if !errors.Is(err, syncerr.ErrUnavailable) || syncerr.IsPermanent(err) {
		t.Errorf("FindSalesOrder() error = %v, want ErrUnavailable", err)
	}
}

func TestLostCreateIsFoundNext(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.shot(erpsandbox.Shot{Kind: erpsandbox.KindDropResponse,
		Op: "API_SALES_ORDER_SRV/A_SalesOrder/POST"})

	_, err := f.client.CreateSalesOrder(ctx, testOrder("demo:55", "ada@example.com"))
	if !errors.Is(err, syncerr.ErrUnavailable) {
		t.Fatalf("CreateSalesOrder() with a lost answer error = %v, want ErrUnavailable", err)
	}
	ref, found, err := f.client.FindSalesOrder(ctx, "demo:55")
	if err != nil || !found {
		t.Fatalf("FindSalesOrder() after the lost answer = %v, %v; want found", found, err)
	}
	if n := f.model.SalesOrdersByExternalRef()["demo:55"]; n != 1 {
		t.Errorf("model holds %d orders for demo:55, want 1", n)
	}
	if ref.ID == "" {
		t.Errorf("found order has no id")
	}
}

func TestStaleCSRFTokenIsFetchedAgainOnce(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.client.CreateSalesOrder(ctx, testOrder("demo:1", "a@example.com")); err != nil {
		t.Fatalf("CreateSalesOrder(1) error = %v", err)
	}
	if n := f.fetches.Load(); n != 1 {
		t.Fatalf("token fetched %d times for the first order, want 1", n)
	}

	f.sandbox.ExpireSessions()
	if _, err := f.client.CreateSalesOrder(ctx, testOrder("demo:2", "b@example.com")); err != nil {
		t.Fatalf("CreateSalesOrder(2) after the session expired error = %v", err)
	}
	if n := f.fetches.Load(); n != 2 {
		t.Errorf("token fetched %d times in all, want 2", n)
	}
	if n := len(f.model.SalesOrders()); n != 2 {
		t.Errorf("model holds %d orders, want 2", n)
	}
}
