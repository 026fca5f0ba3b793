package woocommerce

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/adapters/store/woocommerce/woosandbox"
	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/testclock"
)

// Credentials of the sandbox under test.
const (
	testKey           = "ck_0123456789abcdef0123456789abcdef01234567"
	testSecret        = "cs_76543210fedcba9876543210fedcba9876543210"
	testWebhookSecret = "whsec-test"
	testLocation      = "WH-EAST"
)

// env is a WooCommerce sandbox behind httptest and an adapter of it.
type env struct {
	model   *storesandbox.Model
	clock   *testclock.Clock
	faults  *erpsandbox.Faults
	sandbox *woosandbox.Sandbox
	srv     *httptest.Server
	store   *Store

	mu    sync.Mutex
	calls map[string]int // requests by method and path
}

// newEnv serves a sandbox over plain HTTP, so that the adapter signs with
// OAuth 1.0a, with the catalog of seedCatalog, and returns an adapter that
// retries through httpretry.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{clock: testclock.New(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)),
		calls: map[string]int{}}
	e.model = storesandbox.NewModel(e.clock.Now)
	seedCatalog(t, e.model)

	var err error
	if e.faults, err = erpsandbox.NewFaults(erpsandbox.Config{}); err != nil {
		t.Fatalf("NewFaults() error = %v", err)
	}
	e.sandbox = woosandbox.New(e.model, e.faults, woosandbox.Config{ConsumerKey: testKey,
		ConsumerSecret: testSecret, Location: testLocation, Currency: "EUR"})
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.calls[r.Method+" "+r.URL.Path]++
		e.mu.Unlock()
		e.sandbox.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)

	e.store = newStore(t, e.srv.URL, testSecret, &http.Client{Timeout: 10 * time.Second,
		Transport: &httpretry.Transport{BaseDelay: time.Millisecond}})
	return e
}

// newStore returns an adapter of the store at url with secret.
func newStore(t *testing.T, url, secret string, hc *http.Client) *Store {
	t.Helper()
	s, err := New(Config{URL: url, ConsumerKey: testKey, ConsumerSecret: secret,
		WebhookSecret: testWebhookSecret, Location: testLocation}, hc, nil)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return s
}

// count returns how many requests reached method and path.
func (e *env) count(method, path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[method+" "+path]
}

// seedCatalog adds MUG (12.50), TEE (24.00, on sale at 19.00) and CAP
// (19.00), and stock of MUG at the test location.
func seedCatalog(t *testing.T, m *storesandbox.Model) {
	t.Helper()
	for _, p := range []storesandbox.Product{
		{SKU: "MUG", Name: "Mug", PriceMinor: 1250, Currency: "EUR"},
		{SKU: "TEE", Name: "Tee", PriceMinor: 2400, SalePriceMinor: 1900, Currency: "EUR"},
		{SKU: "CAP", Name: "Cap", PriceMinor: 1900, Currency: "EUR"},
	} {
		if _, err := m.CreateProduct(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.SetStock("MUG", testLocation, 10, nil); err != nil {
		t.Fatal(err)
	}
}

// placeOrder places an order of two lines with discounts, shipping and tax.
func placeOrder(t *testing.T, m *storesandbox.Model, taxesIncluded bool) storesandbox.Order {
	t.Helper()
	o, err := m.CreateOrder(storesandbox.Order{
		Currency: "EUR", TaxesIncluded: taxesIncluded,
		Customer: storesandbox.Customer{ID: 7, Email: "ana@example.test", FirstName: "Ana",
			LastName: "Lima", Phone: "+351 1", Line1: "Rua 1", Line2: "2 esq", City: "Porto",
			PostalCode: "4000-001", Region: "13", Country: "PT"},
		Lines: []storesandbox.Line{
			{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPriceMinor: 1250, DiscountMinor: 100,
				TaxMinor: 400},
			{SKU: "CAP", Name: "Cap", Quantity: 1, UnitPriceMinor: 1900, TaxMinor: 300},
		},
		DiscountMinor: 250, ShippingMinor: 495, TaxMinor: 800,
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}
