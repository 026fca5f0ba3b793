package bigcommerce

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
)

// Headers of the Standard Webhooks signature of a callback.
const (
	headerWebhookID        = "webhook-id"
	headerWebhookTimestamp = "webhook-timestamp"
	headerWebhookSignature = "webhook-signature"
)

// Clock skews tolerated: a callback dated this far ahead is refused, and
// a Standard Webhooks timestamp this far from the reception, as the
// standard's libraries do.
const (
	maxFuture        = 5 * time.Minute
	signatureMaxSkew = 5 * time.Minute
)

// hashPattern is the shape of a callback's event hash.
var hashPattern = regexp.MustCompile(`^[0-9A-Za-z_-]{1,128}$`)

// callback is the body BigCommerce posts: what happened to which record.
type callback struct {
	Scope     string        `json:"scope"`
	Producer  string        `json:"producer"`
	Hash      string        `json:"hash"`
	CreatedAt *json.Number  `json:"created_at"`
	Data      *callbackData `json:"data"`
}

// callbackData names the record. Order events give the order's id in
// "id"; order transaction events in "order_id", order metafield events in
// "resource_id"; shipment events the shipment's id in "id" and its
// order's in "orderId"; customer address events the address's id in "id"
// and its customer's in "address". A status update tells the statuses, a
// refund the refund's id.
type callbackData struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	OrderID    json.RawMessage `json:"order_id"`
	ResourceID json.RawMessage `json:"resource_id"`
	ShipmentOf json.RawMessage `json:"orderId"`
	Status     *struct {
		NewStatusID *int `json:"new_status_id"`
	} `json:"status"`
	Address *struct {
		CustomerID json.RawMessage `json:"customer_id"`
	} `json:"address"`
}

// Scopes whose callbacks VerifyWebhook reads more of than the record.
const (
	scopeOrderPrefix        = "store/order/"
	scopeOrderUpdated       = "store/order/updated"
	scopeOrderStatusUpdated = "store/order/statusUpdated"
	scopeOrderRefundCreated = "store/order/refund/created"
	scopeShipmentPrefix     = "store/shipment/"
	scopeCustomerPrefix     = "store/customer/"
	scopeCustomerAddress    = "store/customer/address/"
)

// VerifyWebhook checks a callback of BigCommerce: the HeaderSecret header
// must hold the store's webhook secret, compared in constant time; when a
// client secret is configured and the callback carries a Standard Webhooks
// signature, it must match the body and be recent. The body must be a
// callback of this store, with a scope, a hash and a creation time no
// older than MaxAge. Webhook.ID is made of the scope, the record's id and
// the event's hash, which BigCommerce keeps on every retry of the event;
// OrderID is the order of a "store/order/..." or "store/shipment/..."
// scope, and CustomerID the customer of a "store/customer/..." scope.
// OrderChanged is set for store/order/updated (any change of an order,
// edits included), store/order/refund/created, and store/order/statusUpdated
// when the new status is Cancelled (5) or not given; other status changes,
// such as those that shipments make, are not changes a synced order must
// follow. BigCommerce sends no ping, so Ping is never set.
func (s *Store) VerifyWebhook(d store.WebhookDelivery) (store.Webhook, error) {
	if reason := s.checkSecret(d.Header.Get(HeaderSecret)); reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrBadSignature, reason)
	}
	received := d.Received
	if received.IsZero() {
		received = s.now()
	}
	if err := s.checkSignature(d, received); err != nil {
		return store.Webhook{}, err
	}

	cb, id, reason := s.parseCallback(d.Body)
	if reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrMalformed, reason)
	}
	wh, reason := classify(cb, id)
	if reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrMalformed, reason)
	}
	if reason := s.checkAge(cb, received); reason != "" {
		return store.Webhook{}, fmt.Errorf("%w: %s", store.ErrStale, reason)
	}
	return wh, nil
}

// classify reads what callback cb, about record id, is about; reason says
// why it cannot.
func classify(cb callback, id string) (wh store.Webhook, reason string) {
	wh = store.Webhook{ID: cb.Scope + "/" + id + "/" + cb.Hash, Topic: cb.Scope}
	switch {
	case strings.HasPrefix(cb.Scope, scopeOrderPrefix):
		wh.OrderID = id
		wh.OrderChanged = orderChanged(cb)
	case strings.HasPrefix(cb.Scope, scopeShipmentPrefix):
		order, ok := recordID(cb.Data.ShipmentOf)
		if !ok {
			return wh, `missing field "data.orderId": the shipment's order`
		}
		wh.OrderID = order
	case strings.HasPrefix(cb.Scope, scopeCustomerAddress):
		var customer string
		ok := cb.Data.Address != nil
		if ok {
			customer, ok = recordID(cb.Data.Address.CustomerID)
		}
		if !ok {
			return wh, `missing field "data.address.customer_id"`
		}
		wh.CustomerID = customer
	case strings.HasPrefix(cb.Scope, scopeCustomerPrefix):
		if id == "" {
			return wh, `missing field "data.id": the customer's id`
		}
		wh.CustomerID = id
	}
	return wh, ""
}

