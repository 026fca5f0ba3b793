package stack

import (
	"io"
	"math/rand/v2"
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
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/shops"
)

// TestBigCommerceSandboxServesTheStack configures a store the way the stack
// does, from the sandbox's Env, and checks that the adapter it opens reads
// the sandbox's orders and verifies the callbacks of its subscription.
func TestBigCommerceSandboxServesTheStack(t *testing.T) {
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
	sys, err := sb.System(config.PlatformBigCommerce)
	if err != nil {
		t.Fatal(err)
	}

	want := `{"system":"bigcommerce","url":"` + sys.URL + `","store_hash":"` +
		BigCommerceStoreHash + `","access_token":"` + BigCommerceAccessToken +
		`","client_id":"` + BigCommerceClientID + `"}`
	if string(sys.Info) != want {
		t.Errorf("Info = %s, want %s", sys.Info, want)
	}

	adapter := openFromEnv(t, sys.Env(StoreName))
	url, got := verifyingReceiver(t, adapter)
	if err := sys.Subscribe(url); err != nil {
		t.Fatal(err)
	}
	placed, err := sb.Model.CreateOrder(shopOrder(demoOrder(rand.New(rand.NewPCG(1, 2)), 0,
		false)))
	if err != nil {
		t.Fatal(err)
	}
	sys.Sender.Wait()

	id := strconv.FormatInt(placed.ID, 10)
	if d := got(); len(d) != 1 || d[0].OrderID != id || d[0].Topic != "store/order/created" {
		t.Errorf("verified callbacks %+v, want one for order %s", d, id)
	}
	loaded, err := adapter.LoadOrder(t.Context(), id)
	if err != nil || loaded.Number != sys.OrderNumber(placed) ||
		loaded.TotalMinor != placed.TotalMinor {
		t.Errorf("LoadOrder() = %+v, %v; want number %s and total %d", loaded, err,
			sys.OrderNumber(placed), placed.TotalMinor)
	}
}

// openFromEnv opens the demo store's adapter from env, as the worker does.
func openFromEnv(t *testing.T, env []string) store.Store {
	t.Helper()
	vars := map[string]string{config.EnvStores: StoreName}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	cfg, err := config.FromEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	stores, err := shops.Open(cfg, nil, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return stores[StoreName]
}

// verifyingReceiver serves callbacks, keeping those v accepts; got returns
// them.
func verifyingReceiver(t *testing.T, v store.WebhookVerifier) (url string,
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
	return srv.URL + "/webhooks/bigcommerce/" + StoreName, func() []store.Webhook {
		mu.Lock()
		defer mu.Unlock()
		return append([]store.Webhook(nil), ok...)
	}
}
