package stack

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/shops"
)

// infoKeys returns the keys of a JSON object in their order.
func infoKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestWooCommerceSandboxOpensAsAStore starts the WooCommerce sandbox as
// the stack does, opens its adapter from the settings Env gives, and has
// the sandbox's webhooks verified by that adapter.
func TestWooCommerceSandboxOpensAsAStore(t *testing.T) {
	sb, sys := seededStoreSandbox(t, config.PlatformWooCommerce)

	want := []string{"system", "url", "consumer_key", "consumer_secret", "webhook_secret"}
	if got := infoKeys(t, sys.Info); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Info keys %v, want %v", got, want)
	}

	shop := openShop(t, sys, "shop-eu")
	o, err := sb.Model.CreateOrder(storesandbox.Order{Currency: Currency,
		Customer: storesandbox.Customer{Email: "wiring@example.test"},
		Lines:    []storesandbox.Line{{SKU: "MUG-BLK", Quantity: 1, UnitPriceMinor: 1250}}})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(o.ID, 10)
	if got, err := shop.LoadOrder(t.Context(), id); err != nil || got.TotalMinor != 1250 {
		t.Fatalf("LoadOrder(%s) = %+v, %v", id, got, err)
	}
	err = shop.SetStock(t.Context(), store.StockUpdate{Levels: []store.StockLevel{
		{SKU: "MUG-BLK", Location: Locations[0], Available: 5}}})
	if got, _ := sb.Model.Stock("MUG-BLK", Locations[0]); err != nil || got != 5 {
		t.Errorf("SetStock() error = %v, stock %d; want 5 at %s", err, got, Locations[0])
	}

	url, got := verifyingReceiver(t, shop, "/webhooks/woocommerce/shop-eu")
	if err := sys.Subscribe(url); err != nil {
		t.Fatalf("Subscribe() error = %v", err)
	}
	o, err = sb.Model.CreateOrder(storesandbox.Order{Currency: Currency,
		Customer: storesandbox.Customer{Email: "hook@example.test"},
		Lines:    []storesandbox.Line{{SKU: "CAP-GRN", Quantity: 1, UnitPriceMinor: 1900}}})
	if err != nil {
		t.Fatal(err)
	}
	sys.Sender.Wait()

	if d := got(); len(d) != 5 || !d[0].Ping || !d[3].Ping ||
		d[4].OrderID != strconv.FormatInt(o.ID, 10) {
		t.Errorf("received %+v, want four pings (orders and customers) and the new order", d)
	}
}

// seededStoreSandbox serves the sandbox of every store platform, as the
// stack does, over a model seeded with the demo catalog, and returns them
// and the sandbox of platform.
func seededStoreSandbox(t *testing.T, platform string) (*StoreSandboxes, StoreSystem) {
	t.Helper()
	faults, err := erpsandbox.NewFaults(erpsandbox.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := StartStoreSandboxes("127.0.0.1", faults)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	if err := SeedStore(sb.Model); err != nil {
		t.Fatal(err)
	}
	sys, err := sb.System(platform)
	if err != nil {
		t.Fatal(err)
	}
	return sb, sys
}

// openShop opens the adapter of a store named name configured by sys's
// Env, as the worker does.
func openShop(t *testing.T, sys StoreSystem, name string) store.Store {
	t.Helper()
	cfg, err := readConfig(append(sys.Env(name), config.EnvStores+"="+name))
	if err != nil {
		t.Fatal(err)
	}
	stores, err := shops.Open(cfg, nil, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return stores[name]
}

// verifyingReceiver serves webhooks at path, keeping those v accepts and
// refusing the others; got returns those kept.
func verifyingReceiver(t *testing.T, v store.WebhookVerifier, path string) (url string,
	got func() []store.Webhook) {
	t.Helper()
	var mu sync.Mutex
	var ok []store.Webhook
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		wh, err := v.VerifyWebhook(store.WebhookDelivery{Header: r.Header, Body: body,
			Received: time.Now()})
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		mu.Lock()
		ok = append(ok, wh)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv.URL + path, func() []store.Webhook {
		mu.Lock()
		defer mu.Unlock()
		return append([]store.Webhook(nil), ok...)
	}
}
