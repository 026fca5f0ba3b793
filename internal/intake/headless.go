package intake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/erpsync/erpsync/adapters/store"
)

// Headers of a signed webhook of the headless storefront. The signature is
// the base64 HMAC-SHA256 of the raw body keyed with the store's webhook
// secret.
const (
	HeaderSignature = "X-Erpsync-Hmac-Sha256"
	HeaderDelivery  = "X-Erpsync-Delivery-Id"
)

// Headless verifies the order webhooks of a custom storefront: a JSON body
// with the order's "id", signed with [Sign], and an optional delivery id.
type Headless struct {
	Secret string
}

// VerifyWebhook checks the signature in constant time and reads the order
// id. A delivery without a delivery id is known by a digest of its body, so
// that a byte-identical replay is still recognised.
func (h Headless) VerifyWebhook(d store.WebhookDelivery) (store.Webhook, error) {
	if reason := verify(h.Secret, d.Body, d.Header.Get(HeaderSignature)); reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrBadSignature, reason)
	}

	orderID, reason := parseOrderID(d.Body)
	if reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrMalformed, reason)
	}
	return store.Webhook{ID: deliveryID(d.Header.Get(HeaderDelivery), d.Body),
		Topic: "orders", OrderID: orderID}, nil
}

// verify checks the base64 HMAC-SHA256 signature of body in constant time.
// It returns the reason for refusing, or "" when the signature is good.
func verify(secret string, body []byte, signature string) string {
	if signature == "" {
		return "missing " + HeaderSignature + " header"
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return HeaderSignature + " is not base64"
	}

	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return "signature does not match the body"
	}
	return ""
}

// Sign returns the signature header value for body, as a store computes it.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// deliveryID returns the delivery id the store sent, or, for stores that
// send none, a digest of the body.
func deliveryID(header string, body []byte) string {
	if header != "" && len(header) <= 200 {
		return header
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}
