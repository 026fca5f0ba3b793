package woosandbox

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// Statuses of a webhook: "disabled" is what WooCommerce sets after more
// than maxFailures deliveries in a row failed.
const (
	StatusActive   = "active"
	StatusPaused   = "paused"
	StatusDisabled = "disabled"
)

// maxFailures is WooCommerce's woocommerce_max_webhook_delivery_failures.
const maxFailures = 5

// pingTimeout is how long the ping of a new webhook may take, WordPress's
// default for a remote request.
const pingTimeout = 5 * time.Second

// userAgent is the User-Agent of WooCommerce's deliveries and pings.
var userAgent = fmt.Sprintf("WooCommerce/%s Hookshot (WordPress/%s)", WooCommerceVersion,
	WordPressVersion)

// webhook is one subscription.
type webhook struct {
	id          int64
	name        string
	status      string
	topic       string
	deliveryURL string
	secret      string
	source      string // the site URL the deliveries name
	failures    int
	created     time.Time
	modified    time.Time
}

// WebhookStats is a webhook as /_sandbox/stats shows it.
type WebhookStats struct {
	ID          int64  `json:"id"`
	Topic       string `json:"topic"`
	Status      string `json:"status"`
	Failures    int    `json:"failure_count"`
	DeliveryURL string `json:"delivery_url"`
}

// WebhookSpec is a webhook to create, as POST /webhooks takes it.
type WebhookSpec struct {
	Name        string `json:"name"`
	Topic       string `json:"topic"`
	DeliveryURL string `json:"delivery_url"`
	Secret      string `json:"secret"`
	Status      string `json:"status"`
}

// webhookJSON is WooCommerce's webhook resource.
type webhookJSON struct {
	ID              int64    `json:"id"`
	Name            string   `json:"name"`
	Status          string   `json:"status"`
	Topic           string   `json:"topic"`
	Resource        string   `json:"resource"`
	Event           string   `json:"event"`
	Hooks           []string `json:"hooks"`
	DeliveryURL     string   `json:"delivery_url"`
	DateCreated     string   `json:"date_created"`
	DateCreatedGMT  string   `json:"date_created_gmt"`
	DateModified    string   `json:"date_modified"`
	DateModifiedGMT string   `json:"date_modified_gmt"`
	Links           links    `json:"_links"`
}

// WooCommerce's topics of the webhooks the sandbox fires.
const (
	TopicOrderCreated    = "order.created"
	TopicOrderUpdated    = "order.updated"
	TopicCustomerCreated = "customer.created"
	TopicCustomerUpdated = "customer.updated"
)

// hooksOf are the WordPress actions behind the topics the sandbox fires.
var hooksOf = map[string][]string{
	TopicOrderCreated:    {"woocommerce_new_order"},
	TopicOrderUpdated:    {"woocommerce_update_order", "woocommerce_order_refunded"},
	TopicCustomerCreated: {"user_register", "woocommerce_created_customer"},
	TopicCustomerUpdated: {"profile_update", "woocommerce_update_customer"},
}

// topicOf returns WooCommerce's topic of a model event: every change of an
// order, a cancellation, an edit, a fulfillment or a refund, saves the
// order and is an order.updated; "" for an event WooCommerce has no topic
// of.
func topicOf(modelTopic string) string {
	switch modelTopic {
	case storesandbox.TopicOrderCreated:
		return TopicOrderCreated
	case storesandbox.TopicOrderUpdated, storesandbox.TopicOrderCancelled,
		storesandbox.TopicOrderEdited, storesandbox.TopicOrderFulfilled,
		storesandbox.TopicRefundCreated:
		return TopicOrderUpdated
	case storesandbox.TopicCustomerCreated:
		return TopicCustomerCreated
	case storesandbox.TopicCustomerUpdated:
		return TopicCustomerUpdated
	}
	return ""
}

// Subscribe creates active webhooks of order.created and order.updated
// that deliver to url, signed with secret, each pinging url as WooCommerce
// does when a webhook is created.
func (s *Sandbox) Subscribe(url, secret string) error {
	return s.subscribe(url, secret, TopicOrderCreated, TopicOrderUpdated)
}