// orderChanged reports whether an order callback tells of a change that a
// synced order must follow.
func orderChanged(cb callback) bool {
	switch cb.Scope {
	case scopeOrderUpdated, scopeOrderRefundCreated:
		return true
	case scopeOrderStatusUpdated:
		st := cb.Data.Status
		return st == nil || st.NewStatusID == nil || *st.NewStatusID == statusCancelled
	}
	return false
}

// checkSecret returns why the secret header is refused, or "".
func (s *Store) checkSecret(got string) string {
	switch {
	case got == "":
		return "missing " + HeaderSecret + " header"
	case subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.WebhookSecret)) != 1:
		return HeaderSecret + " does not hold the store's webhook secret"
	}
	return ""
}

// checkSignature checks the Standard Webhooks signature, when the callback
// has one and the client secret is configured.
func (s *Store) checkSignature(d store.WebhookDelivery, received time.Time) error {
	sigs := d.Header.Get(headerWebhookSignature)
	if sigs == "" || s.cfg.ClientSecret == "" {
		return nil
	}
	msgID, ts := d.Header.Get(headerWebhookID), d.Header.Get(headerWebhookTimestamp)
	unix, err := strconv.ParseInt(ts, 10, 64)
	if msgID == "" || err != nil {
		return fmt.Errorf("%w: %s needs %s and a numeric %s", store.ErrMalformed,
			headerWebhookSignature, headerWebhookID, headerWebhookTimestamp)
	}
	if skew := received.Sub(time.Unix(unix, 0)); skew > signatureMaxSkew ||
		skew < -signatureMaxSkew {
		return fmt.Errorf("%w: %s is %s from the time of reception", store.ErrStale,
			headerWebhookTimestamp, skew.Round(time.Second))
	}

	mac := hmac.New(sha256.New, []byte(s.cfg.ClientSecret))
	mac.Write([]byte(msgID + "." + ts + "."))
	mac.Write(d.Body)
	want := []byte("v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	for _, sig := range strings.Fields(sigs) {
		if hmac.Equal([]byte(sig), want) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s does not match the body", store.ErrBadSignature,
		headerWebhookSignature)
}

// parseCallback reads the body and the id of its record, which for an
// order scope is its order's id; reason says why it cannot.
func (s *Store) parseCallback(body []byte) (cb callback, id, reason string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&cb); err != nil {
		return cb, "", "malformed JSON: " + err.Error()
	}
	switch {
	case strings.TrimSpace(cb.Scope) == "":
		return cb, "", `missing field "scope"`
	case !hashPattern.MatchString(cb.Hash):
		return cb, "", `field "hash" is missing or not an event hash`
	case cb.CreatedAt == nil:
		return cb, "", `missing field "created_at"`
	case cb.Data == nil:
		return cb, "", `missing field "data"`
	case cb.Producer != "" && cb.Producer != "stores/"+s.cfg.StoreHash:
		return cb, "", fmt.Sprintf("producer %q is not this store", cb.Producer)
	}
	if _, err := cb.CreatedAt.Int64(); err != nil {
		return cb, "", `field "created_at" is not a Unix time`
	}

	id, ok := recordID(cb.Data.ID)
	if !strings.HasPrefix(cb.Scope, scopeOrderPrefix) {
		return cb, id, ""
	}
	for _, alt := range []json.RawMessage{cb.Data.OrderID, cb.Data.ResourceID} {
		if !ok {
			id, ok = recordID(alt)
		}
	}
	if !ok {
		return cb, "", `missing field "data.id": the order's id`
	}
	return cb, id, ""
}

// recordID reads a record id given as a positive number or a string of
// digits.
func recordID(raw json.RawMessage) (string, bool) {
	s := string(bytes.Trim(bytes.TrimSpace(raw), `"`))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}

// checkAge returns why a callback created when cb says is too old or too
// far ahead at received, or "".
func (s *Store) checkAge(cb callback, received time.Time) string {
	unix, _ := cb.CreatedAt.Int64() // parseCallback checked it
	created := time.Unix(unix, 0)
	switch age := received.Sub(created); {
	case age > s.cfg.MaxAge:
		return fmt.Sprintf("created %s ago, more than %s", age.Round(time.Second), s.cfg.MaxAge)
	case -age > maxFuture:
		return fmt.Sprintf("created %s ahead of the time of reception", (-age).Round(time.Second))
	}
	return ""
}
