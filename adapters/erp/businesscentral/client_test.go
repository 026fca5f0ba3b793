package businesscentral

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/businesscentral/bcsandbox"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
	"github.com/erpsync/erpsync/internal/testclock"
)

var testCreds = bcsandbox.Credentials{
	Tenant: "11111111-2222-4333-8444-555555555555", Environment: "Production",
	CompanyID: "5d115c9c-44e3-ea11-bb43-000d3a2feca1", CompanyName: "Test company",
	ClientID: "0a0b0c0d-0000-4000-8000-000000000001", ClientSecret: "right-secret",
}

// env is a Business Central sandbox behind httptest and a client of it.
type env struct {
	model  *erpsandbox.Model
	faults *erpsandbox.Faults
	clock  *testclock.Clock
	srv    *httptest.Server
	client *Client

	tokenCalls atomic.Int64
}

// newEnv starts a sandbox with products seeded. wrap, when not nil, wraps
// the sandbox handler.
func newEnv(t *testing.T, wrap func(http.Handler) http.Handler,
	opts ...bcsandbox.Option) *env {
	t.Helper()
	e := &env{clock: testclock.New(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))}
	e.model = erpsandbox.NewModel(e.clock.Now)
	_, err := e.model.SeedProducts([]erpsandbox.Product{
		{SKU: "W-1", Name: "Widget", PriceMinor: 1999, Currency: "USD"},
		{SKU: "G-1", Name: "Gadget", PriceMinor: 10, Currency: "USD"},
		{SKU: "T-1", Name: "Tea", PriceMinor: 500, Currency: "USD"},
	})
	if err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	if e.faults, err = erpsandbox.NewFaults(erpsandbox.Config{}); err != nil {
		t.Fatalf("NewFaults() error = %v", err)
	}

	opts = append([]bcsandbox.Option{bcsandbox.WithClock(e.clock.Now)}, opts...)
	var h http.Handler = bcsandbox.New(e.model, e.faults, testCreds, opts...)
	h = e.countTokens(h)
	if wrap != nil {
		h = wrap(h)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	e.client = New(e.config(testCreds.ClientSecret))
	return e
}

func (e *env) config(secret string) Config {
	return Config{
		URL:      e.srv.URL + "/v2.0/" + testCreds.Tenant + "/Production/api/v2.0",
		TokenURL: e.srv.URL + "/" + testCreds.Tenant + "/oauth2/v2.0/token",
		ClientID: testCreds.ClientID, ClientSecret: secret, CompanyID: testCreds.CompanyID,
		Timeout: 5 * time.Second,
	}
}

// countTokens counts the requests that reach the token endpoint.
func (e *env) countTokens(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
			e.tokenCalls.Add(1)
		}
		h.ServeHTTP(w, r)
	})
}

func testOrder(ref string) erp.SalesOrder {
	return erp.SalesOrder{
		ExternalRef: ref, Store: "demo", OrderNumber: strings.TrimPrefix(ref, "demo:"),
		Currency: "USD", OrderedAt: time.Date(2026, 2, 27, 15, 4, 5, 0, time.UTC),
		Customer: erp.Customer{Email: "ada@example.com", Name: "Ada Lovelace",
			Address: erp.Address{Line1: "1 Analytical Way", City: "London",
				CountryCode: "GB"}},
		Lines: []erp.Line{
			{SKU: "W-1", Quantity: 2, UnitPriceMinor: 1999},
			{SKU: "g-1", Quantity: 3, UnitPriceMinor: 10, Description: "Gadget, blue"},
		},
		TotalMinor: 4028,
	}
}

