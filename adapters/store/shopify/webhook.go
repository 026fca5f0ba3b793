package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
)

// Headers of Shopify's webhook deliveries.
const (
	headerTopic       = "X-Shopify-Topic"
	headerHmac        = "X-Shopify-Hmac-Sha256"
	headerEventID     = "X-Shopify-Event-Id"
	headerWebhookID   = "X-Shopify-Webhook-Id"
	headerTriggeredAt = "X-Shopify-Triggered-At"
	headerTest        = "X-Shopify-Test"
)

// maxFuture is how far in the future an event may be stamped, for clocks
// that disagree.
const maxFuture = 5 * time.Minute

// maxHeader bounds the ids read from headers.
const maxHeader = 200

// VerifyWebhook checks a delivery as Shopify sends it: the base64
// HMAC-SHA256 of the raw body keyed with the app's client secret in
// X-Shopify-Hmac-Sha256, compared in constant time; the time of the event
// in X-Shopify-Triggered-At, refused as stale when older than the maximum
// age or far in the future. The webhook's id is the topic and
// X-Shopify-Event-Id, which Shopify keeps across the retries of one event
// (X-Shopify-Webhook-Id when the event id is missing). A test notification
// from the shop's admin (X-Shopify-Test: true) is a ping. For order topics
// (orders/...) the order id is the body's "id", for orders/edited its
// order_edit.order_id, and for refunds/create its order_id; cancellations,
// edits and refunds set OrderChanged. For customers/create and
// customers/update the customer id is the body's "id".
func (s *Store) VerifyWebhook(d store.WebhookDelivery) (store.Webhook, error) {
	if reason := store.CheckBodySignature(s.secret, d.Body, headerHmac,
		d.Header.Get(headerHmac)); reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrBadSignature, reason)
	}

	topic := d.Header.Get(headerTopic)
	id, reason := deliveryID(topic, d.Header.Get(headerEventID), d.Header.Get(headerWebhookID))
	if reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrMalformed, reason)
	}
	wh := store.Webhook{ID: id, Topic: topic}
	if strings.EqualFold(d.Header.Get(headerTest), "true") {
		wh.Ping = true
		return wh, nil
	}

	if err := s.fresh(d.Header.Get(headerTriggeredAt), d.Received); err != nil {
		return store.Webhook{}, err
	}
	if err := readSubject(&wh, d.Body); err != nil {
		return store.Webhook{}, err
	}
	return wh, nil
}

// orderChanges are the topics that report a change of an order that may
// have been synced.
var orderChanges = map[string]bool{
	"orders/cancelled": true, "orders/edited": true, "refunds/create": true,
}

// readSubject fills in what wh's topic is about from the body.
func readSubject(wh *store.Webhook, body []byte) error {
	var path []string
	switch {
	case wh.Topic == "orders/edited":
		path = []string{"order_edit", "order_id"}
	case wh.Topic == "refunds/create":
		path = []string{"order_id"}
	case strings.HasPrefix(wh.Topic, "orders/"),
		wh.Topic == "customers/create", wh.Topic == "customers/update":
		path = []string{"id"}
	default:
		return nil
	}

	id, reason := webhookID(body, path)
	if reason != "" {
		return fmt.Errorf("%w: %s", store.ErrMalformed, reason)
	}
	if strings.HasPrefix(wh.Topic, "customers/") {
		wh.CustomerID = id
		return nil
	}
	wh.OrderID, wh.OrderChanged = id, orderChanges[wh.Topic]
	return nil
}

// deliveryID returns the id of a delivery's event, or the reason it has
// none.
func deliveryID(topic, eventID, webhookID string) (string, string) {
	switch {
	case topic == "" || len(topic) > maxHeader:
		return "", "missing or overlong " + headerTopic + " header"
	case eventID != "" && len(eventID) <= maxHeader:
		return topic + ":" + eventID, ""
	case webhookID != "" && len(webhookID) <= maxHeader:
		return topic + ":" + webhookID, ""
	}
	return "", "missing " + headerEventID + " and " + headerWebhookID + " headers"
}

// fresh refuses an event stamped longer ago than the maximum age, or far
// in the future.
func (s *Store) fresh(triggeredAt string, received time.Time) error {
	if triggeredAt == "" {
		return fmt.Errorf("%w: missing %s header", store.ErrMalformed, headerTriggeredAt)
	}
	at, err := time.Parse(time.RFC3339Nano, triggeredAt)
	if err != nil {
		return fmt.Errorf("%w: %s %q is not an RFC 3339 time", store.ErrMalformed,
			headerTriggeredAt, triggeredAt)
	}
	if received.IsZero() {
		received = s.now()
	}
	switch age := received.Sub(at); {
	case age > s.maxAge:
		return fmt.Errorf("%w: event of %s is %s old, more than %s", store.ErrStale,
			at.UTC().Format(time.RFC3339), age.Round(time.Second), s.maxAge)
	case -age > maxFuture:
		return fmt.Errorf("%w: event of %s is %s in the future", store.ErrStale,
			at.UTC().Format(time.RFC3339), (-age).Round(time.Second))
	}
	return nil
}

// webhookID returns the numeric id at path in a webhook's body, such as
// the REST order's "id", or the reason it has none.
func webhookID(body []byte, path []string) (string, string) {
	raw := json.RawMessage(body)
	for _, key := range path {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return "", "malformed JSON: " + err.Error()
		}
		raw = obj[key]
	}
	name := strings.Join(path, ".")
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", fmt.Sprintf("missing field %q", name)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Sprintf("field %q is not a number", name)
	}
	id, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil || id <= 0 {
		return "", fmt.Sprintf("field %q: %s is not a positive integer", name, n)
	}
	return strconv.FormatInt(id, 10), ""
}
