package odoo

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/erp/odoo/odoosandbox"
	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/syncerr"
	"github.com/erpsync/erpsync/internal/testclock"
)

// transports are the two wire protocols every contract test runs over.
var transports = []string{TransportJSONRPC, TransportJSON2}

// contract is a sandbox behind httptest, with a settable clock, and a
// client of it over one transport.
type contract struct {
	model     *erpsandbox.Model
	faults    *erpsandbox.Faults
	clock     *testclock.Clock
	url       string
	transport string
	client    *Client
}

// newContract starts a sandbox with the products of newEnv and a client on
// transport.
func newContract(t *testing.T, transport string) *contract {
	t.Helper()
	clk := testclock.New(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	c := &contract{model: erpsandbox.NewModel(clk.Now), clock: clk, transport: transport}
	_, err := c.model.SeedProducts([]erpsandbox.Product{
		{SKU: "W-1", Name: "Widget", PriceMinor: 1999, Currency: "USD"},
		{SKU: "G-1", Name: "Gadget", PriceMinor: 10, Currency: "USD"},
	})
	if err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	if c.faults, err = erpsandbox.NewFaults(erpsandbox.Config{}); err != nil {
		t.Fatalf("NewFaults() error = %v", err)
	}

	srv := httptest.NewServer(odoosandbox.New(c.model, c.faults, sandboxCreds))
	t.Cleanup(srv.Close)
	c.url = srv.URL
	c.client = New(c.config(sandboxCreds.APIKey))
	return c
}

// config configures a client of the sandbox on the contract's transport
// with secret as its API key (JSON-2) or password (JSON-RPC).
func (c *contract) config(secret string) Config {
	cfg := Config{URL: c.url, DB: sandboxCreds.DB, Transport: c.transport,
		Timeout: 5 * time.Second}
	if c.transport == TransportJSON2 {
		cfg.APIKey = secret
	} else {
		cfg.Login, cfg.Password = sandboxCreds.Login, secret
	}
	return cfg
}

// eachTransport runs test once per transport.
func eachTransport(t *testing.T, test func(t *testing.T, c *contract)) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) { test(t, newContract(t, tr)) })
	}
}

func TestContractAuthFailure(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		cfg := c.config("wrong-secret")
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Validate() error = %v", err)
		}
		bad := New(cfg)

		_, _, err := bad.FindSalesOrder(t.Context(), "demo:1")
		var auth *syncerr.AuthError
		if !errors.As(err, &auth) || !syncerr.IsPermanent(err) {
			t.Fatalf("FindSalesOrder() error = %v, want a permanent AuthError", err)
		}
		if strings.Contains(err.Error(), "wrong-secret") {
			t.Errorf("error %q reveals the secret", err)
		}
		_, err = bad.ChangedProducts(t.Context(), erp.Changes{})
		if !errors.As(err, &auth) {
			t.Errorf("ChangedProducts() error = %v, want AuthError", err)
		}
	})
}

func TestContractCreateThenFind(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		ctx := t.Context()
		ref, err := c.client.CreateSalesOrder(ctx, testOrder("demo:2001"))
		if err != nil {
			t.Fatalf("CreateSalesOrder() error = %v", err)
		}
		found, ok, err := c.client.FindSalesOrder(ctx, "demo:2001")
		if err != nil || !ok || found != ref || ref.Number != "S00001" {
			t.Errorf("FindSalesOrder() = %+v, %v, %v, want %+v S00001", found, ok, err, ref)
		}
		if o := c.model.SalesOrders(); len(o) != 1 || o[0].State != erpsandbox.OrderConfirmed ||
			o[0].TotalMinor != 4028 {
			t.Errorf("model holds %+v, want one confirmed order of 40.28", o)
		}
		if _, ok, err := c.client.FindSalesOrder(ctx, "demo:404"); ok || err != nil {
			t.Errorf("FindSalesOrder(demo:404) = %v, %v, want false, nil", ok, err)
		}
	})
}

