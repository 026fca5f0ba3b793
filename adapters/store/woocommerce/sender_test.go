package woocommerce

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/adapters/store/woocommerce/woosandbox"
)

// receiver verifies the deliveries it gets with the adapter, answering
// with status.
type receiver struct {
	mu       sync.Mutex
	verified []store.Webhook
	refused  []error
	status   atomic.Int64
}

func (rc *receiver) serve(s *Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		wh, err := s.VerifyWebhook(store.WebhookDelivery{Header: r.Header, Body: body,
			Received: time.Now()})
		rc.mu.Lock()
		if err != nil {
			rc.refused = append(rc.refused, err)
		} else {
			rc.verified = append(rc.verified, wh)
		}
		rc.mu.Unlock()
		w.WriteHeader(int(rc.status.Load()))
	}
}

// take returns and forgets what the receiver verified and refused.
func (rc *receiver) take() ([]store.Webhook, []error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	v, r := rc.verified, rc.refused
	rc.verified, rc.refused = nil, nil
	return v, r
}

// newReceiver serves a receiver answering status, with e's model stamping
// orders at the wall clock's second, so that deliveries are fresh.
func newReceiver(t *testing.T, e *env, status int) (*receiver, *httptest.Server) {
	t.Helper()
	e.clock.Set(time.Now().UTC().Truncate(time.Second))

	rc := &receiver{}
	rc.status.Store(int64(status))
	srv := httptest.NewServer(rc.serve(e.store))
	t.Cleanup(srv.Close)
	return rc, srv
}

func TestSandboxDeliveriesVerifyWithTheAdapter(t *testing.T) {
	e := newEnv(t)
	rc, srv := newReceiver(t, e, http.StatusOK)
	sender := e.sandbox.Sender()

	if err := e.sandbox.Subscribe(srv.URL, testWebhookSecret); err != nil {
		t.Fatalf("Subscribe() error = %v", err)
	}
	pings, refused := rc.take()
	if len(pings) != 2 || !pings[0].Ping || !pings[1].Ping || len(refused) != 0 {
		t.Fatalf("after subscribing: %+v, refused %v; want two pings", pings, refused)
	}

	o := placeOrder(t, e.model, false)
	if _, err := e.model.TouchOrder(o.ID); err != nil {
		t.Fatal(err)
	}
	sender.Wait()
	got, refused := rc.take()
	id := strconv.FormatInt(o.ID, 10)
	if len(got) != 2 || len(refused) != 0 || got[0].OrderID != id || got[1].OrderID != id ||
		got[0].ID != got[1].ID {
		t.Fatalf("deliveries %+v, refused %v; want order %s created and updated within one "+
			"second, with one ID", got, refused, id)
	}
}

func TestSandboxDeliversOnceAndDisablesAFailingWebhook(t *testing.T) {
	e := newEnv(t)
	rc, srv := newReceiver(t, e, http.StatusInternalServerError)
	sender := e.sandbox.Sender()

	id, err := e.sandbox.CreateWebhook(t.Context(), woosandbox.WebhookSpec{
		Topic: storesandbox.TopicOrderCreated, DeliveryURL: srv.URL,
		Secret: testWebhookSecret}, e.srv.URL)
	if err != nil {
		t.Fatalf("CreateWebhook() error = %v", err)
	}
	rc.take() // the ping

	for i := 1; i <= 7; i++ {
		placeOrder(t, e.model, false)
		sender.Wait()
		if got := sender.Stats().Attempts; got != int64(i) {
			t.Fatalf("%d attempts after %d failed deliveries, want no retry", got, i)
		}
	}
	if h := e.sandbox.Webhooks()[id]; h.Status != woosandbox.StatusDisabled {
		t.Fatalf("webhook %+v after 7 failures in a row, want it disabled", h)
	}
	got, refused := rc.take()
	if len(got) != 7 || len(refused) != 0 {
		t.Errorf("verified %d deliveries, refused %v; want the 7 failed ones verified",
			len(got), refused)
	}

	placeOrder(t, e.model, false)
	sender.Wait()
	if got := sender.Stats().Attempts; got != 7 {
		t.Errorf("%d attempts, want no delivery to a disabled webhook", got)
	}
}

func TestSandboxDeliveriesOfOrderChangesAndCustomers(t *testing.T) {
	e := newEnv(t)
	rc, srv := newReceiver(t, e, http.StatusOK)
	if err := e.sandbox.Subscribe(srv.URL, testWebhookSecret); err != nil {
		t.Fatalf("Subscribe() error = %v", err)
	}
	if err := e.sandbox.SubscribeCustomers(srv.URL, testWebhookSecret); err != nil {
		t.Fatalf("SubscribeCustomers() error = %v", err)
	}
	o := placeOrder(t, e.model, false)
	e.sandbox.Sender().Wait()
	rc.take() // the pings and the order's creation
	id := strconv.FormatInt(o.ID, 10)

	changes := []func() error{
		func() error {
			_, err := e.model.EditOrder(o.ID, func(o *storesandbox.Order) error {
				o.ShippingMinor = 0
				return nil
			})
			return err
		},
		func() error {
			_, err := e.model.RefundOrder(o.ID, storesandbox.Refund{AmountMinor: 100})
			return err
		},
		func() error { _, err := e.model.CancelOrder(o.ID, "merchant"); return err },
	}
	for i, change := range changes {
		if err := change(); err != nil {
			t.Fatal(err)
		}
		e.sandbox.Sender().Wait()
		got, refused := rc.take()
		if len(got) != 1 || len(refused) != 0 || got[0].Topic != "order.updated" ||
			got[0].OrderID != id || !got[0].OrderChanged || got[0].CustomerID != "" {
			t.Errorf("change %d delivered %+v, refused %v; want order.updated of %s, changed",
				i, got, refused, id)
		}
	}

	a, err := e.model.CreateAccount(storesandbox.Account{
		Customer: storesandbox.Customer{Email: "new@example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	e.sandbox.Sender().Wait()
	_, err = e.model.UpdateAccount(a.ID, func(a *storesandbox.Account) error {
		a.Phone = "+1 555"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.sandbox.Sender().Wait()
	got, refused := rc.take()
	cid := strconv.FormatInt(a.ID, 10)
	if len(got) != 2 || len(refused) != 0 || got[0].Topic != "customer.created" ||
		got[1].Topic != "customer.updated" || got[0].CustomerID != cid ||
		got[1].CustomerID != cid || got[0].OrderID != "" || got[1].OrderChanged {
		t.Errorf("customer deliveries %+v, refused %v; want created and updated of %s", got,
			refused, cid)
	}
}