func TestCreateAndFindSalesOrder(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()

	if _, found, err := e.client.FindSalesOrder(ctx, "demo:1001"); err != nil || found {
		t.Fatalf("FindSalesOrder() before create = found %v, error %v; want not found", found, err)
	}
	ref, err := e.client.CreateSalesOrder(ctx, testOrder("demo:1001"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	got, found, err := e.client.FindSalesOrder(ctx, "demo:1001")
	if err != nil || !found || got != ref {
		t.Fatalf("FindSalesOrder() = %+v, %v, %v; want %+v", got, found, err, ref)
	}

	orders := e.model.SalesOrders()
	if len(orders) != 1 || orders[0].TotalMinor != 4028 || orders[0].Number != ref.Number ||
		orders[0].State != erpsandbox.OrderConfirmed || len(orders[0].Lines) != 2 ||
		orders[0].Lines[1].Description != "Gadget, blue" {
		t.Fatalf("model orders = %+v, want one confirmed order of 40.28 with two lines", orders)
	}

	if _, err := e.client.CreateSalesOrder(ctx, testOrder("demo:1002")); err != nil {
		t.Fatalf("second CreateSalesOrder() error = %v", err)
	}
	if n := len(e.model.Customers()); n != 1 {
		t.Errorf("customers after two orders of one e-mail = %d, want 1", n)
	}
}

func TestFindSalesOrderEscapesQuotesAndIgnoresCase(t *testing.T) {
	e := newEnv(t, nil)
	ref, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:o'brien"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	got, found, err := e.client.FindSalesOrder(t.Context(), "DEMO:O'Brien")
	if err != nil || !found || got.ID != ref.ID {
		t.Fatalf("FindSalesOrder() = %+v, %v, %v; want %s", got, found, err, ref.ID)
	}
	if _, found, _ := e.client.FindSalesOrder(t.Context(), "demo:o"); found {
		t.Error("FindSalesOrder(prefix) found an order")
	}
}

func TestExternalRefLongerThan35IsInvalid(t *testing.T) {
	e := newEnv(t, nil)
	long := "demo:" + strings.Repeat("9", 31) // 36 characters
	_, _, findErr := e.client.FindSalesOrder(t.Context(), long)
	_, createErr := e.client.CreateSalesOrder(t.Context(), testOrder(long))

	for name, err := range map[string]error{"find": findErr, "create": createErr} {
		var inv *syncerr.InvalidError
		if !errors.As(err, &inv) || inv.Field != "external_ref" ||
			!strings.Contains(inv.Reason, "35") {
			t.Errorf("%s error = %v, want InvalidError on external_ref naming 35", name, err)
		}
	}
	if n := e.model.RequestsServed(); n != 0 {
		t.Errorf("requests served = %d, want 0", n)
	}
}

func TestUnknownSKUIsInvalid(t *testing.T) {
	e := newEnv(t, nil)
	o := testOrder("demo:1003")
	o.Lines = append(o.Lines, erp.Line{SKU: "NO-SUCH", Quantity: 1, UnitPriceMinor: 1})

	_, err := e.client.CreateSalesOrder(t.Context(), o)
	var inv *syncerr.InvalidError
	if !errors.As(err, &inv) || inv.Field != "lines[2].sku" || !strings.Contains(inv.Reason,
		"NO-SUCH") {
		t.Fatalf("CreateSalesOrder() error = %v, want InvalidError on lines[2].sku", err)
	}
	if n := len(e.model.SalesOrders()); n != 0 {
		t.Errorf("orders = %d, want 0", n)
	}
}

func TestValidationErrorCarriesBusinessCentralMessage(t *testing.T) {
	e := newEnv(t, nil)
	o := testOrder("demo:1004")
	o.Currency = "XYZ"

	_, err := e.client.CreateSalesOrder(t.Context(), o)
	var inv *syncerr.InvalidError
	if !errors.As(err, &inv) || !strings.Contains(inv.Reason, "Application_DialogException") ||
		!strings.Contains(inv.Reason, "Currency Code") {
		t.Fatalf("CreateSalesOrder() error = %v, want InvalidError with the message", err)
	}
	if !syncerr.IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = false", err)
	}
}

func TestRateLimitedCarriesRetryAfter(t *testing.T) {
	e := newEnv(t, nil)
	shot := erpsandbox.Shot{Op: "salesOrders/list", Kind: erpsandbox.KindRateLimit,
		RetryAfterSeconds: 7}
	if err := e.faults.Enqueue(shot); err != nil {
		t.Fatal(err)
	}

	_, _, err := e.client.FindSalesOrder(t.Context(), "demo:1")
	var rl *syncerr.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Fatalf("FindSalesOrder() error = %v, want RateLimitedError after 7s", err)
	}
}

func TestServerErrorIsUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	for _, status := range []int{500, 503} {
		shot := erpsandbox.Shot{Op: "salesOrders/list", Kind: erpsandbox.KindServerError,
			Status: status}
		if err := e.faults.Enqueue(shot); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.client.FindSalesOrder(t.Context(), "demo:1")
		if !errors.Is(err, syncerr.ErrUnavailable) || syncerr.IsPermanent(err) {
			t.Errorf("status %d: error = %v, want ErrUnavailable", status, err)
		}
	}
}

