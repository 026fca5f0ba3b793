package netsuitesandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http/httptest"
	"testing"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/npmcheck"
)

// TestNetSuiteClientLibrary installs the pinned client library with npm ci
// in a copy of clientcheck/netsuite and runs its check.js against the
// sandbox with token-based authentication. It needs node and npm and the
// npm registry, and fails when they are missing.
func TestNetSuiteClientLibrary(t *testing.T) {
	check := npmcheck.Install(t, "../../../..", "netsuite")

	model := erpsandbox.NewModel(nil)
	if _, err := model.SeedProducts([]erpsandbox.Product{
		{SKU: "CHECK-1", Name: "Check one", PriceMinor: 1999, Currency: "USD"},
		{SKU: "CHECK-2", Name: "Check two", PriceMinor: 10, Currency: "USD"},
	}); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	creds := checkCreds(t)
	srv := httptest.NewServer(New(model, nil, creds))
	defer srv.Close()

	check.Run(t, "NETSUITE_URL="+srv.URL, "NETSUITE_ACCOUNT="+creds.Account,
		"NETSUITE_CONSUMER_KEY="+creds.ConsumerKey,
		"NETSUITE_CONSUMER_SECRET="+creds.ConsumerSecret,
		"NETSUITE_TOKEN_ID="+creds.TokenID, "NETSUITE_TOKEN_SECRET="+creds.TokenSecret)

	orders := model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return o.ExternalRef == "clientcheck:1"
	})
	if len(orders) != 1 || orders[0].State != erpsandbox.OrderConfirmed ||
		orders[0].TotalMinor != 4028 || orders[0].Lines[0].Description != "Check one" {
		t.Errorf("orders left by the client check = %+v, want one confirmed, total 4028", orders)
	}
	customers := model.FindCustomers(func(c erpsandbox.Customer) bool {
		return c.ExternalRef == "clientcheck-customer"
	})
	if len(customers) != 1 || customers[0].Email != "check@example.com" {
		t.Errorf("customers left by the client check = %+v, want one", customers)
	}
	if n := len(model.SalesOrders()); n != 1 {
		t.Errorf("sales orders = %d, want 1: a refused request was applied", n)
	}
}

// checkCreds are credentials with a fresh certificate key.
func checkCreds(t *testing.T) Credentials {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("GenerateKey() error = %v", err)
	}
	return Credentials{Account: "1234567_SB1", ConsumerKey: "ck", ConsumerSecret: "cs",
		TokenID: "tid", TokenSecret: "ts", ClientID: "client", CertificateID: "cert",
		PublicKey: &key.PublicKey}
}
