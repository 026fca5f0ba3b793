package woocommerce

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
)

const orderBody = `{"id":42,"number":"1042","status":"processing",` +
	`"date_modified_gmt":"2026-05-01T09:00:00","total":"10.00"}`

// customerHook is a customer resource as a webhook carries it.
const customerHook = `{"id":9,"email":"ana@example.test","date_modified_gmt":` +
	`"2026-05-01T08:30:00","meta_data":[]}`

// digest is the ID of a delivery whose resource has no modification time.
func digest(topic, body string) string {
	sum := sha256.Sum256([]byte(topic + "\n" + body))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// delivery returns a delivery of body on topic, signed with secret (unless
// empty), received at received.
func delivery(topic, body, secret string, received time.Time) store.WebhookDelivery {
	h := http.Header{}
	h.Set(HeaderTopic, topic)
	h.Set(HeaderDeliveryID, "d-"+received.Format(time.RFC3339Nano))
	h.Set(HeaderWebhookID, "3")
	if secret != "" {
		h.Set(HeaderSignature, Sign(secret, []byte(body)))
	}
	return store.WebhookDelivery{Header: h, Body: []byte(body), Received: received}
}

func TestVerifyWebhook(t *testing.T) {
	s, err := New(Config{URL: "https://shop.example", ConsumerKey: "ck", ConsumerSecret: "cs",
		WebhookSecret: testWebhookSecret, MaxAge: time.Hour}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fresh := time.Date(2026, 5, 1, 9, 5, 0, 0, time.UTC)
	wrongSig := delivery("order.updated", orderBody, "other-secret", fresh)
	badBase64 := delivery("order.updated", orderBody, "", fresh)
	badBase64.Header.Set(HeaderSignature, "not base64!")
	noTopic := delivery("", orderBody, testWebhookSecret, fresh)
	unsignedPing := store.WebhookDelivery{Header: http.Header{}, Body: []byte("webhook_id=12")}

	tests := []struct {
		name    string
		d       store.WebhookDelivery
		want    store.Webhook
		wantErr error
	}{
		{"order update", delivery("order.updated", orderBody, testWebhookSecret, fresh),
			store.Webhook{ID: "order:42:2026-05-01T09:00:00", Topic: "order.updated",
				OrderID: "42", OrderChanged: true}, nil},
		{"order create", delivery("order.created", orderBody, testWebhookSecret, fresh),
			store.Webhook{ID: "order:42:2026-05-01T09:00:00", Topic: "order.created",
				OrderID: "42"}, nil},
		{"order deleted", delivery("order.deleted", `{"id":42}`, testWebhookSecret, fresh),
			store.Webhook{ID: digest("order.deleted", `{"id":42}`), Topic: "order.deleted",
				OrderID: "42", OrderChanged: true}, nil},
		{"customer created", delivery("customer.created", customerHook, testWebhookSecret,
			fresh), store.Webhook{ID: "customer:9:2026-05-01T08:30:00",
			Topic: "customer.created", CustomerID: "9"}, nil},
		{"customer updated", delivery("customer.updated", customerHook, testWebhookSecret,
			fresh), store.Webhook{ID: "customer:9:2026-05-01T08:30:00",
			Topic: "customer.updated", CustomerID: "9"}, nil},
		{"customer without id", delivery("customer.updated", `{"email":"a@b.test"}`,
			testWebhookSecret, fresh), store.Webhook{}, store.ErrMalformed},
		{"ping", unsignedPing, store.Webhook{ID: "ping:12", Topic: "ping", Ping: true}, nil},
		{"product topic", delivery("product.updated", `{"id":7,"date_modified_gmt":`+
			`"2026-05-01T08:00:00"}`, testWebhookSecret, fresh),
			store.Webhook{ID: "product:7:2026-05-01T08:00:00", Topic: "product.updated"}, nil},
		{"missing signature", delivery("order.updated", orderBody, "", fresh),
			store.Webhook{}, store.ErrBadSignature},
		{"wrong signature", wrongSig, store.Webhook{}, store.ErrBadSignature},
		{"signature not base64", badBase64, store.Webhook{}, store.ErrBadSignature},
		{"stale", delivery("order.updated", orderBody, testWebhookSecret,
			fresh.Add(2*time.Hour)), store.Webhook{}, store.ErrStale},
		{"not json", delivery("order.updated", `{"id":`, testWebhookSecret, fresh),
			store.Webhook{}, store.ErrMalformed},
		{"no topic", noTopic, store.Webhook{}, store.ErrMalformed},
		{"order without id", delivery("order.created", `{"number":"1"}`, testWebhookSecret,
			fresh), store.Webhook{}, store.ErrMalformed},
		{"bad date", delivery("order.created", `{"id":4,"date_modified_gmt":"soon"}`,
			testWebhookSecret, fresh), store.Webhook{}, store.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.VerifyWebhook(tt.d)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("VerifyWebhook() = %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestRepeatedDeliveryOfOneStateHasOneID(t *testing.T) {
	s, err := New(Config{URL: "http://shop.example", ConsumerKey: "ck", ConsumerSecret: "cs",
		WebhookSecret: testWebhookSecret}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 1, 9, 0, 30, 0, time.UTC)
	first, err1 := s.VerifyWebhook(delivery("order.updated", orderBody, testWebhookSecret, at))
	again, err2 := s.VerifyWebhook(delivery("order.updated", orderBody, testWebhookSecret,
		at.Add(time.Minute)))
	if err1 != nil || err2 != nil || first.ID != again.ID || first.ID == "" {
		t.Errorf("IDs %q (%v) and %q (%v), want one ID for both deliveries", first.ID, err1,
			again.ID, err2)
	}

	s.secret = nil
	if _, err := s.VerifyWebhook(delivery("order.updated", orderBody, testWebhookSecret,
		at)); !errors.Is(err, store.ErrBadSignature) {
		t.Errorf("VerifyWebhook() without a secret error = %v, want ErrBadSignature", err)
	}
	s.secret = []byte(testWebhookSecret)

	action, err := s.VerifyWebhook(delivery("action.woocommerce_x", `{"action":"x","arg":1}`,
		testWebhookSecret, at))
	if err != nil || action.OrderID != "" || action.ID == "" {
		t.Errorf("action delivery = %+v, %v; want an id and no order", action, err)
	}
}
