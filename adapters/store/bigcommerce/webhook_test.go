package bigcommerce

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/bigcommerce/bcstoresandbox"
)

// received is when the deliveries under test arrive.
var received = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// callbackBody returns a callback of scope about record id, created age
// before received.
func callbackBody(scope, id string, age time.Duration) string {
	return `{"scope":"` + scope + `","store_id":"1001197568","data":{"type":"order","id":` +
		id + `},"hash":"dd70c0976e06b67aaf671e73f49dcb79230ebf9d","created_at":` +
		strconv.FormatInt(received.Add(-age).Unix(), 10) + `,"producer":"stores/abc123"}`
}

func webhookStore(t *testing.T, clientSecret string) *Store {
	t.Helper()
	s, err := New(Config{StoreHash: testHash, AccessToken: testToken,
		WebhookSecret: testSecret, ClientSecret: clientSecret}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyWebhook(t *testing.T) {
	good := callbackBody("store/order/created", "250", time.Minute)
	tests := []struct {
		name    string
		secret  string
		body    string
		want    error
		orderID string
	}{
		{"good", testSecret, good, nil, "250"},
		{"retried a day later", testSecret, callbackBody("store/order/created", "250",
			24*time.Hour), nil, "250"},
		{"missing secret", "", good, store.ErrBadSignature, ""},
		{"wrong secret", "not-the-secret", good, store.ErrBadSignature, ""},
		{"stale", testSecret, callbackBody("store/order/created", "250", 50*time.Hour),
			store.ErrStale, ""},
		{"from the future", testSecret, callbackBody("store/order/created", "250",
			-time.Hour), store.ErrStale, ""},
		{"not JSON", testSecret, `{"scope":`, store.ErrMalformed, ""},
		{"no order id", testSecret, strings.Replace(good, `"id":250`, `"id":null`, 1),
			store.ErrMalformed, ""},
		{"no hash", testSecret, strings.Replace(good, `"hash":"dd70`, `"hash":"`+
			`not a hash`, 1), store.ErrMalformed, ""},
		{"no data", testSecret, `{"scope":"store/order/created","hash":"ab","created_at":` +
			strconv.FormatInt(received.Unix(), 10) + `}`, store.ErrMalformed, ""},
		{"another store", testSecret, strings.Replace(good, "stores/abc123", "stores/zz9", 1),
			store.ErrMalformed, ""},
		{"transaction", testSecret, `{"scope":"store/order/transaction/created","data":{` +
			`"type":"transaction","order_id":"250"},"hash":"ab","created_at":` +
			strconv.FormatInt(received.Unix(), 10) + `}`, nil, "250"},
		{"not about an order", testSecret, callbackBody("store/product/updated", "77", 0),
			nil, ""},
	}
	s := webhookStore(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.secret != "" {
				h.Set(HeaderSecret, tt.secret)
			}
			wh, err := s.VerifyWebhook(store.WebhookDelivery{Header: h, Body: []byte(tt.body),
				Received: received})
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("VerifyWebhook() error = %v, want %v", err, tt.want)
			}
			if err == nil && (wh.OrderID != tt.orderID || wh.Ping || wh.ID == "" ||
				!strings.HasPrefix(wh.Topic, "store/")) {
				t.Errorf("VerifyWebhook() = %+v, want order %q", wh, tt.orderID)
			}
		})
	}
}

func TestVerifyWebhookGivesARetryTheSameID(t *testing.T) {
	s := webhookStore(t, "")
	h := http.Header{HeaderSecret: {testSecret}}
	first, err1 := s.VerifyWebhook(store.WebhookDelivery{Header: h,
		Body: []byte(callbackBody("store/order/updated", "250", 0)), Received: received})
	retry, err2 := s.VerifyWebhook(store.WebhookDelivery{Header: h,
		Body:     []byte(callbackBody("store/order/updated", "250", 0)),
		Received: received.Add(3 * time.Minute)})
	other, err3 := s.VerifyWebhook(store.WebhookDelivery{Header: h,
		Body: []byte(callbackBody("store/order/created", "250", 0)), Received: received})
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if first.ID != retry.ID || first.ID == other.ID {
		t.Errorf("IDs %q, %q for a retry, %q for another scope; want the retry's equal",
			first.ID, retry.ID, other.ID)
	}
}

func TestVerifyWebhookChecksAStandardWebhooksSignature(t *testing.T) {
	body := []byte(callbackBody("store/order/created", "250", 0))
	ts := strconv.FormatInt(received.Unix(), 10)
	good := bcstoresandbox.Sign([]byte(testClientSecret), "msg_1", ts, body)
	tests := []struct {
		name, ts, sig string
		want          error
	}{
		{"good", ts, good, nil},
		{"one of several", ts, "v1,bm90IGl0 " + good, nil},
		{"wrong", ts, bcstoresandbox.Sign([]byte("other"), "msg_1", ts, body),
			store.ErrBadSignature},
		{"old timestamp", strconv.FormatInt(received.Add(-time.Hour).Unix(), 10),
			bcstoresandbox.Sign([]byte(testClientSecret), "msg_1",
				strconv.FormatInt(received.Add(-time.Hour).Unix(), 10), body), store.ErrStale},
		{"no timestamp", "", good, store.ErrMalformed},
	}
	s := webhookStore(t, testClientSecret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{HeaderSecret: {testSecret}}
			h.Set(headerWebhookID, "msg_1")
			h.Set(headerWebhookTimestamp, tt.ts)
			h.Set(headerWebhookSignature, tt.sig)
			_, err := s.VerifyWebhook(store.WebhookDelivery{Header: h, Body: body,
				Received: received})
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("VerifyWebhook() error = %v, want %v", err, tt.want)
			}
		})
	}

	h := http.Header{HeaderSecret: {testSecret}}
	if _, err := s.VerifyWebhook(store.WebhookDelivery{Header: h, Body: body,
		Received: received}); err != nil {
		t.Errorf("VerifyWebhook(unsigned) error = %v, want the custom header to suffice", err)
	}
}
