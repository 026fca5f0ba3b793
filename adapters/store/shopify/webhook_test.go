package shopify_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/shopify"
	"github.com/erpsync/erpsync/adapters/store/shopify/shopifysandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

const secret = "test-client-secret"

var triggered = time.Date(2026, 5, 1, 9, 0, 0, 123456789, time.UTC)

// delivery is an orders/create webhook of order 450789469, signed, received
// a minute after its event; change edits it before it is checked.
func delivery(change func(*store.WebhookDelivery)) store.WebhookDelivery {
	body := []byte(`{"id":450789469,"admin_graphql_api_id":"gid://shopify/Order/450789469",` +
		`"order_number":1001,"name":"#1001","total_price":"12.50"}`)
	d := store.WebhookDelivery{Header: http.Header{}, Body: body,
		Received: triggered.Add(time.Minute)}
	d.Header.Set("X-Shopify-Topic", "orders/create")
	d.Header.Set("X-Shopify-Hmac-Sha256", shopifysandbox.Sign(secret, body))
	d.Header.Set("X-Shopify-Shop-Domain", "erpsync-test.myshopify.com")
	d.Header.Set("X-Shopify-API-Version", "2026-10")
	d.Header.Set("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
	d.Header.Set("X-Shopify-Event-Id", "98880550-7158-44d4-b7cd-2c97c8a091b5")
	d.Header.Set("X-Shopify-Triggered-At", triggered.Format(time.RFC3339Nano))
	if change != nil {
		change(&d)
	}
	return d
}

// resign signs the delivery's body again, after a change to it.
func resign(d *store.WebhookDelivery) {
	d.Header.Set("X-Shopify-Hmac-Sha256", shopifysandbox.Sign(secret, d.Body))
}

func verifier(t *testing.T) *shopify.Store {
	t.Helper()
	st, err := shopify.New(shopify.Config{URL: "https://erpsync-test.myshopify.com",
		AccessToken: "t", WebhookSecret: secret}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestVerifyWebhook(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*store.WebhookDelivery)
		wantErr error
		want    store.Webhook
	}{
		{"good delivery", nil, nil, store.Webhook{ID: "orders/create:98880550-7158-44d4-" +
			"b7cd-2c97c8a091b5", Topic: "orders/create", OrderID: "450789469"}},
		{"missing signature", func(d *store.WebhookDelivery) {
			d.Header.Del("X-Shopify-Hmac-Sha256")
		}, store.ErrBadSignature, store.Webhook{}},
		{"signature not base64", func(d *store.WebhookDelivery) {
			d.Header.Set("X-Shopify-Hmac-Sha256", "not base64!")
		}, store.ErrBadSignature, store.Webhook{}},
		{"body changed", func(d *store.WebhookDelivery) {
			d.Body = append(d.Body[:len(d.Body)-1], ' ', '}')
		}, store.ErrBadSignature, store.Webhook{}},
		{"other secret", func(d *store.WebhookDelivery) {
			d.Header.Set("X-Shopify-Hmac-Sha256", shopifysandbox.Sign("other", d.Body))
		}, store.ErrBadSignature, store.Webhook{}},
		{"stale", func(d *store.WebhookDelivery) {
			d.Received = triggered.Add(5 * time.Hour)
		}, store.ErrStale, store.Webhook{}},
		{"far in the future", func(d *store.WebhookDelivery) {
			d.Received = triggered.Add(-time.Hour)
		}, store.ErrStale, store.Webhook{}},
		{"last retry is still fresh", func(d *store.WebhookDelivery) {
			d.Received = triggered.Add(4*time.Hour + 5*time.Minute)
		}, nil, store.Webhook{ID: "orders/create:98880550-7158-44d4-b7cd-2c97c8a091b5",
			Topic: "orders/create", OrderID: "450789469"}},
		{"no triggered-at", func(d *store.WebhookDelivery) {
			d.Header.Del("X-Shopify-Triggered-At")
		}, store.ErrMalformed, store.Webhook{}},
		{"bad triggered-at", func(d *store.WebhookDelivery) {
			d.Header.Set("X-Shopify-Triggered-At", "yesterday")
		}, store.ErrMalformed, store.Webhook{}},
		{"no topic", func(d *store.WebhookDelivery) {
			d.Header.Del("X-Shopify-Topic")
		}, store.ErrMalformed, store.Webhook{}},
		{"no event or webhook id", func(d *store.WebhookDelivery) {
			d.Header.Del("X-Shopify-Event-Id")
			d.Header.Del("X-Shopify-Webhook-Id")
		}, store.ErrMalformed, store.Webhook{}},
		{"body not json", func(d *store.WebhookDelivery) {
			d.Body = []byte("{not json")
			resign(d)
		}, store.ErrMalformed, store.Webhook{}},
		{"body without id", func(d *store.WebhookDelivery) {
			d.Body = []byte(`{"name":"#1001"}`)
			resign(d)
		}, store.ErrMalformed, store.Webhook{}},
		{"id not a number", func(d *store.WebhookDelivery) {
			d.Body = []byte(`{"id":"gid://shopify/Order/1"}`)
			resign(d)
		}, store.ErrMalformed, store.Webhook{}},
		{"test notification is a ping", func(d *store.WebhookDelivery) {
			d.Header.Set("X-Shopify-Test", "true")
			d.Header.Del("X-Shopify-Triggered-At")
		}, nil, store.Webhook{ID: "orders/create:98880550-7158-44d4-b7cd-2c97c8a091b5",
			Topic: "orders/create", Ping: true}},
		{"cancellation changes the order", func(d *store.WebhookDelivery) {
			d.Header.Set("X-Shopify-Topic", "orders/cancelled")
		}, nil, store.Webhook{ID: "orders/cancelled:98880550-7158-44d4-b7cd-2c97c8a091b5",
			Topic: "orders/cancelled", OrderID: "450789469", OrderChanged: true}},
		{"refund names its order", func(d *store.WebhookDelivery) {
			d.Header.Set("X-Shopify-Topic", "refunds/create")
			d.Body = []byte(`{"id":929361462,"order_id":450789469,"note":"damaged"}`)
			resign(d)
		}, nil, store.Webhook{ID: "refunds/create:98880550-7158-44d4-b7cd-2c97c8a091b5",
			Topic: "refunds/create", OrderID: "450789469", OrderChanged: true}},
		{"refund without order", func(d *store.WebhookDelivery) {
			d.Header.Set("X-Shopify-Topic", "refunds/create")
			d.Body = []byte(`{"id":929361462}`)
			resign(d)
		}, store.ErrMalformed, store.Webhook{}},
		{"edit names its order", func(d *store.WebhookDelivery) {
			d.Header.Set("X-Shopify-Topic", "orders/edited")
			d.Body = []byte(`{"order_edit":{"id":78912328,"order_id":450789469}}`)
			resign(d)
		}, nil, store.Webhook{ID: "orders/edited:98880550-7158-44d4-b7cd-2c97c8a091b5",
			Topic: "orders/edited", OrderID: "450789469", OrderChanged: true}},
		{"customer update names the customer", func(d *store.WebhookDelivery) {
			d.Header.Set("X-Shopify-Topic", "customers/update")
			d.Body = []byte(`{"id":706405506,"email":"bob@example.test"}`)
			resign(d)
		}, nil, store.Webhook{ID: "customers/update:98880550-7158-44d4-b7cd-2c97c8a091b5",
			Topic: "customers/update", CustomerID: "706405506"}},
		{"other topic has no order", func(d *store.WebhookDelivery) {
			d.Header.Set("X-Shopify-Topic", "products/update")
		}, nil, store.Webhook{ID: "products/update:98880550-7158-44d4-b7cd-2c97c8a091b5",
			Topic: "products/update"}},
	}
	st := verifier(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.VerifyWebhook(delivery(tt.change))
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("VerifyWebhook() = %+v, %v; want %+v, %v", got, err, tt.want,
					tt.wantErr)
			}
		})
	}
}

