package postgres

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/config"
)

// Headers of a signed webhook of the headless storefront. The signature is
// the base64 HMAC-SHA256 of the raw body keyed with the store's webhook
// secret. The topic says what the event is; a delivery without one is an
// order created.
const (
	HeaderSignature = "X-Erpsync-Hmac-Sha256"
	HeaderDelivery  = "X-Erpsync-Delivery-Id"
	HeaderTopic     = "X-Erpsync-Topic"
)

// topicOrderCreated is the topic of a delivery that names none.
const topicOrderCreated = "orders/create"

// subject is what the "id" of a webhook names, by topic.
type subject int

const (
	newOrder      subject = iota // an order just placed
	changedOrder                 // an order that may have been synced: edited, refunded
	customerEvent                // a customer account
)

// topics are the storefront's webhook topics. The id of a refund's
// delivery is its order's.
var topics = map[string]subject{
	topicOrderCreated:  newOrder,
	"orders/updated":   changedOrder,
	"orders/cancelled": changedOrder,
	"orders/edited":    changedOrder,
	"refunds/create":   changedOrder,
	"customers/create": customerEvent,
	"customers/update": customerEvent,
}

// VerifyWebhook checks a webhook of the storefront: a JSON body with the
// "id" of the record the event is about, signed with [Sign] in
// HeaderSignature, its topic in HeaderTopic (orders/create when absent),
// and an optional delivery id in HeaderDelivery. The signature is compared
// in constant time. Order topics set OrderID, and those that report a
// change of an order (orders/updated, orders/cancelled, orders/edited,
// refunds/create) set OrderChanged too; customer topics set CustomerID. An
// unknown topic is malformed. A delivery without a delivery id is known by
// a digest of its body, so that a byte-identical replay is still
// recognised.
func (s *Store) VerifyWebhook(d store.WebhookDelivery) (store.Webhook, error) {
	if reason := store.CheckBodySignature(s.webhookSecret, d.Body,
		HeaderSignature, d.Header.Get(HeaderSignature)); reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrBadSignature, reason)
	}

	topic := cmp.Or(d.Header.Get(HeaderTopic), topicOrderCreated)
	about, ok := topics[topic]
	if !ok {
		return store.Webhook{}, fmt.Errorf("%w: unknown topic %q", store.ErrMalformed,
			truncate(topic, 100))
	}
	id, reason := webhookID(d.Body)
	if reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrMalformed, reason)
	}

	wh := store.Webhook{ID: deliveryID(d.Header.Get(HeaderDelivery), d.Body), Topic: topic}
	switch about {
	case customerEvent:
		wh.CustomerID = id
	default:
		wh.OrderID, wh.OrderChanged = id, about == changedOrder
	}
	return wh, nil
}

// truncate returns s cut to at most n bytes, for quoting what a sender
// wrote.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Sign returns the signature header value for body, as a store computes it.
func Sign(secret string, body []byte) string { return store.SignBody(secret, body) }

// deliveryID returns the delivery id the store sent, or, for stores that
// send none, a digest of the body.
func deliveryID(header string, body []byte) string {
	if header != "" && len(header) <= 200 {
		return header
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// payload is the part of a webhook that the webhook check reads. Stores
// send the record's id as a number or a string; the rest of the record is
// loaded from the store by the sync, so a stale or partial payload cannot
// be synced.
type payload struct {
	ID json.RawMessage `json:"id"`
}

// webhookID returns the record id in body, or the reason it has none.
func webhookID(body []byte) (string, string) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return "", "malformed JSON: " + err.Error()
	}
	if len(p.ID) == 0 || bytes.Equal(p.ID, []byte("null")) {
		return "", `missing field "id"`
	}

	var id string
	if err := json.Unmarshal(p.ID, &id); err != nil {
		var n json.Number
		if err := json.Unmarshal(p.ID, &n); err != nil {
			return "", `field "id" must be a string or an integer`
		}
		id = n.String()
	}
	if !config.ValidName(id) {
		return "", fmt.Sprintf(`field "id": %q is not 1 to 64 letters, digits, - or _`, id)
	}
	return id, ""
}
