package netsuite

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/erp/netsuite/netsuitesandbox"
	"github.com/erpsync/erpsync/internal/testclock"
)

// testKey is the certificate key of the OAuth 2.0 tests, made once.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err) // no test can run without it
	}
	return key
})

func keyPEM(key *rsa.PrivateKey) string {
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// sandboxCreds are the credentials of the test sandbox.
func sandboxCreds() netsuitesandbox.Credentials {
	return netsuitesandbox.Credentials{
		Account: "1234567_SB1", ConsumerKey: "ck-test", ConsumerSecret: "cs-test",
		TokenID: "tid-test", TokenSecret: "ts-test", ClientID: "client-test",
		CertificateID: "cert-test", PublicKey: &testKey().PublicKey,
	}
}

// authMethods configure a client with TBA or with OAuth 2.0.
var authMethods = map[string]func(*Config){
	"tba": func(c *Config) {
		c.ConsumerKey, c.ConsumerSecret = "ck-test", "cs-test"
		c.TokenID, c.TokenSecret = "tid-test", "ts-test"
	},
	"oauth2": func(c *Config) {
		c.ClientID, c.CertificateID, c.PrivateKeyPEM = "client-test", "cert-test",
			keyPEM(testKey())
	},
}

// env is a NetSuite sandbox behind httptest and a client of it.
type env struct {
	model  *erpsandbox.Model
	faults *erpsandbox.Faults
	srv    *netsuitesandbox.Server
	url    string
	clock  *testclock.Clock
	client *Client
}

// t0 is when the test model's clock starts.
var t0 = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)

// newEnv starts a sandbox with products seeded and a client that
// authenticates with method ("tba" or "oauth2"). adjust, when not nil,
// changes the client's configuration.
func newEnv(t *testing.T, method string, adjust func(*Config),
	opts ...netsuitesandbox.Option) *env {
	t.Helper()
	e := &env{clock: testclock.New(t0)}
	e.model = erpsandbox.NewModel(e.clock.Now)
	_, err := e.model.SeedProducts([]erpsandbox.Product{
		{SKU: "W-1", Name: "Widget", PriceMinor: 1999, Currency: "USD"},
		{SKU: "G-1", Name: "Gadget", PriceMinor: 10, Currency: "USD"},
	})
	if err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	if e.faults, err = erpsandbox.NewFaults(erpsandbox.Config{}); err != nil {
		t.Fatalf("NewFaults() error = %v", err)
	}

	e.srv = netsuitesandbox.New(e.model, e.faults, sandboxCreds(), opts...)
	hs := httptest.NewServer(e.srv)
	t.Cleanup(hs.Close)
	e.url = hs.URL

	cfg := Config{URL: hs.URL, Account: "1234567_SB1", Timeout: 10 * time.Second}
	authMethods[method](&cfg)
	if adjust != nil {
		adjust(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate() error = %v", err)
	}
	e.client = New(cfg)
	return e
}

// shoot queues one-shot faults.
func (e *env) shoot(t *testing.T, shots ...erpsandbox.Shot) {
	t.Helper()
	if err := e.faults.Enqueue(shots...); err != nil {
		t.Fatalf("Enqueue() error = %v", err)
	}
}

func testOrder(ref string) erp.SalesOrder {
	return erp.SalesOrder{
		ExternalRef: ref, Store: "demo", OrderNumber: strings.TrimPrefix(ref, "demo:"),
		Currency: "USD", OrderedAt: t0,
		Customer: erp.Customer{Email: "Ana@Example.com", Name: "Ana Lima",
			Address: erp.Address{Line1: "1 Rua", City: "Lisbon", CountryCode: "PT"}},
		Lines: []erp.Line{
			{SKU: "W-1", Description: "Widget", Quantity: 2, UnitPriceMinor: 1999},
			{SKU: "G-1", Quantity: 3, UnitPriceMinor: 10},
		},
		TotalMinor: 4028,
	}
}

// ordersWithRef returns the sandbox's orders carrying ref.
func (e *env) ordersWithRef(ref string) []erpsandbox.SalesOrder {
	return e.model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return o.ExternalRef == ref
	})
}

// plainClient is an HTTP client with no retries.
var plainClient = &http.Client{Timeout: 10 * time.Second}
