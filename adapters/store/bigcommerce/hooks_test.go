package bigcommerce

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/bigcommerce/bcstoresandbox"
)

// delivery is what a receiver made of one callback.
type delivery struct {
	webhook store.Webhook
	err     error
}

// receiver verifies callbacks with s, answering 500 to the first fail of
// them and 200 to the others; deliveries returns what it verified.
func receiver(t *testing.T, s *Store, f *fixture, fail int) (url string,
	deliveries func() []delivery) {
	t.Helper()
	var mu sync.Mutex
	var got []delivery
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		wh, err := s.VerifyWebhook(store.WebhookDelivery{Header: r.Header, Body: body,
			Received: f.clock.Now()})
		mu.Lock()
		got = append(got, delivery{webhook: wh, err: err})
		n := len(got)
		mu.Unlock()
		if n <= fail {
			http.Error(w, "try again", http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/webhooks/bigcommerce/demo", func() []delivery {
		mu.Lock()
		defer mu.Unlock()
		return append([]delivery(nil), got...)
	}
}

func TestSandboxCallbacksVerifyAndKeepTheirIDOnRetries(t *testing.T) {
	f := newFixture(t, nil, bcstoresandbox.WithWebhookScale(1e-4))
	s := f.newStore(t, Config{ClientSecret: testClientSecret})
	url, deliveries := receiver(t, s, f, 2)
	if err := s.RegisterWebhooks(t.Context(), url); err != nil {
		t.Fatalf("RegisterWebhooks() error = %v", err)
	}

	placed, err := f.model.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}
	f.sb.Sender().Wait()

	got := deliveries()
	if len(got) != 3 {
		t.Fatalf("%d deliveries, want 3: two refused with 500, then one accepted", len(got))
	}
	for i, d := range got {
		if d.err != nil || d.webhook.ID != got[0].webhook.ID ||
			d.webhook.OrderID != strconv.FormatInt(placed.ID, 10) ||
			d.webhook.Topic != "store/order/created" {
			t.Errorf("delivery %d = %+v, %v; want order %d verified with the first's id", i,
				d.webhook, d.err, placed.ID)
		}
	}
	if st := f.sb.Sender().Stats(); st.Delivered != 1 || st.Attempts != 3 {
		t.Errorf("sender stats %+v, want 3 attempts and one delivery", st)
	}
}

func TestRegisterWebhooksIsIdempotentAndReactivates(t *testing.T) {
	f := newFixture(t, nil)
	const dest = "https://erpsync.example.com/webhooks/bigcommerce/demo"
	for range 2 {
		if err := f.store.RegisterWebhooks(t.Context(), dest); err != nil {
			t.Fatalf("RegisterWebhooks() error = %v", err)
		}
	}
	hooks := f.sb.Hooks()
	scopes := len(OrderScopes) + len(CustomerScopes)
	if len(hooks) != scopes || f.requests(http.MethodPost, "/stores/"+testHash+
		"/v3/hooks") != scopes {
		t.Fatalf("hooks %+v after two registrations, want one per scope", hooks)
	}

	off := httptest.NewRequestWithContext(t.Context(), http.MethodPut,
		f.srv.URL+"/stores/"+testHash+"/v3/hooks/"+strconv.FormatInt(hooks[0].ID, 10),
		strings.NewReader(`{"is_active":false}`))
	off.RequestURI = ""
	off.Header.Set("X-Auth-Token", testToken)
	off.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(off)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("deactivate hook: %v, %v", resp, err)
	}
	resp.Body.Close()

	if err := f.store.RegisterWebhooks(t.Context(), dest); err != nil {
		t.Fatalf("RegisterWebhooks() error = %v", err)
	}
	for _, h := range f.sb.Hooks() {
		if !h.IsActive || h.Headers[HeaderSecret] != testSecret || h.Destination != dest {
			t.Errorf("hook %+v, want it active with the secret header", h)
		}
	}
}