func TestContractLostResponseThenFind(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		ctx := t.Context()
		if err := c.faults.Enqueue(erpsandbox.Shot{Op: "sale.order/create",
			Kind: erpsandbox.KindDropResponse}); err != nil {
			t.Fatalf("Enqueue() error = %v", err)
		}

		_, err := c.client.CreateSalesOrder(ctx, testOrder("demo:2002"))
		if !errors.Is(err, syncerr.ErrUnavailable) {
			t.Fatalf("CreateSalesOrder() error = %v, want ErrUnavailable", err)
		}
		ref, ok, err := c.client.FindSalesOrder(ctx, "demo:2002")
		if err != nil || !ok || ref.Number != "S00001" {
			t.Fatalf("FindSalesOrder() = %+v, %v, %v, want the committed order", ref, ok, err)
		}
		o := c.model.SalesOrders()
		if len(o) != 1 || o[0].State != erpsandbox.OrderConfirmed {
			t.Errorf("model holds %+v, want the one order, confirmed by the find", o)
		}
	})
}

func TestContractErrorMapping(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		ctx := t.Context()
		_, err := c.client.create(ctx, "sale.order", map[string]any{"client_order_ref": "x"})
		var invalid *syncerr.InvalidError
		if !errors.As(err, &invalid) || !strings.Contains(invalid.Reason, "ValidationError") ||
			!strings.Contains(invalid.Reason, "Customer (partner_id)") {
			t.Errorf("create without partner error = %v, want Odoo's ValidationError", err)
		}

		order := testOrder("demo:2003")
		order.Lines[1].SKU = "NOPE-9"
		_, err = c.client.CreateSalesOrder(ctx, order)
		if !errors.As(err, &invalid) || invalid.Field != "lines[1].sku" ||
			!strings.Contains(invalid.Reason, "NOPE-9") {
			t.Errorf("unknown SKU error = %v, want InvalidError on lines[1].sku", err)
		}

		if err := c.faults.Enqueue(erpsandbox.Shot{Op: "product.product/search_read",
			Kind: erpsandbox.KindRateLimit, RetryAfterSeconds: 7}); err != nil {
			t.Fatalf("Enqueue() error = %v", err)
		}
		_, err = c.client.ChangedProducts(ctx, erp.Changes{})
		var limited *syncerr.RateLimitedError
		if !errors.As(err, &limited) || limited.RetryAfter != 7*time.Second {
			t.Errorf("ChangedProducts() error = %v, want RateLimitedError after 7s", err)
		}

		if err := c.faults.Enqueue(erpsandbox.Shot{Op: "res.partner/search_read",
			Kind: erpsandbox.KindServerError, Status: 503}); err != nil {
			t.Fatalf("Enqueue() error = %v", err)
		}
		_, _, err = c.client.FindCustomer(ctx, erp.CustomerQuery{Email: "a@example.com"})
		if !errors.Is(err, syncerr.ErrUnavailable) || syncerr.IsPermanent(err) {
			t.Errorf("FindCustomer() error = %v, want ErrUnavailable", err)
		}
	})
}

func TestContractMissingRecordIsInvalid(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		_, err := c.client.UpdateCustomer(t.Context(), "999999", erp.Customer{Phone: "1"})
		var invalid *syncerr.InvalidError
		if !errors.As(err, &invalid) || !strings.Contains(invalid.Reason, "MissingError") {
			t.Errorf("UpdateCustomer(missing) error = %v, want InvalidError from MissingError",
				err)
		}
		_, err = c.client.UpdateCustomer(t.Context(), "abc", erp.Customer{Phone: "1"})
		if !errors.As(err, &invalid) || invalid.Field != "id" {
			t.Errorf("UpdateCustomer(abc) error = %v, want InvalidError on id", err)
		}
	})
}

