package shopifysandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// Schedule is Shopify's retry schedule of a failed webhook delivery: eight
// retries over four hours, with exponential backoff.
var Schedule = []time.Duration{
	time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
	15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
}

// deliveryTimeout is how long Shopify waits for a webhook's answer.
const deliveryTimeout = 5 * time.Second

// Headers of a webhook delivery.
const (
	HeaderTopic       = "X-Shopify-Topic"
	HeaderHmac        = "X-Shopify-Hmac-Sha256"
	HeaderShopDomain  = "X-Shopify-Shop-Domain"
	HeaderAPIVersion  = "X-Shopify-API-Version"
	HeaderWebhookID   = "X-Shopify-Webhook-Id"
	HeaderEventID     = "X-Shopify-Event-Id"
	HeaderTriggeredAt = "X-Shopify-Triggered-At"
)

// NewSender returns a sender with Shopify's retry schedule and timeout, in
// real time; set its Scale to compress the schedule.
func NewSender() *storesandbox.Sender {
	return &storesandbox.Sender{Client: &http.Client{Timeout: deliveryTimeout},
		Schedule: Schedule}
}

// Sign returns the X-Shopify-Hmac-Sha256 value of body: the base64
// HMAC-SHA256 of the raw body keyed with the app's client secret.
func Sign(secret string, body []byte) string { return store.SignBody(secret, body) }

// Webhook topics, as GraphQL names them and as deliveries do.
var topicNames = map[string]string{
	"ORDERS_CREATE":              "orders/create",
	"ORDERS_UPDATED":             "orders/updated",
	"ORDERS_CANCELLED":           "orders/cancelled",
	"ORDERS_EDITED":              "orders/edited",
	"ORDERS_FULFILLED":           "orders/fulfilled",
	"ORDERS_PARTIALLY_FULFILLED": "orders/partially_fulfilled",
	"REFUNDS_CREATE":             "refunds/create",
	"CUSTOMERS_CREATE":           "customers/create",
	"CUSTOMERS_UPDATE":           "customers/update",
}

// modelTopics maps the model's events to webhook topics. Shopify reports a
// change of an order under its own topic and as an update too; a
// fulfillment's own topic depends on what is left to ship.
var modelTopics = map[string][]string{
	storesandbox.TopicOrderCreated:    {"ORDERS_CREATE"},
	storesandbox.TopicOrderUpdated:    {"ORDERS_UPDATED"},
	storesandbox.TopicOrderCancelled:  {"ORDERS_CANCELLED", "ORDERS_UPDATED"},
	storesandbox.TopicOrderEdited:     {"ORDERS_EDITED", "ORDERS_UPDATED"},
	storesandbox.TopicRefundCreated:   {"REFUNDS_CREATE", "ORDERS_UPDATED"},
	storesandbox.TopicOrderFulfilled:  {"ORDERS_FULFILLED", "ORDERS_UPDATED"},
	storesandbox.TopicCustomerCreated: {"CUSTOMERS_CREATE"},
	storesandbox.TopicCustomerUpdated: {"CUSTOMERS_UPDATE"},
}

// A subscription delivers one topic's webhooks to one address.
type subscription struct {
	id      int64
	topic   string
	uri     string
	version string
	created time.Time
}

// Subscribe makes the sandbox deliver the webhooks of topic (a
// WebhookSubscriptionTopic such as "ORDERS_CREATE") to uri, as
// webhookSubscriptionCreate does, with the payloads of API version. It
// returns the subscription's global id.
func (s *Sandbox) Subscribe(topic, uri, version string) (string, error) {
	sub, field, msg := s.addSubscription(topic, uri, version)
	if msg != "" {
		return "", fmt.Errorf("subscribe %s to %s: %s: %s", uri, topic, field, msg)
	}
	return gid(typeWebhookSubscription, sub.id), nil
}

// Subscriptions lists the subscriptions as "TOPIC uri", in the order they
// were made.
func (s *Sandbox) Subscriptions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.subs))
	for i, sub := range s.subs {
		out[i] = sub.topic + " " + sub.uri
	}
	return out
}

