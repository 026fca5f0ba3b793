package sapsandbox

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/npmcheck"
)

// TestSAPCloudSDK installs the pinned SAP Cloud SDK with npm ci in a copy of
// clientcheck/sap and runs its check.js against the sandbox. It needs node
// and npm and the npm registry, and fails when they are missing.
func TestSAPCloudSDK(t *testing.T) {
	check := npmcheck.Install(t, "../../../..", "sap")

	model := erpsandbox.NewModel(nil)
	if _, err := model.SeedProducts([]erpsandbox.Product{
		{SKU: "CHECK-1", Name: "Check one", PriceMinor: 1999, Currency: "EUR"},
		{SKU: "CHECK-2", Name: "Check two", PriceMinor: 10, Currency: "EUR"},
		{SKU: "DISCOUNT", Name: "Discount", Currency: "EUR"},
	}); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	var fetches, tokenPosts, tokenPatches atomic.Int64
	sandbox := New(model, nil, testCreds)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("X-CSRF-Token"), "fetch") {
			fetches.Add(1)
		}
		if r.Method == http.MethodPost && r.Header.Get("X-CSRF-Token") != "" {
			tokenPosts.Add(1)
		}
		if r.Method == http.MethodPatch && r.Header.Get("X-CSRF-Token") != "" {
			tokenPatches.Add(1)
		}
		sandbox.ServeHTTP(w, r)
	}))
	defer srv.Close()

	check.Run(t, "SAP_URL="+srv.URL, "SAP_USER="+testCreds.User,
		"SAP_PASSWORD="+testCreds.Password)

	orders := model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return o.ExternalRef == "clientcheck:O'Brien-1"
	})
	if len(orders) != 1 || orders[0].TotalMinor != 4028 || len(orders[0].Lines) != 2 {
		t.Errorf("orders left by the client check = %+v, want one of 2 lines, total 4028", orders)
	}
	cancelled := model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return o.ExternalRef == "clientcheck:cancel-1"
	})
	if len(cancelled) != 1 || cancelled[0].State != erpsandbox.OrderCancelled ||
		cancelled[0].CancelReason != "Z1" || cancelled[0].TotalMinor != 1500 ||
		cancelled[0].Lines[1].UnitPriceMinor != -499 {
		t.Errorf("cancelled orders left by the client check = %+v, want one of 15.00 "+
			"with a discount, cancelled with Z1", cancelled)
	}
	customers := model.FindCustomers(func(c erpsandbox.Customer) bool {
		return c.ExternalRef == "clientcheck-1"
	})
	if len(customers) != 1 || customers[0].Email != "check@example.com" ||
		customers[0].Name != "Client Check" || customers[0].PaymentTerms != "NT60" ||
		customers[0].PriceGroup != "02" {
		t.Errorf("customers left by the client check = %+v, want Client Check on NT60, 02",
			customers)
	}
	if fetches.Load() == 0 || tokenPosts.Load() < 4 || tokenPatches.Load() != 3 {
		t.Errorf("client fetched %d CSRF tokens and sent %d POSTs and %d PATCHes with one, "+
			"want > 0, >= 4 and 3", fetches.Load(), tokenPosts.Load(), tokenPatches.Load())
	}
}