func TestContractCustomers(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		ctx := t.Context()
		created, err := c.client.CreateCustomer(ctx, erp.Customer{ExternalID: "demo:c-1",
			Email: "Grace@Example.com", Name: "Grace Hopper",
			Address: erp.Address{Line1: "1 Navy Way", City: "Arlington", PostalCode: "22201"}})
		if err != nil {
			t.Fatalf("CreateCustomer() error = %v", err)
		}
		if created.ID == "" || created.ExternalID != "demo:c-1" ||
			created.Address.City != "Arlington" || !created.Modified.Equal(c.clock.Now()) {
			t.Errorf("CreateCustomer() = %+v, want it as stored", created)
		}

		byRef, ok, err := c.client.FindCustomer(ctx, erp.CustomerQuery{ExternalID: "demo:c-1",
			Email: "other@example.com"})
		if err != nil || !ok || byRef.ID != created.ID {
			t.Errorf("FindCustomer(by ref) = %+v, %v, %v, want %s", byRef, ok, err, created.ID)
		}
		byMail, ok, err := c.client.FindCustomer(ctx, erp.CustomerQuery{
			Email: "grace@example.COM"})
		if err != nil || !ok || byMail.ID != created.ID {
			t.Errorf("FindCustomer(by e-mail) = %+v, %v, %v, want %s", byMail, ok, err,
				created.ID)
		}
		if _, ok, err := c.client.FindCustomer(ctx, erp.CustomerQuery{
			ExternalID: "demo:c-404"}); ok || err != nil {
			t.Errorf("FindCustomer(unknown ref) = %v, %v, want false, nil", ok, err)
		}
		if _, _, err := c.client.FindCustomer(ctx, erp.CustomerQuery{}); err == nil {
			t.Error("FindCustomer(empty query) error = nil, want InvalidError")
		}

		c.clock.Advance(time.Minute)
		updated, err := c.client.UpdateCustomer(ctx, created.ID, erp.Customer{Phone: "+1 555"})
		if err != nil || updated.Phone != "+1 555" || updated.Name != "Grace Hopper" ||
			!updated.Modified.After(created.Modified) {
			t.Errorf("UpdateCustomer() = %+v, %v, want phone set, name kept, newer", updated, err)
		}
	})
}

// seedCustomers creates n customers, one a minute, and returns the time of
// the first.
func (c *contract) seedCustomers(t *testing.T, n int) time.Time {
	t.Helper()
	first := c.clock.Now()
	for i := range n {
		_, err := c.model.CreateCustomer(erpsandbox.Customer{Name: "Customer",
			Email: "c" + string(rune('a'+i)) + "@example.com"})
		if err != nil {
			t.Fatalf("CreateCustomer() error = %v", err)
		}
		c.clock.Advance(time.Minute)
	}
	return first
}

func TestContractPagingAndDelta(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		first := c.seedCustomers(t, 5)

		q := erp.Changes{Since: first.Add(time.Minute), Limit: 2}
		var ids []string
		for range 10 {
			page, err := c.client.ChangedCustomers(t.Context(), q)
			if err != nil {
				t.Fatalf("ChangedCustomers(%+v) error = %v", q, err)
			}
			for _, r := range page.Items {
				ids = append(ids, r.ID)
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
		all := c.model.Customers()
		want := []string{formatID(all[1].ID), formatID(all[2].ID), formatID(all[3].ID),
			formatID(all[4].ID)}
		if strings.Join(ids, ",") != strings.Join(want, ",") {
			t.Errorf("listed customers %v, want %v: the first is older than Since", ids, want)
		}

		_, err := c.client.ChangedCustomers(t.Context(), erp.Changes{Cursor: "garbage"})
		var invalid *syncerr.InvalidError
		if !errors.As(err, &invalid) || invalid.Field != "cursor" {
			t.Errorf("ChangedCustomers(bad cursor) error = %v, want InvalidError on cursor", err)
		}
	})
}

func TestContractKeysetPagingKeepsTies(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		for i := range 3 { // three customers in the same second
			if _, err := c.model.CreateCustomer(erpsandbox.Customer{Name: "Tie",
				Email: "t" + string(rune('a'+i)) + "@example.com"}); err != nil {
				t.Fatalf("CreateCustomer() error = %v", err)
			}
		}

		q := erp.Changes{Limit: 1}
		seen := map[string]bool{}
		for range 10 {
			page, err := c.client.ChangedCustomers(t.Context(), q)
			if err != nil {
				t.Fatalf("ChangedCustomers() error = %v", err)
			}
			for _, r := range page.Items {
				if seen[r.ID] {
					t.Errorf("customer %s listed twice", r.ID)
				}
				seen[r.ID] = true
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
		if len(seen) != 3 {
			t.Errorf("listed %d customers of one second, want 3", len(seen))
		}
	})
}

