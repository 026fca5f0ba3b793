package bigcommerce

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/bigcommerce/bcstoresandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

func TestVerifyWebhookTellsOrderChangesAndCustomers(t *testing.T) {
	at := strconv.FormatInt(received.Unix(), 10)
	body := func(scope, data string) string {
		return `{"scope":"` + scope + `","store_id":"1","data":` + data +
			`,"hash":"cb07cdbdda8b1965e812693d5988154807eeed02","created_at":` + at +
			`,"producer":"stores/abc123"}`
	}
	tests := []struct {
		name     string
		body     string
		order    string
		changed  bool
		customer string
	}{
		{"created", body("store/order/created", `{"type":"order","id":250}`), "250", false, ""},
		{"updated", body("store/order/updated", `{"type":"order","id":250}`), "250", true, ""},
		{"cancelled", body("store/order/statusUpdated", `{"type":"order","id":250,`+
			`"status":{"previous_status_id":11,"new_status_id":5}}`), "250", true, ""},
		{"shipped", body("store/order/statusUpdated", `{"type":"order","id":250,`+
			`"status":{"previous_status_id":11,"new_status_id":2}}`), "250", false, ""},
		{"status not told", body("store/order/statusUpdated", `{"type":"order","id":250}`),
			"250", true, ""},
		{"refund", body("store/order/refund/created", `{"type":"order","id":250,`+
			`"refund":{"refund_id":3}}`), "250", true, ""},
		{"shipment", body("store/shipment/created", `{"type":"shipment","id":12,`+
			`"orderId":251}`), "251", false, ""},
		{"customer created", body("store/customer/created", `{"type":"customer","id":32}`),
			"", false, "32"},
		{"customer updated", body("store/customer/updated", `{"type":"customer","id":32}`),
			"", false, "32"},
		{"customer address", body("store/customer/address/updated", `{"type":"customer",`+
			`"id":60,"address":{"customer_id":32}}`), "", false, "32"},
	}
	s := webhookStore(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			h.Set(HeaderSecret, testSecret)
			wh, err := s.VerifyWebhook(store.WebhookDelivery{Header: h, Body: []byte(tt.body),
				Received: received})
			if err != nil || wh.OrderID != tt.order || wh.OrderChanged != tt.changed ||
				wh.CustomerID != tt.customer {
				t.Errorf("VerifyWebhook() = %+v, %v; want order %q changed %v customer %q", wh,
					err, tt.order, tt.changed, tt.customer)
			}
		})
	}
}

func TestSandboxSendsOrderChangesAndCustomerEvents(t *testing.T) {
	f := newFixture(t, nil, bcstoresandbox.WithWebhookScale(1e-4))
	s := f.newStore(t, Config{ClientSecret: testClientSecret})
	url, deliveries := receiver(t, s, f, 0)
	if err := s.RegisterWebhooks(t.Context(), url); err != nil {
		t.Fatalf("RegisterWebhooks() error = %v", err)
	}
	placed := f.place(t)
	acct, err := f.model.CreateAccount(storesandbox.Account{Customer: storesandbox.Customer{
		Email: "dee@example.test", FirstName: "Dee"}})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Second)
	_, err = f.model.RefundOrder(placed.ID, storesandbox.Refund{AmountMinor: 100})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.model.CancelOrder(placed.ID, "fraud"); err != nil {
		t.Fatal(err)
	}
	f.sb.Sender().Wait()

	order, customer := strconv.FormatInt(placed.ID, 10), strconv.FormatInt(acct.ID, 10)
	type seen struct{ all, changed int }
	got := map[string]seen{}
	for _, d := range deliveries() {
		wantOrder, wantCustomer := order, ""
		if d.webhook.Topic == "store/customer/created" {
			wantOrder, wantCustomer = "", customer
		}
		if d.err != nil || d.webhook.OrderID != wantOrder ||
			d.webhook.CustomerID != wantCustomer {
			t.Errorf("delivery %+v, %v; want order %q customer %q", d.webhook, d.err,
				wantOrder, wantCustomer)
		}
		n := got[d.webhook.Topic]
		n.all++
		if d.webhook.OrderChanged {
			n.changed++
		}
		got[d.webhook.Topic] = n
	}
	// The refund and the cancellation each update the order and change its
	// status: to Partially Refunded (14), which is no change to follow, then
	// to Cancelled (5), which is.
	want := map[string]seen{"store/order/created": {1, 0}, "store/customer/created": {1, 0},
		"store/order/refund/created": {1, 1}, "store/order/updated": {2, 2},
		"store/order/statusUpdated": {2, 1}}
	for topic, n := range want {
		if got[topic] != n {
			t.Errorf("deliveries of %s = %+v, want %+v", topic, got[topic], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("topics delivered = %v, want %v", got, want)
	}
}
