package stack

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/erpsync/erpsync/internal/config"
)

// TestBigCommerceSandboxServesTheStack configures a store the way the stack
// does, from the sandbox's Env, and checks that the adapter it opens reads
// the sandbox's orders and verifies the callbacks of its subscription.
func TestBigCommerceSandboxServesTheStack(t *testing.T) {
	sb, sys := seededStoreSandbox(t, config.PlatformBigCommerce)

	want := `{"system":"bigcommerce","url":"` + sys.URL + `","store_hash":"` +
		BigCommerceStoreHash + `","access_token":"` + BigCommerceAccessToken +
		`","client_id":"` + BigCommerceClientID + `"}`
	if string(sys.Info) != want {
		t.Errorf("Info = %s, want %s", sys.Info, want)
	}

	adapter := openShop(t, sys, StoreName)
	url, got := verifyingReceiver(t, adapter, "/webhooks/bigcommerce/"+StoreName)
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
