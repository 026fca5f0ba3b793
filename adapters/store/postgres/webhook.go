package postgres

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/config"
)

// Headers of a signed webhook of the headless storefront. The signature is
// the base64 HMAC-SHA256 of the raw body keyed with the store's webhook
// secret.
const (
	HeaderSignature = "X-Erpsync-Hmac-Sha256"
	HeaderDelivery  = "X-Erpsync-Delivery-Id"
)

// VerifyWebhook checks an order webhook of the storefront: a JSON body with
// the order's "id", signed with [Sign] in HeaderSignature, and an optional
// delivery id in HeaderDelivery. The signature is compared in constant
// time. A delivery without a delivery id is known by a digest of its body,
// so that a byte-identical replay is still recognised.
func (s *Store) VerifyWebhook(d store.WebhookDelivery) (store.Webhook, error) {
	if reason := store.CheckBodySignature(s.webhookSecret, d.Body,
		HeaderSignature, d.Header.Get(HeaderSignature)); reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrBadSignature, reason)
	}

	orderID, reason := webhookOrderID(d.Body)
	if reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrMalformed, reason)
	}
	return store.Webhook{ID: deliveryID(d.Header.Get(HeaderDelivery), d.Body),
		Topic: "orders", OrderID: orderID}, nil
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

// orderPayload is the part of an order webhook that the webhook check reads. Stores send
// the order id as a number or a string; the rest of the order is loaded from
// the store by the sync, so a stale or partial payload cannot be synced.
type orderPayload struct {
	ID json.RawMessage `json:"id"`
}

// webhookOrderID returns the order id in body, or the reason it has none.
func webhookOrderID(body []byte) (string, string) {
	var p orderPayload
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