// SubscribeCustomers creates active webhooks of customer.created and
// customer.updated as Subscribe does.
func (s *Sandbox) SubscribeCustomers(url, secret string) error {
	return s.subscribe(url, secret, TopicCustomerCreated, TopicCustomerUpdated)
}

// subscribe creates an active webhook of each topic delivering to url.
func (s *Sandbox) subscribe(url, secret string, topics ...string) error {
	for _, topic := range topics {
		spec := WebhookSpec{Name: "erpsync " + topic, Topic: topic, DeliveryURL: url,
			Secret: secret}
		// No request asks for these webhooks; pingTimeout bounds the ping.
		if _, err := s.CreateWebhook(context.Background(), spec, s.cfg.SiteURL); err != nil {
			return fmt.Errorf("subscribe to %s: %w", topic, err)
		}
	}
	return nil
}

// CreateWebhook creates a webhook as POST /webhooks does, its deliveries
// naming site as their source, pings its delivery URL before it returns,
// and returns its id. A webhook is active unless spec says otherwise;
// without a secret, it gets a random one.
func (s *Sandbox) CreateWebhook(ctx context.Context, spec WebhookSpec, site string) (int64,
	error) {
	out, err := s.createWebhookFor(ctx, spec, site)
	if err != nil {
		return 0, err
	}
	return out.ID, nil
}

// createWebhookFor creates and pings a webhook, and returns it as
// WooCommerce shows it.
func (s *Sandbox) createWebhookFor(ctx context.Context, spec WebhookSpec, site string) (
	webhookJSON, *wpError) {
	now := s.cfg.Now().UTC().Truncate(time.Second)
	if err := checkSpec(&spec, now); err != nil {
		return webhookJSON{}, err
	}

	s.mu.Lock()
	s.lastHook++
	h := &webhook{id: s.lastHook, name: spec.Name, status: spec.Status, topic: spec.Topic,
		deliveryURL: spec.DeliveryURL, secret: spec.Secret, source: site, created: now,
		modified: now}
	s.webhooks[h.id] = h
	out := h.resource(site)
	s.mu.Unlock()

	s.ping(ctx, h.id, spec.DeliveryURL)
	return out, nil
}

// checkSpec fills the defaults of spec and checks it as WooCommerce does.
func checkSpec(spec *WebhookSpec, now time.Time) *wpError {
	if !validTopic(spec.Topic) {
		return errorf(http.StatusBadRequest, "woocommerce_rest_shop_webhook_invalid_topic",
			"Webhook topic is required and must be valid.")
	}
	u, err := url.Parse(spec.DeliveryURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errorf(http.StatusBadRequest,
			"woocommerce_rest_shop_webhook_invalid_delivery_url",
			"Webhook delivery URL must be a valid URL starting with http:// or https://.")
	}
	switch spec.Status {
	case "":
		spec.Status = StatusActive
	case StatusActive, StatusPaused, StatusDisabled:
	default:
		p := newParams(nil)
		p.fail("status", "rest_not_in_enum", "status is not one of %s.",
			listing([]string{StatusActive, StatusPaused, StatusDisabled}))
		return p.err()
	}
	if spec.Name == "" {
		spec.Name = "Webhook created on " + now.Format("January 2, 2006 @ 3:04 PM")
	}
	if spec.Secret == "" {
		spec.Secret = randomHex(25)
	}
	return nil
}

// validTopic reports whether topic is one WooCommerce knows:
// <resource>.<event> of its resources, or action.<hook>.
func validTopic(topic string) bool {
	resource, event, ok := strings.Cut(strings.ToLower(topic), ".")
	if !ok || event == "" {
		return false
	}
	events := map[string][]string{
		"coupon":   {"created", "updated", "deleted", "restored"},
		"customer": {"created", "updated", "deleted"},
		"order":    {"created", "updated", "deleted", "restored"},
		"product":  {"created", "updated", "deleted", "restored"},
	}
	if resource == "action" {
		return true
	}
	for _, e := range events[resource] {
		if e == event {
			return true
		}
	}
	return false
}

