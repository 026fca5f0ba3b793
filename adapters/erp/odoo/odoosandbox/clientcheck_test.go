package odoosandbox

import (
	"net/http/httptest"
	"testing"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/npmcheck"
)

// TestOdooClientLibrary installs the pinned client library with npm ci in a
// copy of clientcheck/odoo and runs its check.js against the sandbox. It
// needs node and npm and the npm registry, and fails when they are missing.
func TestOdooClientLibrary(t *testing.T) {
	check := npmcheck.Install(t, "../../../..", "odoo")

	model := erpsandbox.NewModel(nil)
	if _, err := model.SeedProducts([]erpsandbox.Product{
		{SKU: "CHECK-1", Name: "Check one", PriceMinor: 1999, Currency: "USD"},
		{SKU: "CHECK-2", Name: "Check two", PriceMinor: 10, Currency: "USD"},
	}); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	if _, err := model.SetStock("CHECK-1", "WH/Stock", 7, 2); err != nil {
		t.Fatalf("SetStock() error = %v", err)
	}
	srv := httptest.NewServer(New(model, nil, testCreds))
	defer srv.Close()

	check.Run(t, "ODOO_URL="+srv.URL, "ODOO_DB="+testCreds.DB,
		"ODOO_USER="+testCreds.Login, "ODOO_API_KEY="+testCreds.APIKey)

	orders := model.SalesOrders()
	if len(orders) != 2 || orders[0].ExternalRef != "clientcheck:1" ||
		orders[0].State != erpsandbox.OrderConfirmed || orders[0].TotalMinor != 4028 ||
		orders[1].ExternalRef != "clientcheck:2" || orders[1].State != erpsandbox.OrderCancelled {
		t.Errorf("orders left by the client check = %+v, want clientcheck:1 confirmed, total "+
			"4028, and clientcheck:2 cancelled", orders)
	}
	memos := model.CreditMemos()
	if len(memos) != 1 || memos[0].OrderID != orders[0].ID || memos[0].TotalMinor != 1999 {
		t.Errorf("credit memos left by the client check = %+v, want one of 19.99", memos)
	}
	customers := model.Customers()
	if len(customers) != 1 || customers[0].CreditLimitMinor == nil ||
		*customers[0].CreditLimitMinor != 250000 || customers[0].PaymentTerms != "NET30" ||
		customers[0].PriceGroup != "WHOLESALE" {
		t.Errorf("customers left by the client check = %+v, want terms 2500.00 NET30 "+
			"WHOLESALE", customers)
	}
}