// addSubscription checks and stores a subscription; on refusal it returns
// the input field at fault and the message.
func (s *Sandbox) addSubscription(topic, uri, version string) (*subscription, string,
	string) {
	if _, ok := topicNames[topic]; !ok {
		return nil, "topic", "Topic is not delivered by the sandbox."
	}
	u, err := url.Parse(uri)
	switch {
	case uri == "":
		return nil, "callbackUrl", "Address can't be blank"
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return nil, "callbackUrl", "Address is invalid"
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sub := range s.subs {
		if sub.topic == topic && sub.uri == uri {
			return nil, "callbackUrl", "Address for this topic has already been taken"
		}
	}
	sub := &subscription{id: s.nextID(), topic: topic, uri: uri, version: version,
		created: s.now()}
	s.subs = append(s.subs, sub)
	return sub, "", ""
}

// createSubscription answers webhookSubscriptionCreate.
func (s *Sandbox) createSubscription(c call, version string) (any, error) {
	topic, _ := toString(c.args["topic"])
	in, _ := c.args["webhookSubscription"].(map[string]any)
	uri, _ := toString(in["uri"])
	if uri == "" {
		uri, _ = toString(in["callbackUrl"])
	}
	if format, _ := toString(in["format"]); format == "XML" {
		return subscriptionPayload(nil, userError("UserError", "",
			"XML payloads are not served by the sandbox", "webhookSubscription", "format")), nil
	}

	sub, field, msg := s.addSubscription(topic, uri, version)
	if msg != "" {
		return subscriptionPayload(nil, userError("UserError", "", msg,
			"webhookSubscription", field)), nil
	}
	return subscriptionPayload(sub), nil
}

func subscriptionPayload(sub *subscription, errs ...obj) obj {
	fields := map[string]any{"webhookSubscription": nil, "userErrors": errs}
	if sub != nil {
		fields["webhookSubscription"] = subscriptionObj(sub)
	}
	if errs == nil {
		fields["userErrors"] = []obj{}
	}
	return obj{typename: "WebhookSubscriptionCreatePayload", fields: fields}
}

// deleteSubscription answers webhookSubscriptionDelete.
func (s *Sandbox) deleteSubscription(c call) (any, error) {
	id, _ := toString(c.args["id"])
	n, _ := parseGID(id, typeWebhookSubscription)

	s.mu.Lock()
	i := slices.IndexFunc(s.subs, func(sub *subscription) bool { return sub.id == n })
	if i >= 0 {
		s.subs = slices.Delete(s.subs, i, i+1)
	}
	s.mu.Unlock()

	fields := map[string]any{"deletedWebhookSubscriptionId": id, "userErrors": []obj{}}
	if i < 0 {
		fields["deletedWebhookSubscriptionId"] = nil
		fields["userErrors"] = []obj{userError("UserError", "",
			"Webhook subscription does not exist", "id")}
	}
	return obj{typename: "WebhookSubscriptionDeletePayload", fields: fields}, nil
}

// resolveSubscriptions answers webhookSubscriptions(first:, after:,
// topics:, uri:, callbackUrl:).
func (s *Sandbox) resolveSubscriptions(c call) (any, error) {
	topics, _ := c.args["topics"].([]any)
	uri, _ := toString(c.args["uri"])
	if uri == "" {
		uri, _ = toString(c.args["callbackUrl"])
	}

	s.mu.Lock()
	var entries []entry
	for _, sub := range s.subs {
		if (len(topics) == 0 || slices.Contains(topics, any(sub.topic))) &&
			(uri == "" || uri == sub.uri) {
			entries = append(entries, entry{key: cursorKey{ID: sub.id,
				Value: numberKey(sub.id)}, node: subscriptionObj(sub)})
		}
	}
	s.mu.Unlock()
	return paginate(typeWebhookSubscription, entries, c.args)
}

func subscriptionObj(sub *subscription) obj {
	at := apiTime(sub.created)
	return obj{typename: typeWebhookSubscription, fields: map[string]any{
		"id": gid(typeWebhookSubscription, sub.id), "topic": sub.topic, "uri": sub.uri,
		"format": "JSON", "includeFields": []string{}, "metafieldNamespaces": []string{},
		"apiVersion": obj{typename: "ApiVersion", fields: map[string]any{
			"handle": sub.version, "displayName": sub.version, "supported": true}},
		"endpoint": obj{typename: "WebhookHttpEndpoint", fields: map[string]any{
			"callbackUrl": sub.uri}},
		"createdAt": at, "updatedAt": at,
	}}
}

// deliver sends the webhooks of a model event to the subscriptions of its
// topics. The body is the record as it is now, in the REST Admin API's
// shape, and every retry carries it unchanged; the deliveries of one event
// share its event id.
func (s *Sandbox) deliver(ev storesandbox.Event) {
	if ev.Topic == storesandbox.TopicOrderCancelled {
		s.noteCancel(ev)
	}
	eventID := newUUID()
	for _, topic := range modelTopics[ev.Topic] {
		if ev.Topic == storesandbox.TopicOrderFulfilled && topic == "ORDERS_FULFILLED" {
			topic = s.fulfilledTopic(ev.OrderID)
		}
		subs := s.subscribed(topic)
		if len(subs) == 0 {
			continue
		}
		payload, ok := s.payload(ev, topic)
		if !ok {
			continue
		}
		body, err := json.Marshal(payload)
		if err != nil {
			continue // the model's records always encode
		}
		for _, sub := range subs {
			d := delivery{topic: topicNames[topic], body: body, eventID: eventID,
				webhookID: newUUID(), at: ev.At, version: sub.version,
				shop: s.creds.ShopDomain, signature: Sign(s.creds.ClientSecret, body)}
			s.sender.Send(s.ctx, ev, sub.uri, d.build)
		}
	}
}

// subscribed returns the subscriptions of topic.
func (s *Sandbox) subscribed(topic string) []subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	var subs []subscription
	for _, sub := range s.subs {
		if sub.topic == topic {
			subs = append(subs, *sub)
		}
	}
	return subs
}

