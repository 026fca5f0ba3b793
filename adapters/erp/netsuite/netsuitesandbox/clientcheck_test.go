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
		{SKU: "DISCOUNT", Name: "Discount", Currency: "USD"},
	}); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	shipped := seedShippedOrder(t, model)
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
	if len(customers) == 1 && (customers[0].PaymentTerms != "NET30" ||
		customers[0].PriceGroup != "WHOLESALE" || customers[0].CreditLimitMinor == nil ||
		*customers[0].CreditLimitMinor != 250050) {
		t.Errorf("customer terms = %+v, want NET30, WHOLESALE, 250050", customers[0])
	}
	checkAmendments(t, model, orders, shipped)
	if n := len(model.SalesOrders()); n != 3 {
		t.Errorf("sales orders = %d, want 3: a refused request was applied", n)
	}
}

// checkAmendments checks the credit memo and the closed order the client
// check leaves, and that the shipped order stayed open.
func checkAmendments(t *testing.T, model *erpsandbox.Model, orders []erpsandbox.SalesOrder,
	shipped int64) {
	t.Helper()
	memos := model.CreditMemos()
	if len(memos) != 1 || len(orders) != 1 || memos[0].OrderID != orders[0].ID ||
		memos[0].TotalMinor != 1999 || memos[0].ExternalRef != "clientcheck:1:r1" {
		t.Errorf("credit memos left by the client check = %+v, want one of 1999", memos)
	}
	closed := model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return o.ExternalRef == "clientcheck:3"
	})
	if len(closed) != 1 || closed[0].State != erpsandbox.OrderCancelled ||
		closed[0].TotalMinor != 1799 {
		t.Errorf("closed orders = %+v, want one cancelled, total 1799", closed)
	}
	if o, _ := model.SalesOrder(shipped); o.State != erpsandbox.OrderConfirmed {
		t.Errorf("shipped order is %s, want confirmed", o.State)
	}
}

// seedShippedOrder books and ships an order of CHECK-1 and returns its id.
func seedShippedOrder(t *testing.T, model *erpsandbox.Model) int64 {
	t.Helper()
	c, err := model.CreateCustomer(erpsandbox.Customer{Name: "Shipped", Email: "s@example.com"})
	if err != nil {
		t.Fatalf("CreateCustomer() error = %v", err)
	}
	p, _ := model.ProductBySKU("CHECK-1")
	o, err := model.CreateSalesOrder(erpsandbox.SalesOrder{CustomerID: c.ID, Currency: "USD",
		ExternalRef: "clientcheck:shipped", Lines: []erpsandbox.OrderLine{
			{ProductID: p.ID, Quantity: 1, UnitPriceMinor: 1999}}})
	if err == nil {
		_, err = model.ConfirmSalesOrder(o.ID)
	}
	if err == nil {
		_, err = model.ShipSalesOrder(erpsandbox.Shipment{OrderID: o.ID})
	}
	if err != nil {
		t.Fatalf("seed shipped order: %v", err)
	}
	return o.ID
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