func TestContractProducts(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		since := c.clock.Now().Add(time.Minute)
		c.clock.Advance(2 * time.Minute)
		w, _ := c.model.ProductBySKU("W-1")
		if _, err := c.model.UpdateProduct(w.ID, func(p *erpsandbox.Product) error {
			p.Archived, p.PriceMinor = true, 2500
			return nil
		}); err != nil {
			t.Fatalf("UpdateProduct() error = %v", err)
		}

		page, err := c.client.ChangedProducts(t.Context(), erp.Changes{Since: since})
		if err != nil {
			t.Fatalf("ChangedProducts() error = %v", err)
		}
		want := erp.Product{ID: formatID(w.ID), SKU: "W-1", Name: "Widget", PriceMinor: 2500,
			Currency: "USD", Active: false, Modified: c.clock.Now()}
		if len(page.Items) != 1 || page.Items[0] != want || page.Next != "" {
			t.Errorf("ChangedProducts() = %+v, want only the archived %+v", page, want)
		}

		all, err := c.client.ChangedProducts(t.Context(), erp.Changes{Limit: 1})
		if err != nil || len(all.Items) != 1 || all.Items[0].SKU != "G-1" || all.Next == "" {
			t.Errorf("ChangedProducts(limit 1) = %+v, %v, want G-1 then more", all, err)
		}
	})
}

func TestContractStock(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		if _, err := c.model.SetStock("W-1", "WH/Stock", 10, 3); err != nil {
			t.Fatalf("SetStock() error = %v", err)
		}
		if _, err := c.model.SetSafetyStock("W-1", "WH/Stock", 2); err != nil {
			t.Fatalf("SetSafetyStock() error = %v", err)
		}
		c.clock.Advance(time.Hour)
		since := c.clock.Now()
		if _, err := c.model.SetStock("G-1", "WH/Stock", 5, 0); err != nil {
			t.Fatalf("SetStock() error = %v", err)
		}
		if _, err := c.model.SetStock("G-1", "Shop", 1, 1); err != nil {
			t.Fatalf("SetStock() error = %v", err)
		}

		all, err := c.client.ChangedStock(t.Context(), erp.Changes{})
		if err != nil || len(all.Items) != 3 {
			t.Fatalf("ChangedStock() = %+v, %v, want 3 levels", all, err)
		}
		if n, err := c.client.CountStock(t.Context()); n != 3 || err != nil {
			t.Errorf("CountStock() = %d, %v, want 3", n, err)
		}
		w := all.Items[0]
		if w.SKU != "W-1" || w.Location != "WH/Stock" || w.OnHand != 10 || w.Reserved != 3 ||
			w.SafetyStock != 2 || w.Available() != 5 {
			t.Errorf("first level = %+v, want W-1 at WH/Stock 10 on hand, 3 reserved, 2 safety", w)
		}

		page, err := c.client.ChangedStock(t.Context(), erp.Changes{Since: since, Limit: 1})
		if err != nil || len(page.Items) != 1 || page.Items[0].SKU != "G-1" ||
			page.Items[0].Location != "WH/Stock" || page.Next == "" {
			t.Fatalf("ChangedStock(since, limit 1) = %+v, %v, want G-1 at WH/Stock", page, err)
		}
		next, err := c.client.ChangedStock(t.Context(), erp.Changes{Since: since, Limit: 1,
			Cursor: page.Next})
		if err != nil || len(next.Items) != 1 || next.Items[0].Location != "Shop" ||
			next.Items[0].Available() != 0 || next.Next != "" {
			t.Errorf("second page = %+v, %v, want G-1 at Shop, nothing left", next, err)
		}
	})
}