// fulfilledTopic is the topic of a fulfillment of an order: whether it
// shipped everything, or part of the order.
func (s *Sandbox) fulfilledTopic(orderID int64) string {
	o, _ := s.model.Order(orderID)
	if displayFulfillmentStatus(o) == "FULFILLED" {
		return "ORDERS_FULFILLED"
	}
	return "ORDERS_PARTIALLY_FULFILLED"
}

// payload is the body of topic's webhook of ev, and whether the record is
// there to send.
func (s *Sandbox) payload(ev storesandbox.Event, topic string) (any, bool) {
	if ev.CustomerID != 0 {
		a, ok := s.model.Account(ev.CustomerID)
		return restAccount(a), ok
	}
	o, ok := s.model.Order(ev.OrderID)
	if !ok {
		return nil, false
	}
	switch topic {
	case "REFUNDS_CREATE":
		if len(o.Refunds) == 0 {
			return nil, false
		}
		return restRefund(o, o.Refunds[len(o.Refunds)-1]), true
	case "ORDERS_EDITED":
		return map[string]any{"order_edit": map[string]any{
			"id": ev.ID, "app_id": nil, "created_at": restTime(ev.At),
			"notify_customer": false, "order_id": o.ID, "staff_note": "", "user_id": nil,
			"line_items": map[string]any{"additions": []any{}, "removals": []any{}},
		}}, true
	}
	return s.restOrder(o), true
}

// restRefund is a refund as the REST Admin API and webhooks give it.
func restRefund(o storesandbox.Order, r storesandbox.Refund) map[string]any {
	lines := make([]map[string]any, len(r.Lines))
	for i, l := range r.Lines {
		lines[i] = map[string]any{
			"id": r.ID*1000 + int64(i) + 1, "line_item_id": l.LineID, "quantity": l.Quantity,
			"restock_type": "no_restock", "subtotal": money.Decimal(l.AmountMinor, o.Currency),
			"subtotal_set": restMoney(l.AmountMinor, o.Currency),
			"line_item":    map[string]any{"id": l.LineID, "sku": l.SKU},
		}
	}
	return map[string]any{
		"id": r.ID, "admin_graphql_api_id": gid(typeRefund, r.ID), "order_id": o.ID,
		"created_at": restTime(r.Created), "processed_at": restTime(r.Created),
		"note": nullable(r.Reason), "restock": false, "refund_line_items": lines,
		"transactions": []any{}, "order_adjustments": []any{},
	}
}

// delivery is one event's webhook to one subscription: every attempt of
// it carries the same body and headers.
type delivery struct {
	topic, eventID, webhookID, version, shop, signature string
	body                                                []byte
	at                                                  time.Time
}

// build makes the request of one attempt.
func (d delivery) build(ctx context.Context, _ storesandbox.Event, uri string,
	_ int) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, bytes.NewReader(d.body))
	if err != nil {
		return nil, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Shopify-Captain-Hook")
	h.Set(HeaderTopic, d.topic)
	h.Set(HeaderHmac, d.signature)
	h.Set(HeaderShopDomain, d.shop)
	h.Set(HeaderAPIVersion, d.version)
	h.Set(HeaderWebhookID, d.webhookID)
	h.Set(HeaderEventID, d.eventID)
	h.Set(HeaderTriggeredAt, d.at.UTC().Format(time.RFC3339Nano))
	return req, nil
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