func TestRetriesOfOneEventHaveOneID(t *testing.T) {
	st := verifier(t)
	first, err := st.VerifyWebhook(delivery(nil))
	if err != nil {
		t.Fatal(err)
	}
	retry, err := st.VerifyWebhook(delivery(func(d *store.WebhookDelivery) {
		d.Received = triggered.Add(2 * time.Hour)
	}))
	other, _ := st.VerifyWebhook(delivery(func(d *store.WebhookDelivery) {
		d.Header.Set("X-Shopify-Event-Id", "another-event")
	}))
	if err != nil || retry.ID != first.ID || other.ID == first.ID {
		t.Errorf("ids: first %q, retry %q (%v), other event %q; want the retry's equal, "+
			"the other's not", first.ID, retry.ID, err, other.ID)
	}
}

// TestSandboxDeliveriesVerify subscribes a receiver that fails the first
// two attempts to the sandbox, places an order, and checks every attempt of
// the sandbox's sender with the adapter.
func TestSandboxDeliveriesVerify(t *testing.T) {
	model := storesandbox.NewModel(nil)
	sender := shopifysandbox.NewSender()
	sender.Scale = 1e-4
	sb := shopifysandbox.New(model, nil, creds, shopifysandbox.WithSender(sender))
	st := verifier(t)

	var mu sync.Mutex
	var got []store.Webhook
	var errs []error
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		wh, err := st.VerifyWebhook(store.WebhookDelivery{Header: r.Header, Body: body,
			Received: time.Now()})
		mu.Lock()
		defer mu.Unlock()
		got, errs = append(got, wh), append(errs, err)
		if len(got) <= 2 {
			http.Error(w, "busy", http.StatusInternalServerError)
		}
	}))
	defer receiver.Close()
	if _, err := sb.Subscribe("ORDERS_CREATE", receiver.URL, "2026-10"); err != nil {
		t.Fatal(err)
	}

	o, err := model.CreateOrder(storesandbox.Order{Currency: "EUR",
		Customer: storesandbox.Customer{Email: "ana@example.test"},
		Lines:    []storesandbox.Line{{SKU: "MUG", Quantity: 1, UnitPriceMinor: 1250}}})
	if err != nil {
		t.Fatal(err)
	}
	sender.Wait()
	sb.Close()

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 {
		t.Fatalf("%d attempts, want 3: two refused, then delivered", len(got))
	}
	for i := range got {
		if errs[i] != nil || got[i].ID != got[0].ID || got[i].Topic != "orders/create" ||
			got[i].OrderID != strconv.FormatInt(o.ID, 10) {
			t.Errorf("attempt %d: %+v, %v; want order %d under one id", i, got[i], errs[i],
				o.ID)
		}
	}
	if s := sender.Stats(); s.Attempts != 3 || s.Delivered != 1 {
		t.Errorf("sender stats %+v, want 3 attempts and one delivery", s)
	}
}