// resource returns h as WooCommerce shows it. The caller holds s.mu.
func (h *webhook) resource(site string) webhookJSON {
	resource, event, _ := strings.Cut(h.topic, ".")
	hooks := hooksOf[h.topic]
	if hooks == nil {
		hooks = []string{}
	}
	created, modified := h.created.Format(dateLayout), h.modified.Format(dateLayout)
	return webhookJSON{ID: h.id, Name: h.name, Status: h.status, Topic: h.topic,
		Resource: resource, Event: event, Hooks: hooks, DeliveryURL: h.deliveryURL,
		DateCreated: created, DateCreatedGMT: created, DateModified: modified,
		DateModifiedGMT: modified, Links: itemLinks(site, "webhooks", h.id)}
}

// ping posts the form-encoded "webhook_id=<id>", unsigned, to url, as
// WooCommerce does once a webhook is saved. Its answer changes nothing.
func (s *Sandbox) ping(ctx context.Context, id int64, url string) {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()

	body := "webhook_id=" + strconv.FormatInt(id, 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
}

// createWebhook answers POST /webhooks.
func (s *Sandbox) createWebhook(w http.ResponseWriter, q *request) {
	var spec WebhookSpec
	if err := decodeBody(q, &spec); err != nil {
		writeError(w, err)
		return
	}
	out, err := s.createWebhookFor(q.r.Context(), spec, q.site)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", out.Links.Self[0].Href)
	writeJSON(w, http.StatusCreated, out)
}

func (s *Sandbox) webhookExists(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhooks[id] != nil
}

// getWebhook answers GET /webhooks/{id}.
func (s *Sandbox) getWebhook(w http.ResponseWriter, q *request) {
	s.mu.Lock()
	h := s.webhooks[q.id]
	var out webhookJSON
	if h != nil {
		out = h.resource(q.site)
	}
	s.mu.Unlock()

	if h == nil {
		writeError(w, errorf(http.StatusNotFound, "woocommerce_rest_shop_webhook_invalid_id",
			"Invalid ID."))
		return
	}
	writeJSON(w, http.StatusOK, fieldsOf(q, out))
}

// updateWebhook answers PUT /webhooks/{id}: its status, delivery URL,
// secret and name. Setting it active again clears its count of failures.
func (s *Sandbox) updateWebhook(w http.ResponseWriter, q *request) {
	var spec WebhookSpec
	if err := decodeBody(q, &spec); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.webhooks[q.id]
	if h == nil {
		writeError(w, errorf(http.StatusBadRequest, "woocommerce_rest_shop_webhook_invalid_id",
			"ID is invalid."))
		return
	}

	check := WebhookSpec{Topic: cmp.Or(spec.Topic, h.topic),
		DeliveryURL: cmp.Or(spec.DeliveryURL, h.deliveryURL),
		Status:      cmp.Or(spec.Status, h.status), Name: cmp.Or(spec.Name, h.name),
		Secret: cmp.Or(spec.Secret, h.secret)}
	now := s.cfg.Now().UTC().Truncate(time.Second)
	if err := checkSpec(&check, now); err != nil {
		writeError(w, err)
		return
	}

	if check.Status == StatusActive && h.status != StatusActive {
		h.failures = 0
	}
	h.topic, h.deliveryURL, h.status = check.Topic, check.DeliveryURL, check.Status
	h.name, h.secret, h.modified = check.Name, check.Secret, now
	writeJSON(w, http.StatusOK, h.resource(q.site))
}

// Webhooks returns the status and the failures in a row of each webhook,
// by id.
func (s *Sandbox) Webhooks() map[int64]WebhookStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int64]WebhookStats{}
	for id, h := range s.webhooks {
		out[id] = WebhookStats{ID: id, Topic: h.topic, Status: h.status, Failures: h.failures,
			DeliveryURL: h.deliveryURL}
	}
	return out
}

// deliver sends ev to every active webhook of its WooCommerce topic. It
// runs in the goroutine that changed the model, and only starts the
// deliveries.
func (s *Sandbox) deliver(ev storesandbox.Event) {
	topic := topicOf(ev.Topic)
	s.mu.Lock()
	var targets []*webhook
	for _, id := range sortedKeys(s.webhooks) {
		if h := s.webhooks[id]; h.status == StatusActive && topic != "" && h.topic == topic {
			targets = append(targets, h)
		}
	}
	s.mu.Unlock()

	for _, h := range targets {
		// A delivery outlives the request that changed the model, as
		// WooCommerce's, queued in Action Scheduler, does; the sender's
		// client bounds it.
		s.sender.Send(context.Background(), ev, h.deliveryURL, s.build(h.id))
	}
}

