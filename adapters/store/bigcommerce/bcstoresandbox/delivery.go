package bcstoresandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// Headers of the Standard Webhooks signature that BigCommerce adds to its
// callbacks, keyed with the app's client secret.
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// Payload is the body of a callback: what happened to which record, with
// no more of the record than its id.
type Payload struct {
	Scope     string      `json:"scope"`
	StoreID   string      `json:"store_id"`
	Data      PayloadData `json:"data"`
	Hash      string      `json:"hash"`
	CreatedAt int64       `json:"created_at"`
	Producer  string      `json:"producer"`
}

// PayloadData names the record of a callback.
type PayloadData struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

// deliver sends ev to every active hook of its scope; it runs in the
// goroutine that changed the model, so it only starts the deliveries.
func (h *hooks) deliver(ev storesandbox.Event) {
	scope, ok := scopes[ev.Topic]
	if !ok {
		return
	}
	for _, hook := range h.snapshot() {
		if hook.IsActive && hook.matches(scope) {
			h.sender.Send(h.life, ev, hook.Destination, h.build(hook, scope, ev))
		}
	}
}

// payload returns the callback body of ev for scope. Its hash is the
// same on every delivery of the event, as BigCommerce's is.
func (h *hooks) payload(scope string, ev storesandbox.Event) []byte {
	creds := h.s.creds
	sum := sha1.Sum([]byte(creds.StoreHash + "|" + scope + "|" +
		strconv.FormatInt(ev.OrderID, 10) + "|" + strconv.FormatInt(ev.ID, 10)))
	body, _ := json.Marshal(Payload{Scope: scope, StoreID: creds.StoreID,
		Data: PayloadData{Type: "order", ID: ev.OrderID}, Hash: hex.EncodeToString(sum[:]),
		CreatedAt: ev.At.Unix(), Producer: "stores/" + creds.StoreHash})
	return body
}

// build returns how to make each attempt at delivering ev to hook: the same
// body and message id every time, the hook's custom headers, and a
// Standard Webhooks signature of the attempt's time.
func (h *hooks) build(hook Hook, scope string, ev storesandbox.Event) storesandbox.Build {
	body := h.payload(scope, ev)
	msgID := "bc_" + strconv.FormatInt(hook.ID, 10) + "_" + strconv.FormatInt(ev.ID, 10)
	return func(ctx context.Context, _ storesandbox.Event, url string, attempt int) (
		*http.Request, error) {
		ctx = context.WithValue(ctx, attemptKey{}, attemptOf{hook: hook.ID,
			last: attempt >= len(h.sender.Schedule)})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url,
			bytes.NewReader(body))
		if err != nil {
			return nil, err
		}

		req.Header.Set("Content-Type", "application/json")
		for k, v := range hook.Headers {
			req.Header.Set(k, v)
		}
		if secret := h.s.creds.ClientSecret; secret != "" {
			ts := strconv.FormatInt(h.s.now().Unix(), 10)
			req.Header.Set(HeaderWebhookID, msgID)
			req.Header.Set(HeaderWebhookTimestamp, ts)
			req.Header.Set(HeaderWebhookSignature, Sign([]byte(secret), msgID, ts, body))
		}
		return req, nil
	}
}

// Sign returns the Standard Webhooks signature of a callback: "v1," and the
// base64 HMAC-SHA256, keyed with key, of the message id, the timestamp and
// the body joined by dots.
func Sign(key []byte, msgID, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID + "." + timestamp + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// attemptKey marks the requests of deliveries with their attemptOf.
type attemptKey struct{}

// attemptOf says which hook a delivery attempt is for, and whether it is
// the last one.
type attemptOf struct {
	hook int64
	last bool
}

// outcomes sends the callbacks, and reports a hook whose last attempt
// failed to gaveUp.
type outcomes struct {
	gaveUp func(hook int64)
}

// RoundTrip sends req and watches for a failed last attempt.
func (o *outcomes) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	a, ok := req.Context().Value(attemptKey{}).(attemptOf)
	failed := err != nil || resp.StatusCode < 200 || resp.StatusCode > 299
	if ok && a.last && failed {
		o.gaveUp(a.hook)
	}
	return resp, err
}