// TestSandboxDeliversOrderChangesAndCustomers subscribes to the topics of
// changed orders and customers, changes an order and a customer in the
// model, and checks what the adapter reads of each delivery.
func TestSandboxDeliversOrderChangesAndCustomers(t *testing.T) {
	model := storesandbox.NewModel(nil)
	sender := shopifysandbox.NewSender()
	sender.Scale = 1e-4
	sb := shopifysandbox.New(model, nil, creds, shopifysandbox.WithSender(sender))
	st := verifier(t)

	var mu sync.Mutex
	got := map[string]store.Webhook{}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		wh, err := st.VerifyWebhook(store.WebhookDelivery{Header: r.Header, Body: body,
			Received: time.Now()})
		if err != nil {
			t.Errorf("VerifyWebhook(%s) error = %v", r.Header.Get("X-Shopify-Topic"), err)
		}
		mu.Lock()
		defer mu.Unlock()
		got[wh.Topic] = wh
	}))
	defer receiver.Close()
	for _, topic := range []string{"ORDERS_CANCELLED", "ORDERS_EDITED", "REFUNDS_CREATE",
		"ORDERS_PARTIALLY_FULFILLED", "CUSTOMERS_CREATE", "CUSTOMERS_UPDATE"} {
		if _, err := sb.Subscribe(topic, receiver.URL, "2026-10"); err != nil {
			t.Fatal(err)
		}
	}

	o, err := model.CreateOrder(storesandbox.Order{Currency: "EUR",
		Customer: storesandbox.Customer{Email: "ana@example.test"},
		Lines:    []storesandbox.Line{{SKU: "MUG", Quantity: 2, UnitPriceMinor: 1250}}})
	if err != nil {
		t.Fatal(err)
	}
	changeOrderAndCustomer(t, model, o)
	sender.Wait()
	sb.Close()

	oid, cid := strconv.FormatInt(o.ID, 10), strconv.FormatInt(o.Customer.ID, 10)
	mu.Lock()
	defer mu.Unlock()
	for topic, changed := range map[string]bool{"orders/cancelled": true,
		"orders/edited": true, "refunds/create": true, "orders/partially_fulfilled": false} {
		if wh := got[topic]; wh.OrderID != oid || wh.OrderChanged != changed ||
			wh.CustomerID != "" {
			t.Errorf("%s: %+v, want order %s, changed %v", topic, wh, oid, changed)
		}
	}
	if wh := got["customers/update"]; wh.CustomerID != cid || wh.OrderID != "" {
		t.Errorf("customers/update: %+v, want customer %s", wh, cid)
	}
	if _, ok := got["customers/create"]; ok {
		t.Errorf("customers/create delivered for an account the order made quietly: %+v",
			got["customers/create"])
	}
}

// changeOrderAndCustomer edits, ships part of, refunds and cancels o, and
// updates its buyer.
func changeOrderAndCustomer(t *testing.T, model *storesandbox.Model, o storesandbox.Order) {
	t.Helper()
	if _, err := model.EditOrder(o.ID, func(e *storesandbox.Order) error {
		e.ShippingMinor = 495
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	part := storesandbox.Fulfillment{Lines: []storesandbox.FulfillmentLine{
		{SKU: "MUG", Quantity: 1}}}
	if _, err := model.Fulfill(o.ID, part); err != nil {
		t.Fatal(err)
	}
	if _, err := model.RefundOrder(o.ID, storesandbox.Refund{AmountMinor: 495}); err != nil {
		t.Fatal(err)
	}
	if _, err := model.CancelOrder(o.ID, "customer"); err != nil {
		t.Fatal(err)
	}
	if _, err := model.UpdateAccount(o.Customer.ID, func(a *storesandbox.Account) error {
		a.FirstName = "Ana"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
