package bcstoresandbox

import (
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/npmcheck"
)

// checkOrders is how many orders the client check pages through.
const checkOrders = 5

// TestBigCommerceClientLibrary installs node-bigcommerce with npm ci in a
// copy of clientcheck/bigcommerce and runs its check.js against the
// sandbox. The library calls https://api.bigcommerce.com only, so the
// sandbox is served over TLS with a certificate for that name, which
// check.js trusts through NODE_EXTRA_CA_CERTS and reaches through the
// library's agent option. It needs node and npm and the npm registry, and
// fails when they are missing.
func TestBigCommerceClientLibrary(t *testing.T) {
	check := npmcheck.Install(t, "../../../..", "bigcommerce")
	model := checkModel(t)
	faults, err := erpsandbox.NewFaults(erpsandbox.Config{})
	if err != nil {
		t.Fatal(err)
	}
	err = faults.Enqueue(erpsandbox.Shot{Op: "store/get", Kind: erpsandbox.KindRateLimit,
		Count: 2, RetryAfterSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	sb := New(model, faults, testCreds, WithCurrency("USD"))
	t.Cleanup(sb.Close)

	srv, certPEM := serveAs(t, sb, "api.bigcommerce.com")
	ca := filepath.Join(check.Dir, "sandbox-ca.pem")
	if err := os.WriteFile(ca, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	check.Run(t, "NODE_EXTRA_CA_CERTS="+ca, "BC_SANDBOX="+srv.Listener.Addr().String(),
		"BC_STORE_HASH="+testCreds.StoreHash, "BC_ACCESS_TOKEN="+testCreds.AccessToken,
		"BC_CLIENT_ID="+testCreds.ClientID, "BC_CLIENT_SECRET="+testCreds.ClientSecret,
		"BC_ORDERS="+strconv.Itoa(checkOrders))

	checkModelAfterClient(t, model, sb)
	if n := faults.Injected()[erpsandbox.KindRateLimit]; n != 2 {
		t.Errorf("%d rate limits injected, want the 2 that check.js met", n)
	}
}

// checkModel holds what check.js expects: CHECK-1 and CHECK-2, the
// location WH-EAST, and some orders.
func checkModel(t *testing.T) *storesandbox.Model {
	t.Helper()
	m := storesandbox.NewModel(nil)
	for _, p := range []storesandbox.Product{
		{SKU: "CHECK-1", Name: "Check one", PriceMinor: 1999, Currency: "USD"},
		{SKU: "CHECK-2", Name: "Check two", PriceMinor: 500, Currency: "USD"},
	} {
		if _, err := m.CreateProduct(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.AddLocation("WH-EAST"); err != nil {
		t.Fatal(err)
	}
	for i := range checkOrders {
		_, err := m.CreateOrder(storesandbox.Order{Currency: "USD",
			Customer: storesandbox.Customer{Email: "check@example.com", FirstName: "Check"},
			Lines: []storesandbox.Line{{SKU: "CHECK-1", Name: "Check one",
				Quantity: int64(i + 1), UnitPriceMinor: 1999}},
			ShippingMinor: 500})
		if err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// checkModelAfterClient asserts what check.js left in the model.
func checkModelAfterClient(t *testing.T, m *storesandbox.Model, sb *Sandbox) {
	t.Helper()
	first := m.ChangedOrders(time.Time{}, time.Time{}, 0, 0)
	var erpIDs int
	for _, o := range first {
		if o.Metafields["erp.sales_order_id"] == "SO-2" {
			erpIDs++
		}
	}
	if erpIDs != 1 {
		t.Errorf("%d orders carry the ERP id SO-2, want the one check.js wrote", erpIDs)
	}
	if n, _ := m.Stock("CHECK-1", "WH-EAST"); n != 7 {
		t.Errorf("stock of CHECK-1 at WH-EAST = %d, want 7", n)
	}
	if p, _ := m.ProductBySKU("CHECK-1"); p.PriceMinor != 2150 {
		t.Errorf("price of CHECK-1 = %d, want 2150", p.PriceMinor)
	}
	if st := sb.Stats(); st.Hooks != 1 || st.Webhooks.Delivered != 2 {
		t.Errorf("stats %+v, want one hook and two callbacks delivered", st)
	}
	// check.js listed the orders by creation, which is by id.
	byID := slices.Clone(first)
	slices.SortFunc(byID, func(a, b storesandbox.Order) int { return cmp.Compare(a.ID, b.ID) })
	checkLifecycleAfterClient(t, m, byID)
}

// checkLifecycleAfterClient asserts the draft, the customer, the shipment
// and the cancellation that check.js made; first are the orders as check.js
// listed them.
func checkLifecycleAfterClient(t *testing.T, m *storesandbox.Model,
	first []storesandbox.Order) {
	t.Helper()
	if p, ok := m.ProductBySKU("CHECK-DRAFT"); !ok || !p.Draft || p.PriceMinor != 1250 {
		t.Errorf("CHECK-DRAFT = %+v, %v; want a draft at 1250", p, ok)
	}
	a, ok := m.AccountByEmail("check@example.com")
	if !ok || a.FirstName != "Checked" || a.Phone != "555" || a.Line1 != "1 Check Street" ||
		a.Metafields["erpsync.payment_terms"] != "NET60" {
		t.Errorf("account = %+v, want renamed, with an address and NET60 terms", a)
	}
	shipped, _ := m.Order(first[0].ID)
	cancelled, _ := m.Order(first[1].ID)
	if len(shipped.Fulfillments) != 1 || shipped.Fulfillments[0].Carrier != "ups" ||
		shipped.Fulfillments[0].TrackingNumber != "CHECK-TRACK" {
		t.Errorf("fulfillments = %+v, want the one check.js made", shipped.Fulfillments)
	}
	if cancelled.Status != storesandbox.StatusCancelled ||
		cancelled.CancelReason != "cancelled by the client check" {
		t.Errorf("order %d = %s %q, want cancelled by check.js", cancelled.ID,
			cancelled.Status, cancelled.CancelReason)
	}
}

// serveAs serves h over TLS on loopback with a self-signed certificate for
// host, and returns the server and the certificate in PEM.
func serveAs(t *testing.T, h *Sandbox, host string) (*httptest.Server, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},

		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der},
		PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
