package bigcommerce

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/bigcommerce/bcstoresandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/testclock"
)

// Credentials of the sandbox under test.
const (
	testHash         = "abc123"
	testToken        = "sandbox-access-token"
	testClientID     = "sandbox-client-id"
	testClientSecret = "sandbox-client-secret"
	testSecret       = "sandbox-webhook-secret"
)

var testCreds = bcstoresandbox.Credentials{StoreHash: testHash, StoreID: "1001197568",
	AccessToken: testToken, ClientID: testClientID, ClientSecret: testClientSecret}

// fixture is a seeded store model served by the sandbox over HTTP, and an
// adapter for it.
type fixture struct {
	model  *storesandbox.Model
	clock  *testclock.Clock
	faults *erpsandbox.Faults
	sb     *bcstoresandbox.Sandbox
	srv    *httptest.Server
	store  *Store

	mu   sync.Mutex
	seen map[string]int // requests by method and path
}

// newFixture serves a seeded model: MUG, TEE on sale and CAP in EUR, stock
// at WH-EAST and WH-WEST. wrap, when not nil, stands between the adapter
// and the sandbox.
func newFixture(t *testing.T, wrap func(http.Handler) http.Handler,
	opts ...bcstoresandbox.Option) *fixture {
	t.Helper()
	f := &fixture{clock: testclock.New(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)),
		seen: map[string]int{}}
	f.model = storesandbox.NewModel(f.clock.Now)
	seedModel(t, f.model)

	var err error
	if f.faults, err = erpsandbox.NewFaults(erpsandbox.Config{}); err != nil {
		t.Fatal(err)
	}
	opts = append([]bcstoresandbox.Option{bcstoresandbox.WithCurrency("EUR"),
		bcstoresandbox.WithClock(f.clock.Now)}, opts...)
	f.sb = bcstoresandbox.New(f.model, f.faults, testCreds, opts...)
	t.Cleanup(f.sb.Close)

	var h http.Handler = f.sb
	if wrap != nil {
		h = wrap(h)
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.seen[r.Method+" "+r.URL.Path]++
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	f.store = f.newStore(t, Config{})
	return f
}

// newStore returns an adapter for the fixture's sandbox, with the settings
// of cfg that are set.
func (f *fixture) newStore(t *testing.T, cfg Config) *Store {
	t.Helper()
	cfg.URL, cfg.StoreHash, cfg.ClientID = f.srv.URL, testHash, testClientID
	if cfg.AccessToken == "" {
		cfg.AccessToken = testToken
	}
	if cfg.WebhookSecret == "" {
		cfg.WebhookSecret = testSecret
	}
	s, err := New(cfg, &http.Client{Timeout: 10 * time.Second}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// requests returns how many requests of method to path the sandbox got.
func (f *fixture) requests(method, path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[method+" "+path]
}

// allRequests returns the requests so far, by method and path.
func (f *fixture) allRequests() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.seen)
}

func seedModel(t *testing.T, m *storesandbox.Model) {
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
	for _, loc := range []string{"WH-EAST", "WH-WEST"} {
		if _, err := m.SetStock("MUG", loc, 10, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// order returns an order with line and order discounts, shipping and tax,
// for a returning customer.
func order() storesandbox.Order {
	return storesandbox.Order{Currency: "EUR",
		Customer: storesandbox.Customer{ID: 42, Email: "ana@example.test", FirstName: "Ana",
			LastName: "Lima", Phone: "+351 21 000 0000", Line1: "1 Harbour Street",
			Line2: "Flat 2", City: "Lisbon", PostalCode: "1100-001", Region: "Lisboa",
			Country: "PT"},
		Lines: []storesandbox.Line{
			{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPriceMinor: 1250, DiscountMinor: 100,
				TaxMinor: 230},
			{SKU: "TEE", Name: "Tee", Quantity: 1, UnitPriceMinor: 1900, TaxMinor: 400},
		},
		DiscountMinor: 250, ShippingMinor: 495, TaxMinor: 800}
}