func TestLostCreateResponseIsFoundNext(t *testing.T) {
	e := newEnv(t, nil)
	shot := erpsandbox.Shot{Op: "salesOrders/create", Kind: erpsandbox.KindDropResponse}
	if err := e.faults.Enqueue(shot); err != nil {
		t.Fatal(err)
	}

	_, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:2001"))
	if !errors.Is(err, syncerr.ErrUnavailable) {
		t.Fatalf("CreateSalesOrder() with a lost answer: error = %v, want ErrUnavailable", err)
	}
	orders := e.model.SalesOrders()
	if len(orders) != 1 {
		t.Fatalf("orders after the lost answer = %d, want 1 (committed)", len(orders))
	}
	ref, found, err := e.client.FindSalesOrder(t.Context(), "demo:2001")
	if err != nil || !found || ref.Number != orders[0].Number {
		t.Fatalf("FindSalesOrder() = %+v, %v, %v; want %s", ref, found, err, orders[0].Number)
	}
}

func TestBadClientSecretIsAuthError(t *testing.T) {
	e := newEnv(t, nil)
	c := New(e.config("wrong-secret"))

	_, err := c.CreateSalesOrder(t.Context(), testOrder("demo:3001"))
	var auth *syncerr.AuthError
	if !errors.As(err, &auth) || !strings.Contains(auth.Reason, "invalid_client") ||
		!strings.Contains(auth.Reason, "AADSTS7000215") {
		t.Fatalf("CreateSalesOrder() error = %v, want AuthError invalid_client", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("error %q holds the secret", err)
	}
	if n := len(e.model.SalesOrders()); n != 0 {
		t.Errorf("orders = %d, want 0", n)
	}
}

func TestExpiredTokenIsRenewed(t *testing.T) {
	e := newEnv(t, nil, bcsandbox.WithTokenLifetime(time.Hour))
	if _, _, err := e.client.FindSalesOrder(t.Context(), "demo:1"); err != nil {
		t.Fatalf("FindSalesOrder() error = %v", err)
	}
	e.clock.Advance(2 * time.Hour) // the sandbox expires the token; the client does not know

	if _, _, err := e.client.FindSalesOrder(t.Context(), "demo:1"); err != nil {
		t.Fatalf("FindSalesOrder() with an expired token: error = %v", err)
	}
	if n := e.tokenCalls.Load(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

func TestTokenIsCached(t *testing.T) {
	e := newEnv(t, nil)
	for range 3 {
		if _, _, err := e.client.FindSalesOrder(t.Context(), "demo:1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.tokenCalls.Load(); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}

func TestTransportFailureIsUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.Close()
	_, _, err := e.client.FindSalesOrder(t.Context(), "demo:1")
	if !errors.Is(err, syncerr.ErrUnavailable) {
		t.Fatalf("FindSalesOrder() against a closed server: error = %v, want ErrUnavailable", err)
	}
}

func TestConfigValidate(t *testing.T) {
	good := Config{
		URL:      "https://api.businesscentral.dynamics.com/v2.0/t/Production/api/v2.0",
		TokenURL: "https://login.microsoftonline.com/t/oauth2/v2.0/token",
		ClientID: "id", ClientSecret: "secret", CompanyID: testCreds.CompanyID,
	}
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"valid", func(*Config) {}, ""},
		{"no url", func(c *Config) { c.URL = "" }, "url"},
		{"url without api root", func(c *Config) { c.URL = "https://x.test/v2.0" }, "/api/v2.0"},
		{"no token url", func(c *Config) { c.TokenURL = "login" }, "token url"},
		{"no client id", func(c *Config) { c.ClientID = "" }, "client id"},
		{"no secret", func(c *Config) { c.ClientSecret = "" }, "client secret"},
		{"bad company", func(c *Config) { c.CompanyID = "CRONUS" }, "company id"},
		{"negative timeout", func(c *Config) { c.Timeout = -1 }, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			err := cfg.Validate()
			if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(),
				tt.want) {
				t.Errorf("Validate() = %v, want error naming %q", err, tt.want)
			}
		})
	}
}
