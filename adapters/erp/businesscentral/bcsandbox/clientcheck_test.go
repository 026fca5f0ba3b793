package bcsandbox

import (
	"encoding/pem"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/npmcheck"
)

// TestBusinessCentralClientLibraries installs the pinned client libraries
// with npm ci in a copy of clientcheck/businesscentral and runs its check.js
// against the sandbox served over TLS, since MSAL accepts only https
// authorities. It needs node and npm and the npm registry, and fails when
// they are missing.
func TestBusinessCentralClientLibraries(t *testing.T) {
	check := npmcheck.Install(t, "../../../..", "businesscentral")

	model := erpsandbox.NewModel(nil)
	if _, err := model.SeedProducts([]erpsandbox.Product{
		{SKU: "CHECK-1", Name: "Check one", PriceMinor: 1999, Currency: "USD"},
		{SKU: "CHECK-2", Name: "Check two", PriceMinor: 10, Currency: "USD"},
		{SKU: "CHECK-3", Name: "Check three", PriceMinor: 100, Currency: "USD"},
	}); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	srv, paths := serveTLS(t, New(model, nil, testCreds))
	ca := filepath.Join(check.Dir, "sandbox-ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}

	check.Run(t, "NODE_EXTRA_CA_CERTS="+ca,
		"BC_URL="+srv.URL+"/v2.0/"+testCreds.Tenant+"/"+testCreds.Environment+
			"/api/v2.0",
		"BC_TOKEN_URL="+srv.URL+"/"+testCreds.Tenant+"/oauth2/v2.0/token",
		"BC_TENANT="+testCreds.Tenant, "BC_CLIENT_ID="+testCreds.ClientID,
		"BC_CLIENT_SECRET="+testCreds.ClientSecret, "BC_COMPANY_ID="+testCreds.CompanyID)

	checkModelAfterClients(t, model)
	for _, want := range []string{
		"GET /" + testCreds.Tenant + "/v2.0/.well-known/openid-configuration",
		"POST /" + testCreds.Tenant + "/oauth2/v2.0/token",
	} {
		if paths()[want] == 0 {
			t.Errorf("MSAL never sent %s; requests: %v", want, paths())
		}
	}
}

// serveTLS serves h over TLS on loopback, counting requests by method and
// path; paths returns the counts so far.
func serveTLS(t *testing.T, h http.Handler) (srv *httptest.Server,
	paths func() map[string]int) {
	t.Helper()
	var mu sync.Mutex
	seen := map[string]int{}
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	return srv, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(seen)
	}
}

// checkModelAfterClients asserts what check.js left in the model.
func checkModelAfterClients(t *testing.T, model *erpsandbox.Model) {
	t.Helper()
	orders := model.SalesOrders()
	if len(orders) != 2 || orders[0].ExternalRef != "clientcheck:1" ||
		orders[0].State != erpsandbox.OrderConfirmed || orders[0].TotalMinor != 4028 ||
		orders[1].ExternalRef != "clientcheck:3" ||
		orders[1].State != erpsandbox.OrderCancelled || orders[1].TotalMinor != 1849 {
		t.Errorf("orders left by the client check = %+v, want clientcheck:1 confirmed, "+
			"total 4028, and clientcheck:3 cancelled, total 1849", orders)
	}
	customers := model.FindCustomers(func(c erpsandbox.Customer) bool {
		return strings.EqualFold(c.Email, "check@example.com")
	})
	if len(customers) != 1 || customers[0].Name != "Client Check 2" ||
		customers[0].ExternalRef != "check:customer-1" || customers[0].PaymentTerms != "NET30" ||
		customers[0].CreditLimitMinor == nil || *customers[0].CreditLimitMinor != 500000 {
		t.Errorf("customers left by the client check = %+v, want one renamed, with NET30 "+
			"and a limit of 5000.00", customers)
	}
	memos := model.CreditMemos()
	if len(memos) != 1 || memos[0].ExternalRef != "clientcheck:1:refund:1" ||
		memos[0].TotalMinor != 260 || len(orders) == 0 || memos[0].OrderID != orders[0].ID {
		t.Errorf("credit memos left by the client check = %+v, want one of 2.60 on "+
			"clientcheck:1", memos)
	}
}
