package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store/bigcommerce/bcstoresandbox"
	"github.com/erpsync/erpsync/adapters/store/shopify/shopifysandbox"
	"github.com/erpsync/erpsync/adapters/store/woocommerce"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/intake"
	"github.com/erpsync/erpsync/internal/synclog"
)

// captured is a webhook delivery as a platform's sandbox sent it.
type captured struct {
	header http.Header
	body   []byte
}

// deliveryCase knows how one platform signs its webhooks: sign makes a
// delivery of body carry a good signature, and stale makes a delivery old.
type deliveryCase struct {
	sign  func(h http.Header, body []byte)
	stale func(d captured) captured
}

// platformDeliveries are the platforms whose webhooks the tests forge.
var platformDeliveries = map[string]deliveryCase{
	config.PlatformShopify: {
		sign: func(h http.Header, body []byte) {
			h.Set("X-Shopify-Hmac-Sha256", shopifysandbox.Sign(ShopifyWebhookSecret, body))
		},
		stale: func(d captured) captured {
			d.header.Set("X-Shopify-Triggered-At",
				time.Now().Add(-30*time.Hour).UTC().Format(time.RFC3339))
			return d
		},
	},
	config.PlatformWooCommerce: {
		sign: func(h http.Header, body []byte) {
			h.Set(woocommerce.HeaderSignature, woocommerce.Sign(WooWebhookSecret, body))
		},
		stale: func(d captured) captured {
			return withJSONField(d, "date_modified_gmt",
				time.Now().Add(-30*time.Hour).UTC().Format("2006-01-02T15:04:05"))
		},
	},
	config.PlatformBigCommerce: {
		sign: func(h http.Header, body []byte) {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			h.Set(bcstoresandbox.HeaderWebhookTimestamp, ts)
			h.Set(bcstoresandbox.HeaderWebhookSignature, bcstoresandbox.Sign(
				[]byte(BigCommerceClientSecret), h.Get(bcstoresandbox.HeaderWebhookID), ts, body))
		},
		stale: func(d captured) captured {
			return withJSONField(d, "created_at", time.Now().Add(-72*time.Hour).Unix())
		},
	},
}

// withJSONField sets a top-level field of a delivery's JSON body.
func withJSONField(d captured, field string, value any) captured {
	var body map[string]any
	_ = json.Unmarshal(d.body, &body)
	body[field] = value
	d.body, _ = json.Marshal(body)
	return d
}

// TestEveryStorePlatformDeliversOrdersThatSync runs a small demo through
// every platform's sandbox: its own webhook sender delivers the orders to
// the starter, and every order is synced once or parked.
func TestEveryStorePlatformDeliversOrdersThatSync(t *testing.T) {
	t.Cleanup(func() { useHeadless(t) })

	for _, platform := range config.Platforms[1:] {
		t.Run(platform, func(t *testing.T) {
			if err := st.UseStore(t.Context(), platform); err != nil {
				t.Fatal(err)
			}
			sum, _, err := st.Demo(t.Context(), DemoOptions{Orders: 12, UnknownSKU: 1,
				Timeout: 3 * time.Minute, Seed: 11})
			if err != nil {
				t.Fatal(err)
			}
			want := Summary{Orders: 12, Synced: 11, NeedsAttention: 1, Seconds: sum.Seconds}
			if sum != want {
				t.Errorf("demo through %s = %+v, want %+v", platform, sum, want)
			}
		})
	}
}

// TestStoreWebhooksRefuseWhatTheyMust forwards a real delivery of every
// platform's sandbox to the starter, unchanged and spoiled in each way a
// webhook can be, and checks each answer.
func TestStoreWebhooksRefuseWhatTheyMust(t *testing.T) {
	t.Cleanup(func() { useHeadless(t) })

	for _, platform := range config.Platforms[1:] {
		t.Run(platform, func(t *testing.T) {
			dc, ok := platformDeliveries[platform]
			if !ok {
				t.Fatalf("no way to sign %s webhooks in this test", platform)
			}
			if err := st.UseStore(t.Context(), platform); err != nil {
				t.Fatal(err)
			}
			id, d := captureDelivery(t, platform)
			waitStatus(t, id, synclog.StatusSynced)

			checkRefusals(t, platform, dc, d)
		})
	}
}

// checkRefusals posts d and its spoiled copies to the starter.
func checkRefusals(t *testing.T, platform string, dc deliveryCase, d captured) {
	t.Helper()
	tampered := bytes.Replace(d.body, []byte(`"`), []byte(` "`), 1)
	malformed := []byte(`{"id":`)
	malformedHeader := d.header.Clone()
	dc.sign(malformedHeader, malformed)
	stale := dc.stale(captured{header: d.header.Clone(), body: bytes.Clone(d.body)})
	dc.sign(stale.header, stale.body)

	tests := []struct {
		name   string
		header http.Header
		body   []byte
		want   int
		reason string
	}{
		{"replay", d.header, d.body, http.StatusOK, ""},
		{"bad signature", d.header, tampered, http.StatusUnauthorized, "signature"},
		{"stale", stale.header, stale.body, http.StatusConflict, "stale"},
		{"oversize", d.header, bytes.Repeat([]byte(" "), intake.MaxBody+1),
			http.StatusRequestEntityTooLarge, "1 MiB"},
		{"malformed", malformedHeader, malformed, http.StatusBadRequest, "malformed"},
	}
	for _, tt := range tests {
		code, reason := forward(t, platform, tt.header, tt.body)
		if code != tt.want || !strings.Contains(strings.ToLower(reason),
			strings.ToLower(tt.reason)) {
			t.Errorf("%s: answered %d %q, want %d with a reason naming %q", tt.name, code,
				reason, tt.want, tt.reason)
		}
	}
}

// captureDelivery subscribes a recorder to the platform's sandbox, places an
// order in the store, and returns the order's id and the first delivery of
// a JSON body the recorder got (WooCommerce pings a new subscriber with a
// form).
func captureDelivery(t *testing.T, platform string) (string, captured) {
	t.Helper()
	got := make(chan captured, 16)
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !json.Valid(body) {
			return
		}
		select {
		case got <- captured{header: r.Header.Clone(), body: body}:
		default:
		}
	}))
	t.Cleanup(rec.Close)
	if err := st.Shop.Subscribe(rec.URL); err != nil {
		t.Fatalf("subscribe to %s webhooks: %v", platform, err)
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
	o, err := st.StoreModel.CreateOrder(shopOrder(demoOrder(rng, 0, false)))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-got:
		return strconv.FormatInt(o.ID, 10), d
	case <-time.After(time.Minute):
		t.Fatalf("no %s webhook for order %d within a minute", platform, o.ID)
		return "", captured{}
	}
}

// forward posts a delivery to the starter's webhook path of the demo store
// and returns the status and the reason of the answer.
func forward(t *testing.T, platform string, header http.Header, body []byte) (int, string) {
	t.Helper()
	url := fmt.Sprintf("%s/webhooks/%s/%s", st.StarterURL, platform, StoreName)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url,
		bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post %s webhook: %v", platform, err)
	}
	defer resp.Body.Close()
	var a struct {
		Reason string `json:"reason"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&a)
	return resp.StatusCode, a.Reason
}

// useHeadless points the demo store back at the headless storefront.
func useHeadless(t *testing.T) {
	if err := st.UseStore(context.WithoutCancel(t.Context()), config.PlatformHeadless); err != nil {
		t.Errorf("point the demo store back at the headless storefront: %v", err)
	}
}
