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

// PayloadData names the record of a callback: an order, with the change of
// its status or the refund made on it; a shipment, with its order; or a
// customer.
type PayloadData struct {
	Type    string        `json:"type"`
	ID      int64         `json:"id"`
	OrderID int64         `json:"orderId,omitempty"`
	Status  *StatusChange `json:"status,omitempty"`
	Refund  *RefundRef    `json:"refund,omitempty"`
}

// StatusChange is the change of an order's status that a
// store/order/statusUpdated callback reports.
type StatusChange struct {
	PreviousStatusID int `json:"previous_status_id"`
	NewStatusID      int `json:"new_status_id"`
}

// RefundRef names the refund of a store/order/refund/created callback.
type RefundRef struct {
	RefundID int64 `json:"refund_id"`
}

// callback is one callback that an event makes: its scope and record.
type callback struct {
	scope string
	data  PayloadData
}

// deliver sends the callbacks of ev to every active hook of their scopes;
// it runs in the goroutine that changed the model, so it only starts the
// deliveries.
func (h *hooks) deliver(ev storesandbox.Event) {
	for i, cb := range h.s.callbacks(ev) {
		for _, hook := range h.snapshot() {
			if hook.IsActive && hook.matches(cb.scope) {
				h.sender.Send(h.life, ev, hook.Destination, h.build(hook, cb, ev, i))
			}
		}
	}
}

// callbacks returns the callbacks BigCommerce makes for ev: every change of
// an order is an update, and a change of its status a status update; a
// refund and a shipment have callbacks of their own.
func (s *Sandbox) callbacks(ev storesandbox.Event) []callback {
	order := PayloadData{Type: "order", ID: ev.OrderID}
	switch ev.Topic {
	case storesandbox.TopicCustomerCreated:
		return []callback{{ScopeCustomerCreated, PayloadData{Type: "customer",
			ID: ev.CustomerID}}}
	case storesandbox.TopicCustomerUpdated:
		return []callback{{ScopeCustomerUpdated, PayloadData{Type: "customer",
			ID: ev.CustomerID}}}
	case storesandbox.TopicOrderCreated:
		s.statusChange(ev.OrderID)
		return []callback{{ScopeOrderCreated, order}}
	}
	if ev.OrderID == 0 {
		return nil
	}

	o, _ := s.model.Order(ev.OrderID)
	var out []callback
	switch ev.Topic {
	case storesandbox.TopicRefundCreated:
		if n := len(o.Refunds); n > 0 {
			data := order
			data.Refund = &RefundRef{RefundID: o.Refunds[n-1].ID}
			out = append(out, callback{ScopeOrderRefundCreated, data})
		}
	case storesandbox.TopicOrderFulfilled:
		if n := len(o.Fulfillments); n > 0 {
			out = append(out, callback{ScopeShipmentCreated, PayloadData{Type: "shipment",
				ID: o.Fulfillments[n-1].ID, OrderID: o.ID}})
		}
	}
	out = append(out, callback{ScopeOrderUpdated, order})
	if change := s.statusChange(ev.OrderID); change != nil {
		data := order
		data.Status = change
		out = append(out, callback{ScopeOrderStatusUpdated, data})
	}
	return out
}

// statusChange records the order's status and returns how it changed since
// the last time, or nil when it did not.
func (s *Sandbox) statusChange(orderID int64) *StatusChange {
	o, ok := s.model.Order(orderID)
	if !ok {
		return nil
	}
	now := orderStatus(o).id

	s.notes.mu.Lock()
	defer s.notes.mu.Unlock()
	before, known := s.notes.statuses[orderID]
	if !known {
		// An order placed before the sandbox watched the model was placed
		// awaiting fulfillment, as every order of the model is.
		before = statusAwaitingFulfillment
	}
	s.notes.statuses[orderID] = now
	if before == now {
		return nil
	}
	return &StatusChange{PreviousStatusID: before, NewStatusID: now}
}

// payload returns the body of callback cb of ev. Its hash is the same on
// every delivery of the event, as BigCommerce's is.
func (h *hooks) payload(cb callback, ev storesandbox.Event) []byte {
	creds := h.s.creds
	sum := sha1.Sum([]byte(creds.StoreHash + "|" + cb.scope + "|" +
		strconv.FormatInt(cb.data.ID, 10) + "|" + strconv.FormatInt(ev.ID, 10)))
	body, _ := json.Marshal(Payload{Scope: cb.scope, StoreID: creds.StoreID,
		Data: cb.data, Hash: hex.EncodeToString(sum[:]), CreatedAt: ev.At.Unix(),
		Producer: "stores/" + creds.StoreHash})
	return body
}

// build returns how to make each attempt at delivering callback n of ev to
// hook: the same body and message id every time, the hook's custom
// headers, and a Standard Webhooks signature of the attempt's time.
func (h *hooks) build(hook Hook, cb callback, ev storesandbox.Event, n int) storesandbox.Build {
	body := h.payload(cb, ev)
	msgID := "bc_" + strconv.FormatInt(hook.ID, 10) + "_" + strconv.FormatInt(ev.ID, 10)
	if n > 0 {
		msgID += "_" + strconv.Itoa(n)
	}
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
