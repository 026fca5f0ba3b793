package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/postgres"
	"github.com/erpsync/erpsync/internal/config"
)

const secret = "s3cret"

// fakeStarter remembers the ids it started, like Temporal's id policy.
type fakeStarter struct {
	mu        sync.Mutex
	started   map[string]bool
	calls     int
	changes   []string
	customers []string
	err       error
}

func (f *fakeStarter) SyncOrderChanges(_ context.Context, store, id string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.changes = append(f.changes, store+"/"+id)
	return "changes/" + store + "/" + id, f.err
}

func (f *fakeStarter) SyncCustomer(_ context.Context, store, id string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.customers = append(f.customers, store+"/"+id)
	return "customer/" + store + "/" + id, f.err
}

func (f *fakeStarter) StartOrderSync(_ context.Context, store, id string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	wid := store + "/" + id
	if f.err != nil {
		return wid, false, f.err
	}
	if f.started[wid] {
		return wid, false, nil
	}
	f.started[wid] = true
	return wid, true, nil
}

type fakeDeliveries struct {
	mu      sync.Mutex
	started map[string]bool
}

func (f *fakeDeliveries) Claim(_ context.Context, d Delivery) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.started[d.ID], nil
}

func (f *fakeDeliveries) MarkStarted(_ context.Context, _, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started[id] = true
	return nil
}

type fixture struct {
	mux     *http.ServeMux
	starter *fakeStarter
}

func newFixture() fixture {
	st := &fakeStarter{started: map[string]bool{}}
	d := &fakeDeliveries{started: map[string]bool{}}
	sources := map[string]Source{
		"demo": {Platform: config.PlatformHeadless,
			Verifier: postgres.New(nil, postgres.WithWebhookSecret(secret))},
		"shop": {Platform: config.PlatformShopify, Verifier: scripted{}},
	}
	h := NewHandler(sources, st, d, zap.NewNop(), func(s, id string) string { return s + "/" + id })
	mux := http.NewServeMux()
	h.Register(mux)
	return fixture{mux: mux, starter: st}
}

func (f fixture) post(t *testing.T, store, body, signature, delivery string) (int, answer) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/orders/"+store, strings.NewReader(body))
	if signature != "" {
		req.Header.Set(postgres.HeaderSignature, signature)
	}
	if delivery != "" {
		req.Header.Set(postgres.HeaderDelivery, delivery)
	}
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, req)

	var a answer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("answer %q is not JSON: %v", rec.Body.String(), err)
	}
	return rec.Code, a
}

func TestWebhookRefusals(t *testing.T) {
	big := `{"id":1,"pad":"` + strings.Repeat("x", MaxBody) + `"}`
	tests := []struct {
		name      string
		store     string
		body      string
		signature string
		wantCode  int
		wantIn    string
	}{
		{"unknown store", "other", `{"id":1}`, postgres.Sign(secret, []byte(`{"id":1}`)), 404, "unknown"},
		{"missing signature", "demo", `{"id":1}`, "", 401, "missing"},
		{"signature not base64", "demo", `{"id":1}`, "%%%", 401, "base64"},
		{"wrong secret", "demo", `{"id":1}`, postgres.Sign("other", []byte(`{"id":1}`)), 401, "match"},
		{"body changed", "demo", `{"id":2}`, postgres.Sign(secret, []byte(`{"id":1}`)), 401, "match"},
		{"too large", "demo", big, postgres.Sign(secret, []byte(big)), 413, "1 MiB"},
		{"malformed", "demo", `{"id":`, postgres.Sign(secret, []byte(`{"id":`)), 400, "malformed"},
		{"no id", "demo", `{"x":1}`, postgres.Sign(secret, []byte(`{"x":1}`)), 400, "missing"},
		{"bad id", "demo", `{"id":"a/b"}`, postgres.Sign(secret, []byte(`{"id":"a/b"}`)), 400, "id"},
		{"float id", "demo", `{"id":1.5}`, postgres.Sign(secret, []byte(`{"id":1.5}`)), 400, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			code, a := f.post(t, tt.store, tt.body, tt.signature, "")
			if code != tt.wantCode || !strings.Contains(a.Reason, tt.wantIn) {
				t.Errorf("post = %d %q, want %d with %q", code, a.Reason, tt.wantCode, tt.wantIn)
			}
			if f.starter.calls != 0 {
				t.Errorf("refused webhook started %d syncs", f.starter.calls)
			}
		})
	}
}

func TestWebhookStartsOnceAndDropsReplays(t *testing.T) {
	f := newFixture()
	body := `{"id":1001,"number":"1001"}`
	sig := postgres.Sign(secret, []byte(body))

	code, a := f.post(t, "demo", body, sig, "d-1")
	if code != http.StatusAccepted || a.Status != OutcomeStarted || a.WorkflowID != "demo/1001" {
		t.Fatalf("first delivery = %d %+v, want 202 started demo/1001", code, a)
	}

	code, a = f.post(t, "demo", body, sig, "d-1")
	if code != http.StatusOK || a.Status != OutcomeReplay {
		t.Errorf("replay = %d %+v, want 200 replay", code, a)
	}

	code, a = f.post(t, "demo", body, sig, "d-2")
	if code != http.StatusOK || a.Status != OutcomeAlreadyStarted {
		t.Errorf("second delivery = %d %+v, want 200 already_started", code, a)
	}
	if f.starter.calls != 2 {
		t.Errorf("starter called %d times, want 2 (the replay must not start)", f.starter.calls)
	}
}

