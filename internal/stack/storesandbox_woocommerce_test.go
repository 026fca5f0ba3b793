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
	faults, err := erpsandbox.NewFaults(erpsandbox.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := StartStoreSandboxes("127.0.0.1", faults)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	sys, err := sb.System(config.PlatformWooCommerce)
	if err != nil {
		t.Fatal(err)
	}
	if err := SeedStore(sb.Model); err != nil {
		t.Fatal(err)
	}

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

	checkSubscription(t, sys, shop, sb.Model)
}

// openShop opens the adapter of a store configured by sys's Env.
func openShop(t *testing.T, sys StoreSystem, name string) store.Store {
	t.Helper()
	env := map[string]string{config.EnvStores: name}
	for _, kv := range sys.Env(name) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	stores, err := shops.Open(cfg, nil, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return stores[name]
}

// checkSubscription subscribes a receiver that verifies with shop, and
// expects the pings and the delivery of a new order.
func checkSubscription(t *testing.T, sys StoreSystem, shop store.Store, m *storesandbox.Model) {
	t.Helper()
	var mu sync.Mutex
	var got []store.Webhook
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		wh, err := shop.VerifyWebhook(store.WebhookDelivery{Header: r.Header, Body: body,
			Received: time.Now()})
		if err != nil {
			t.Errorf("VerifyWebhook() error = %v", err)
		}
		mu.Lock()
		got = append(got, wh)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)

	if err := sys.Subscribe(srv.URL); err != nil {
		t.Fatalf("Subscribe() error = %v", err)
	}
	o, err := m.CreateOrder(storesandbox.Order{Currency: Currency,
		Customer: storesandbox.Customer{Email: "hook@example.test"},
		Lines:    []storesandbox.Line{{SKU: "CAP-GRN", Quantity: 1, UnitPriceMinor: 1900}}})
	if err != nil {
		t.Fatal(err)
	}
	sys.Sender.Wait()

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 || !got[0].Ping || !got[1].Ping ||
		got[2].OrderID != strconv.FormatInt(o.ID, 10) {
		t.Errorf("received %+v, want two pings and the new order", got)
	}
}