// build returns how to make the delivery of an event to webhook id: the
// order or customer as it is when the delivery is made, as WooCommerce
// builds its payload when the queued delivery runs, signed with the
// webhook's secret.
func (s *Sandbox) build(id int64) storesandbox.Build {
	return func(ctx context.Context, ev storesandbox.Event, url string, _ int) (*http.Request,
		error) {
		s.mu.Lock()
		h := *s.webhooks[id]
		s.mu.Unlock()
		payload, err := s.payload(ev, h.source)
		if err != nil {
			return nil, err
		}

		body, err := json.Marshal(payload)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		resource, event, _ := strings.Cut(h.topic, ".")
		for k, v := range map[string]string{
			"Content-Type":             "application/json",
			"User-Agent":               userAgent,
			"X-WC-Webhook-Source":      h.source + "/",
			"X-WC-Webhook-Topic":       h.topic,
			"X-WC-Webhook-Resource":    resource,
			"X-WC-Webhook-Event":       event,
			"X-WC-Webhook-Signature":   store.SignBody(h.secret, body),
			"X-WC-Webhook-ID":          strconv.FormatInt(h.id, 10),
			"X-WC-Webhook-Delivery-ID": randomHex(16),
		} {
			req.Header.Set(k, v)
		}
		return req, nil
	}
}

// payload returns the resource an event is about, as WooCommerce shows it.
func (s *Sandbox) payload(ev storesandbox.Event, site string) (any, error) {
	if ev.CustomerID != 0 {
		a, ok := s.model.Account(ev.CustomerID)
		if !ok {
			return nil, fmt.Errorf("customer %d of event %d is gone", ev.CustomerID, ev.ID)
		}
		return s.renderCustomer(a, site), nil
	}
	o, ok := s.model.Order(ev.OrderID)
	if !ok {
		return nil, fmt.Errorf("order %d of event %d is gone", ev.OrderID, ev.ID)
	}
	return s.renderOrder(o, site), nil
}

// randomHex returns n random bytes in hexadecimal.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// newSender returns the sender of s's deliveries: one attempt each, as
// WooCommerce retries none, a 60-second timeout, no redirect followed, and
// a 2xx, 301 or 302 counting as delivered. Its transport tells s how each
// delivery went.
func newSender(s *Sandbox) *storesandbox.Sender {
	return &storesandbox.Sender{
		Client: &http.Client{
			Timeout:       time.Minute,
			Transport:     &outcomes{base: http.DefaultTransport, record: s.recordDelivery},
			CheckRedirect: keepRedirect,
		},
		Accepted: delivered,
	}
}

// keepRedirect answers a delivery with the redirect itself: WooCommerce
// follows none.
func keepRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// delivered reports whether WooCommerce counts an answer as delivered.
func delivered(status int) bool { return status >= 200 && status < 303 }

// outcomes reports the answer to each delivery it sends, 0 for none.
type outcomes struct {
	base   http.RoundTripper
	record func(webhookID string, status int)
}

// RoundTrip sends req and records how it went.
func (o *outcomes) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := o.base.RoundTrip(req)
	status := 0
	if err == nil {
		status = resp.StatusCode
	}
	o.record(req.Header.Get("X-WC-Webhook-ID"), status)
	return resp, err
}

// recordDelivery counts a delivery's outcome as WooCommerce does: a success
// clears the webhook's failures, a failure adds one, and a failure after
// more than maxFailures in a row disables the webhook.
func (s *Sandbox) recordDelivery(webhookID string, status int) {
	id, _ := strconv.ParseInt(webhookID, 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.webhooks[id]
	switch {
	case h == nil:
	case delivered(status):
		h.failures = 0
	case h.failures > maxFailures:
		h.status = StatusDisabled
	default:
		h.failures++
	}
}