// A delivery whose start failed is not remembered as started, so the store's
// retry starts the sync.
func TestWebhookStartFailureIsRetried(t *testing.T) {
	f := newFixture()
	body := `{"id":"A-7"}`
	sig := postgres.Sign(secret, []byte(body))

	f.starter.err = errors.New("temporal unreachable")
	code, a := f.post(t, "demo", body, sig, "d-9")
	if code != http.StatusServiceUnavailable || a.Reason == "" {
		t.Fatalf("post while temporal is down = %d %+v, want 503 with a reason", code, a)
	}

	f.starter.err = nil
	code, a = f.post(t, "demo", body, sig, "d-9")
	if code != http.StatusAccepted || a.Status != OutcomeStarted {
		t.Errorf("retried delivery = %d %+v, want 202 started", code, a)
	}
}

// scripted is a platform verifier that does what the body says.
type scripted struct{}

func (scripted) VerifyWebhook(d store.WebhookDelivery) (store.Webhook, error) {
	switch body := string(d.Body); body {
	case "forged":
		return store.Webhook{}, fmt.Errorf("%w: hmac differs", store.ErrBadSignature)
	case "old":
		return store.Webhook{}, fmt.Errorf("%w: triggered a day ago", store.ErrStale)
	case "garbled":
		return store.Webhook{}, fmt.Errorf("%w: not JSON", store.ErrMalformed)
	case "ping":
		return store.Webhook{ID: "p", Ping: true}, nil
	case "product":
		return store.Webhook{ID: "e-1", Topic: "products/update"}, nil
	case "cancelled":
		return store.Webhook{ID: "e-c", Topic: "orders/cancelled", OrderID: "5",
			OrderChanged: true}, nil
	case "customer", "bad customer":
		id := map[string]string{"customer": "3", "bad customer": "a/b"}[body]
		return store.Webhook{ID: "e-" + id, Topic: "customers/update", CustomerID: id}, nil
	default:
		return store.Webhook{ID: "e-" + body, Topic: "orders/create", OrderID: body}, nil
	}
}

func TestPlatformWebhooks(t *testing.T) {
	tests := []struct {
		path, body string
		wantCode   int
		wantStatus string
		wantIn     string
	}{
		{"/webhooks/shopify/shop", "820982911946154508", 202, OutcomeStarted, ""},
		{"/webhooks/shopify/shop", "forged", 401, "refused", "hmac differs"},
		{"/webhooks/shopify/shop", "old", 409, "refused", "a day ago"},
		{"/webhooks/shopify/shop", "garbled", 400, "refused", "not JSON"},
		{"/webhooks/shopify/shop", "ping", 200, OutcomePing, ""},
		{"/webhooks/shopify/shop", "product", 200, OutcomeIgnored, "products/update"},
		{"/webhooks/shopify/shop", "gid://shopify/Order/1", 400, "refused", "order id"},
		{"/webhooks/woocommerce/shop", "1", 404, "refused", "shopify store, not woocommerce"},
		{"/webhooks/shopify/demo", "1", 404, "refused", "headless store, not shopify"},
	}
	for _, tt := range tests {
		f := newFixture()
		req := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.body))
		rec := httptest.NewRecorder()
		f.mux.ServeHTTP(rec, req)

		var a answer
		if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
			t.Fatalf("%s %s: answer %q is not JSON", tt.path, tt.body, rec.Body.String())
		}
		if rec.Code != tt.wantCode || a.Status != tt.wantStatus ||
			!strings.Contains(a.Reason, tt.wantIn) {
			t.Errorf("%s %s = %d %+v, want %d %s with %q", tt.path, tt.body, rec.Code, a,
				tt.wantCode, tt.wantStatus, tt.wantIn)
		}
		started := f.starter.calls + len(f.starter.customers)
		if (tt.wantCode == 202) != (started == 1) {
			t.Errorf("%s %s started %d syncs", tt.path, tt.body, started)
		}
	}
}

// A change of an order starts the order's sync, as a backstop, and the sync
// of its changes; a customer's change starts the customer's sync.
func TestChangeWebhooksStartTheirSyncs(t *testing.T) {
	f := newFixture()
	post := func(body string) (int, answer) {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/shopify/shop",
			strings.NewReader(body))
		rec := httptest.NewRecorder()
		f.mux.ServeHTTP(rec, req)
		var a answer
		_ = json.Unmarshal(rec.Body.Bytes(), &a)
		return rec.Code, a
	}

	code, a := post("cancelled")
	if code != http.StatusAccepted || a.WorkflowID != "changes/shop/5" ||
		f.starter.calls != 1 || len(f.starter.changes) != 1 {
		t.Fatalf("cancellation = %d %+v; order syncs %d, change syncs %v", code, a,
			f.starter.calls, f.starter.changes)
	}

	// A replay of a change is looked at again: two changes may share an id.
	code, a = post("cancelled")
	if code != http.StatusOK || a.Status != OutcomeReplay || f.starter.calls != 1 ||
		len(f.starter.changes) != 2 {
		t.Fatalf("replayed cancellation = %d %+v; order syncs %d, change syncs %v", code, a,
			f.starter.calls, f.starter.changes)
	}

	code, a = post("customer")
	if code != http.StatusAccepted || a.WorkflowID != "customer/shop/3" ||
		len(f.starter.customers) != 1 {
		t.Fatalf("customer update = %d %+v; customer syncs %v", code, a, f.starter.customers)
	}

	code, a = post("bad customer")
	if code != http.StatusBadRequest || !strings.Contains(a.Reason, "customer id") {
		t.Fatalf("bad customer id = %d %+v, want 400 naming the customer id", code, a)
	}
}
