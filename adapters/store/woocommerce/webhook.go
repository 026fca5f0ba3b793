package woocommerce

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
)

// Headers of a WooCommerce webhook delivery. The signature is the base64
// HMAC-SHA256 of the raw body keyed with the webhook's secret; the
// delivery id differs on every delivery, even of one event.
const (
	HeaderSource     = "X-WC-Webhook-Source"
	HeaderTopic      = "X-WC-Webhook-Topic"
	HeaderResource   = "X-WC-Webhook-Resource"
	HeaderEvent      = "X-WC-Webhook-Event"
	HeaderSignature  = "X-WC-Webhook-Signature"
	HeaderWebhookID  = "X-WC-Webhook-ID"
	HeaderDeliveryID = "X-WC-Webhook-Delivery-ID"
)

// VerifyWebhook checks a delivery as WooCommerce sends it. The unsigned,
// form-encoded "webhook_id=<n>" that WooCommerce posts when a webhook is
// saved is a ping. Any other delivery needs the base64 HMAC-SHA256 of its
// body in X-WC-Webhook-Signature, compared in constant time, and a topic
// in X-WC-Webhook-Topic. The body is the resource: its id and
// date_modified_gmt name the event, since WooCommerce sends one state of a
// resource in every delivery about it (and has no event id), and an order
// modified longer ago than MaxAge before the delivery arrived is stale. An
// order.updated (and order.deleted and order.restored) sets OrderChanged:
// WooCommerce reports cancellations, edits and refunds only that way. A
// customer.created or customer.updated sets CustomerID.
func (s *Store) VerifyWebhook(d store.WebhookDelivery) (store.Webhook, error) {
	sig := d.Header.Get(HeaderSignature)
	if sig == "" {
		if id, ok := pingID(d.Body); ok {
			return store.Webhook{ID: "ping:" + id, Topic: "ping", Ping: true}, nil
		}
		return store.Webhook{}, fmt.Errorf("%w: missing %s header", store.ErrBadSignature,
			HeaderSignature)
	}
	if len(s.secret) == 0 {
		return store.Webhook{}, fmt.Errorf("%w: no webhook secret is configured for the store",
			store.ErrBadSignature)
	}
	if reason := store.CheckBodySignature(string(s.secret), d.Body, HeaderSignature,
		sig); reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrBadSignature, reason)
	}

	topic := d.Header.Get(HeaderTopic)
	resource, _, ok := strings.Cut(topic, ".")
	if !ok || resource == "" {
		return store.Webhook{}, fmt.Errorf("%w: %s %q is not <resource>.<event>",
			store.ErrMalformed, HeaderTopic, topic)
	}
	wh, modified, err := readResource(topic, resource, d.Body)
	if err != nil {
		return store.Webhook{}, fmt.Errorf("%w: %w", store.ErrMalformed, err)
	}

	received := d.Received
	if received.IsZero() {
		received = time.Now()
	}
	if resource == "order" && !modified.IsZero() && received.Sub(modified) > s.maxAge {
		return store.Webhook{}, fmt.Errorf("%w: order %s was modified at %s, more than %s "+
			"before the delivery", store.ErrStale, wh.OrderID, modified.Format(time.RFC3339),
			s.maxAge)
	}
	return wh, nil
}

// Sign returns the X-WC-Webhook-Signature of body, as WooCommerce computes
// it with the webhook's secret.
func Sign(secret string, body []byte) string { return store.SignBody(secret, body) }

// pingID returns the webhook id of a ping body, "webhook_id=<n>".
func pingID(body []byte) (string, bool) {
	form, err := url.ParseQuery(string(bytes.TrimSpace(body)))
	ids := form["webhook_id"]
	if err != nil || len(form) != 1 || len(ids) != 1 {
		return "", false
	}
	if _, err := strconv.ParseUint(ids[0], 10, 64); err != nil {
		return "", false
	}
	return ids[0], true
}

// resourceBody is the part of a delivered resource that the check reads.
type resourceBody struct {
	ID              json.RawMessage `json:"id"`
	DateModifiedGMT *string         `json:"date_modified_gmt"`
}

// readResource reads a delivery's body: the webhook, and the resource's
// modification time when it has one. A resource without one (a deleted
// resource carries only its id; custom action topics carry no resource)
// is known by a digest of the topic and body.
func readResource(topic, resource string, body []byte) (store.Webhook, time.Time, error) {
	var r resourceBody
	if err := json.Unmarshal(body, &r); err != nil {
		return store.Webhook{}, time.Time{}, fmt.Errorf("malformed JSON: %w", err)
	}
	wh := store.Webhook{Topic: topic}

	id, err := resourceID(r.ID)
	if err != nil && (resource == "order" || customerChange(topic)) {
		return store.Webhook{}, time.Time{}, err
	}
	switch {
	case resource == "order":
		wh.OrderID = id
		wh.OrderChanged = orderChange(topic)
	case customerChange(topic):
		wh.CustomerID = id
	}
	modified, err := parseGMT("date_modified_gmt", r.DateModifiedGMT)
	if err != nil {
		return store.Webhook{}, time.Time{}, err
	}

	if id != "" && !modified.IsZero() {
		wh.ID = resource + ":" + id + ":" + modified.Format(gmtLayout)
	} else {
		sum := sha256.Sum256(append([]byte(topic+"\n"), body...))
		wh.ID = "sha256:" + hex.EncodeToString(sum[:])
	}
	return wh, modified, nil
}

// orderChange reports whether an order topic may report a change of an
// order synced already. WooCommerce sends order.updated for every change,
// a cancellation, an edit, a refund, a note of the merchant's; deleting
// and restoring an order move it to and from the trash.
func orderChange(topic string) bool {
	switch topic {
	case "order.updated", "order.deleted", "order.restored":
		return true
	}
	return false
}

// customerChange reports whether a topic reports a customer account
// created or updated.
func customerChange(topic string) bool {
	return topic == "customer.created" || topic == "customer.updated"
}

// resourceID reads a resource's id, a positive integer.
func resourceID(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", errors.New(`missing field "id"`)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", errors.New(`field "id" is not a number`)
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil || v <= 0 {
		return "", fmt.Errorf(`field "id": %s is not a positive whole number`, n)
	}
	return n.String(), nil
}