func TestContractShipmentsAndCancellations(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		ctx := t.Context()
		shipped, err := c.client.CreateSalesOrder(ctx, testOrder("demo:3001"))
		if err != nil {
			t.Fatalf("CreateSalesOrder() error = %v", err)
		}
		cancelled, err := c.client.CreateSalesOrder(ctx, testOrder("demo:3002"))
		if err != nil {
			t.Fatalf("CreateSalesOrder() error = %v", err)
		}
		shippedID, _ := parseID("id", shipped.ID)
		cancelledID, _ := parseID("id", cancelled.ID)
		c.clock.Advance(time.Hour)

		s, err := c.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: shippedID,
			Carrier: "DHL", TrackingNumber: "JD0001", TrackingURL: "https://track/JD0001"})
		if err != nil {
			t.Fatalf("ShipSalesOrder() error = %v", err)
		}
		if _, err := c.model.CancelSalesOrder(cancelledID, "customer asked"); err != nil {
			t.Fatalf("CancelSalesOrder() error = %v", err)
		}

		page, err := c.client.ChangedShipments(ctx, erp.Changes{Since: c.clock.Now()})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("ChangedShipments() = %+v, %v, want one shipment", page, err)
		}
		got := page.Items[0]
		if got.ID != formatID(s.ID) || got.SalesOrderID != shipped.ID ||
			got.ExternalRef != "demo:3001" || got.Carrier != "DHL" ||
			got.TrackingNumber != "JD0001" || got.TrackingURL != "https://track/JD0001" ||
			len(got.Lines) != 2 || got.Lines[0] != (erp.ShipmentLine{SKU: "W-1", Quantity: 2}) ||
			!got.ShippedAt.Equal(c.clock.Now()) {
			t.Errorf("shipment = %+v, want DHL JD0001 of demo:3001 with its two lines", got)
		}
		later, err := c.client.ChangedShipments(ctx,
			erp.Changes{Since: c.clock.Now().Add(time.Second)})
		if err != nil || len(later.Items) != 0 {
			t.Errorf("ChangedShipments(after) = %+v, %v, want none", later, err)
		}

		cancels, err := c.client.ChangedCancellations(ctx, erp.Changes{})
		if err != nil || len(cancels.Items) != 1 ||
			cancels.Items[0].SalesOrderID != cancelled.ID ||
			cancels.Items[0].ExternalRef != "demo:3002" {
			t.Errorf("ChangedCancellations() = %+v, %v, want demo:3002 alone", cancels, err)
		}
	})
}

func TestJSON2SendsBearerAndDatabase(t *testing.T) {
	var got http.Header
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, path = r.Header.Clone(), r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()

	c := New(Config{URL: srv.URL + "/", DB: "shop", Transport: TransportJSON2, APIKey: "k-1"})
	if _, _, err := c.FindSalesOrder(t.Context(), "demo:1"); err != nil {
		t.Fatalf("FindSalesOrder() error = %v", err)
	}
	if path != "/json/2/sale.order/search_read" || got.Get("Authorization") != "bearer k-1" ||
		got.Get("X-Odoo-Database") != "shop" ||
		!strings.HasPrefix(got.Get("Content-Type"), "application/json") {
		t.Errorf("request to %s with headers %v, want bearer key and database", path, got)
	}
}

func TestContractRetriesReadsOnly(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		cfg := c.config(sandboxCreds.APIKey)
		cfg.HTTPClient = &http.Client{Transport: &httpretry.Transport{BaseDelay: time.Millisecond}}
		client := New(cfg)
		ctx := t.Context()
		if err := c.faults.Enqueue(erpsandbox.Shot{Op: "sale.order/search_read",
			Kind: erpsandbox.KindServerError, Status: 502}); err != nil {
			t.Fatalf("Enqueue() error = %v", err)
		}
		if _, _, err := client.FindSalesOrder(ctx, "demo:1"); err != nil {
			t.Errorf("FindSalesOrder() after one 502 error = %v, want the read retried", err)
		}

		if err := c.faults.Enqueue(erpsandbox.Shot{Op: "res.partner/create",
			Kind: erpsandbox.KindServerError, Status: 502}); err != nil {
			t.Fatalf("Enqueue() error = %v", err)
		}
		_, err := client.CreateCustomer(ctx, erp.Customer{Email: "x@example.com"})
		if !errors.Is(err, syncerr.ErrUnavailable) {
			t.Errorf("CreateCustomer() after a 502 error = %v, want ErrUnavailable, no retry", err)
		}
	})
}
