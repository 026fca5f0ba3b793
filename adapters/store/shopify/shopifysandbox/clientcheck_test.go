package shopifysandbox

import (
	"context"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/npmcheck"
)

// TestShopifyClientLibrary installs Shopify's Node library for apps with
// npm ci in a copy of clientcheck/shopify and runs its check.js against the
// sandbox served over TLS, since the library only speaks https to
// myshopify.com hosts. Once check.js registers its webhook, the test places
// an order, whose delivery check.js validates. It needs node and npm and
// the npm registry, and fails when they are missing.
func TestShopifyClientLibrary(t *testing.T) {
	check := npmcheck.Install(t, "../../../..", "shopify")
	model := checkModel(t)
	sender := NewSender()
	sender.Scale = 1e-3
	sb := New(model, nil, testCreds, WithSender(sender))
	t.Cleanup(sb.Close)
	srv := httptest.NewTLSServer(sb)
	t.Cleanup(srv.Close)

	ca := filepath.Join(check.Dir, "sandbox-ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go orderOnSubscription(ctx, t, sb, model)

	check.Run(t, "NODE_EXTRA_CA_CERTS="+ca, "SHOPIFY_URL="+srv.URL,
		"SHOPIFY_SHOP="+testCreds.ShopDomain, "SHOPIFY_ACCESS_TOKEN="+testCreds.AccessToken,
		"SHOPIFY_CLIENT_ID="+testCreds.ClientID, "SHOPIFY_API_SECRET="+testCreds.ClientSecret,
		"SHOPIFY_API_VERSION=2026-10")
	checkModelAfterClient(t, model)
}

// checkModel holds what check.js expects: two variants, a location and
// five orders.
func checkModel(t *testing.T) *storesandbox.Model {
	t.Helper()
	model := storesandbox.NewModel(nil)
	for _, p := range []storesandbox.Product{
		{SKU: "CHECK-1", Name: "Check one", PriceMinor: 1999, Currency: "EUR"},
		{SKU: "CHECK-2", Name: "Check two", PriceMinor: 500, SalePriceMinor: 400,
			Currency: "EUR"},
	} {
		if _, err := model.CreateProduct(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := model.AddLocation("WH-EAST"); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		placeOrder(t, model)
	}
	return model
}

func placeOrder(t *testing.T, model *storesandbox.Model) storesandbox.Order {
	o, err := model.CreateOrder(storesandbox.Order{Currency: "EUR",
		Customer: storesandbox.Customer{ID: 9, Email: "check@example.test", FirstName: "Check"},
		Lines: []storesandbox.Line{{SKU: "CHECK-1", Name: "Check one", Quantity: 2,
			UnitPriceMinor: 1999}},
		ShippingMinor: 495})
	if err != nil {
		t.Error(err)
	}
	return o
}

// orderOnSubscription places an order once the shop has a webhook
// subscription, so that it is delivered.
func orderOnSubscription(ctx context.Context, t *testing.T, sb *Sandbox,
	model *storesandbox.Model) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if len(sb.Subscriptions()) > 0 {
				placeOrder(t, model)
				return
			}
		}
	}
}

// checkModelAfterClient asserts what check.js left in the model.
func checkModelAfterClient(t *testing.T, model *storesandbox.Model) {
	t.Helper()
	first := model.ChangedOrders(time.Time{}, time.Time{}, 0, 0)
	var marked, shipped, cancelled int
	for _, o := range first {
		if o.Metafields["erp.sales_order_id"] == "SO-CHECK-1" {
			marked++
		}
		for _, f := range o.Fulfillments {
			if f.TrackingNumber == "CHECK-TRK" && f.Carrier == "DHL" && len(f.Lines) == 1 &&
				f.Lines[0].Quantity == 1 {
				shipped++
			}
		}
		if o.Status == storesandbox.StatusCancelled && len(o.Refunds) == 0 {
			cancelled++
		}
	}
	if shipped != 1 || cancelled != 1 {
		t.Errorf("after the client check: %d orders shipped, %d cancelled; want 1, 1",
			shipped, cancelled)
	}
	draft, ok := model.ProductBySKU("CHECK-DRAFT")
	if !ok || !draft.Draft || draft.PriceMinor != 725 {
		t.Errorf("after the client check: CHECK-DRAFT %+v, %v; want a draft at 7.25", draft, ok)
	}
	a, _ := model.AccountByEmail("check@example.test")
	if a.LastName != "Checked" || a.City != "Porto" ||
		a.Metafields["erpsync.credit_limit"] != "250000" ||
		a.Metafields["erpsync.payment_terms"] != "" {
		t.Errorf("after the client check: customer %+v; want Checked in Porto with a "+
			"credit limit and no payment terms", a)
	}
	stock, _ := model.Stock("CHECK-1", "WH-EAST")
	p, _ := model.ProductBySKU("CHECK-1")
	if marked != 1 || stock != 5 || p.PriceMinor != 2150 {
		t.Errorf("after the client check: %d orders marked, CHECK-1 stock %d, price %d; "+
			"want 1, 5, 2150", marked, stock, p.PriceMinor)
	}
}
