package woosandbox

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/npmcheck"
)

// clientCheckOrders is how many orders the client check pages through.
const clientCheckOrders = 5

// TestWooCommerceClientLibrary installs WooCommerce's JavaScript client
// with npm ci in a copy of clientcheck/woocommerce and runs its check.js
// against one sandbox served over plain HTTP, where the client signs with
// OAuth 1.0a, and over TLS, where it uses basic authentication. It needs
// node and npm and the npm registry, and fails when they are missing.
func TestWooCommerceClientLibrary(t *testing.T) {
	check := npmcheck.Install(t, "../../../..", "woocommerce")

	model := clientCheckModel(t)
	sb := New(model, nil, Config{ConsumerKey: testKey, ConsumerSecret: testSecret,
		Location: "WH-EAST", Currency: "EUR"})
	plain := httptest.NewServer(sb)
	t.Cleanup(plain.Close)
	tls := httptest.NewTLSServer(sb)
	t.Cleanup(tls.Close)
	ca := filepath.Join(check.Dir, "sandbox-ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tls.Certificate().Raw})
	if err := os.WriteFile(ca, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}

	check.Run(t, "NODE_EXTRA_CA_CERTS="+ca, "WOO_HTTP_URL="+plain.URL,
		"WOO_HTTPS_URL="+tls.URL, "WOO_CONSUMER_KEY="+testKey,
		"WOO_CONSUMER_SECRET="+testSecret, "WOO_ORDERS="+strconv.Itoa(clientCheckOrders))

	checkModelAfterClient(t, model)
	checkLifecycleAfterClient(t, model)
}

// clientCheckModel returns a model holding what check.js expects.
func clientCheckModel(t *testing.T) *storesandbox.Model {
	t.Helper()
	model := storesandbox.NewModel(nil)
	for _, p := range []storesandbox.Product{
		{SKU: "CHECK-1", Name: "Check one", PriceMinor: 1999, Currency: "EUR"},
		{SKU: "CHECK-2", Name: "Check two", PriceMinor: 2500, SalePriceMinor: 2000,
			Currency: "EUR"},
	} {
		if _, err := model.CreateProduct(p); err != nil {
			t.Fatal(err)
		}
	}
	for i := range clientCheckOrders {
		_, err := model.CreateOrder(storesandbox.Order{Currency: "EUR",
			Customer: storesandbox.Customer{Email: "check" + strconv.Itoa(i) + "@example.test",
				FirstName: "Client", LastName: "Check"},
			Lines: []storesandbox.Line{{SKU: "CHECK-1", Name: "Check one", Quantity: 2,
				UnitPriceMinor: 1999}},
			ShippingMinor: 495})
		if err != nil {
			t.Fatal(err)
		}
	}
	return model
}

// checkModelAfterClient asserts what check.js left in the model.
func checkModelAfterClient(t *testing.T, model *storesandbox.Model) {
	t.Helper()
	var tagged []int64
	for _, o := range model.ChangedOrders(time.Time{}, time.Time{}, 0, 0) {
		if v := o.Metafields["erp_sales_order_id"]; v != "" {
			tagged = append(tagged, o.ID)
			if v != "SO-CHECK-3" || len(o.Metafields) != 1 {
				t.Errorf("order %d metafields %v, want erp_sales_order_id SO-CHECK-3", o.ID,
					o.Metafields)
			}
		}
	}
	if len(tagged) != 1 {
		t.Errorf("orders with an ERP id: %v, want one", tagged)
	}

	one, _ := model.ProductBySKU("CHECK-1")
	two, _ := model.ProductBySKU("CHECK-2")
	stock, _ := model.Stock("CHECK-1", "WH-EAST")
	if one.PriceMinor != 2150 || stock != 7 || two.PriceMinor != 2500 ||
		two.SalePriceMinor != 2000 {
		t.Errorf("CHECK-1 price %d stock %d, CHECK-2 %d/%d; want 2150 and 7, CHECK-2 untouched",
			one.PriceMinor, stock, two.PriceMinor, two.SalePriceMinor)
	}
}

// checkLifecycleAfterClient asserts the customer, draft, shipment and
// cancellation that check.js left in the model.
func checkLifecycleAfterClient(t *testing.T, model *storesandbox.Model) {
	t.Helper()
	var shipped, cancelled int
	for _, o := range model.ChangedOrders(time.Time{}, time.Time{}, 0, 0) {
		if len(o.Fulfillments) > 0 {
			shipped++
			if f := o.Fulfillments[0]; len(o.Fulfillments) != 1 || f.Ref != "CHECK-SHIP-1" ||
				f.Carrier != "DHL" || f.Lines[0].Quantity != 2 {
				t.Errorf("order %d fulfillments %+v, want CHECK-SHIP-1 of 2 by DHL", o.ID,
					o.Fulfillments)
			}
		}
		if o.Status == storesandbox.StatusCancelled {
			cancelled++
		}
	}
	if shipped != 1 || cancelled != 1 {
		t.Errorf("%d orders shipped, %d cancelled; want one of each", shipped, cancelled)
	}

	a, _ := model.AccountByEmail("check1@example.test")
	if a.FirstName != "Clara" || a.City != "Porto" ||
		a.Metafields["erpsync_credit_limit"] != "100000" || len(a.Metafields) != 1 {
		t.Errorf("customer %+v, want Clara in Porto with a credit limit only", a)
	}
	if p, ok := model.ProductBySKU("CHECK-DRAFT"); !ok || !p.Draft || p.PriceMinor != 999 {
		t.Errorf("CHECK-DRAFT %+v, %v; want a draft at 9.99", p, ok)
	}
}
