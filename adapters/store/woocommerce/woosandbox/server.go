// Package woosandbox serves WooCommerce's REST API v3 (/wp-json/wc/v3/) and
// its webhooks from an in-memory [storesandbox.Model], so that the
// WooCommerce adapter and WooCommerce's own client library can be tested
// without a WordPress site.
//
// It answers:
//
//	GET              /wp-json/wc/v3/orders                   list, paged, filtered by dates
//	GET              /wp-json/wc/v3/orders/{id}              one order
//	POST, PUT, PATCH /wp-json/wc/v3/orders/{id}              its status and meta_data
//	GET, POST        /wp-json/wc/v3/orders/{id}/notes        its notes
//	GET              /wp-json/wc/v3/orders/{id}/refunds      its refunds, newest first
//	GET              /wp-json/wc/v3/customers                list, by email
//	GET              /wp-json/wc/v3/customers/{id}           one customer
//	POST, PUT, PATCH /wp-json/wc/v3/customers/{id}           contact, addresses, meta_data
//	GET              /wp-json/wc/v3/products                 list, by sku (comma list)
//	GET              /wp-json/wc/v3/products/{id}            one product
//	POST, PUT, PATCH /wp-json/wc/v3/products/batch           creates; updates: prices, sales,
//	                                                         status, stock
//	POST             /wp-json/wc/v3/webhooks                 subscribe, then ping
//	GET, PUT         /wp-json/wc/v3/webhooks/{id}            read, re-activate
//	GET              /wp-json/wc/v3/data/currencies/current  the store's currency
//	GET              /_sandbox/stats                         requests, faults, deliveries
//
// Requests authenticate as WooCommerce lets an API key: over TLS with HTTP
// basic authentication or the consumer_key and consumer_secret query
// parameters, and over TLS or not with OAuth 1.0a one-legged query
// signing, refused as WooCommerce refuses it (a 15-minute timestamp
// window, nonces used once). Answers and errors have WordPress's shapes and
// WooCommerce's codes, collections carry X-WP-Total, X-WP-TotalPages and
// Link headers, and every API request passes through [erpsandbox.Faults]
// under an operation name such as "orders/get", a rate limit answering 429
// with a Retry-After. Webhooks are delivered as WooCommerce delivers them:
// signed, once, and a webhook whose deliveries keep failing is disabled.
package woosandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// apiPrefix is where WordPress serves WooCommerce's REST API v3.
const apiPrefix = "/wp-json/wc/v3/"

// maxBody bounds the request bodies the sandbox reads.
const maxBody = 4 << 20

// Versions the sandbox reports in its webhooks' User-Agent.
const (
	WooCommerceVersion = "10.3.0"
	WordPressVersion   = "6.8.3"
)

// Permissions of an API key, as WooCommerce names them.
const (
	PermRead      = "read"
	PermWrite     = "write"
	PermReadWrite = "read_write"
)

// Config is the store that a sandbox serves.
type Config struct {
	// ConsumerKey and ConsumerSecret are the one API key the sandbox
	// knows; Permissions is one of PermRead, PermWrite and PermReadWrite
	// (the default).
	ConsumerKey    string
	ConsumerSecret string `json:"-"`
	Permissions    string

	// SiteURL is the site's home URL, as WordPress knows it: the base of
	// OAuth signatures, links and the X-WC-Webhook-Source of deliveries.
	// Empty means the scheme and host of each request.
	SiteURL string

	// Location is the model location whose stock the store sells as each
	// product's stock_quantity: WooCommerce keeps one quantity per product.
	Location string

	// Currency is the store's currency; USD when empty.
	Currency string

	// Now is the clock of OAuth timestamps; the wall clock when nil.
	Now func() time.Time
}

// Sandbox serves one WooCommerce store over a model. It is an
// [http.Handler] and safe for concurrent use.
type Sandbox struct {
	model  *storesandbox.Model
	faults *erpsandbox.Faults
	cfg    Config
	sender *storesandbox.Sender

	requests atomic.Int64

	mu        sync.Mutex
	nonces    map[string]int64 // OAuth nonces used, with their timestamps
	unmanaged map[int64]bool   // products whose stock WooCommerce does not manage
	meta      metaIDs
	items     map[itemKey]int64 // ids of shipping, tax and coupon lines
	lastItem  int64
	webhooks  map[int64]*webhook
	lastHook  int64
	statuses  map[int64]string       // order statuses set other than processing, cancelled
	notes     map[int64][]orderNote  // order notes by order
	sales     map[int64]saleSchedule // scheduled sales by product
}

// New returns a sandbox serving model as the store cfg describes, with
// faults injected by faults (none when nil), and delivering the model's
// order and customer events to the webhooks subscribed.
func New(model *storesandbox.Model, faults *erpsandbox.Faults, cfg Config) *Sandbox {
	if faults == nil {
		// The zero configuration is always valid.
		faults, _ = erpsandbox.NewFaults(erpsandbox.Config{})
	}
	if cfg.Permissions == "" {
		cfg.Permissions = PermReadWrite
	}
	if cfg.Currency == "" {
		cfg.Currency = "USD"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.SiteURL = strings.TrimRight(cfg.SiteURL, "/")

	s := &Sandbox{
		model: model, faults: faults, cfg: cfg,
		nonces: map[string]int64{}, unmanaged: map[int64]bool{},
		meta: metaIDs{}, items: map[itemKey]int64{}, webhooks: map[int64]*webhook{},
		statuses: map[int64]string{}, notes: map[int64][]orderNote{},
		sales: map[int64]saleSchedule{},
	}
	s.sender = newSender(s)
	model.Watch(s.deliver)
	return s
}

// Sender returns the sender of the sandbox's webhook deliveries.
func (s *Sandbox) Sender() *storesandbox.Sender { return s.sender }

// ServeHTTP answers the API, and the sandbox's stats at /_sandbox/stats.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_sandbox/stats" && r.Method == http.MethodGet {
		s.serveStats(w)
		return
	}
	s.requests.Add(1)

	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeError(w, errorf(http.StatusRequestEntityTooLarge, "rest_request_too_large",
			"The request body could not be read."))
		return
	}
	rt, id := match(r.Method, r.URL.Path)
	op := "no_route"
	if rt != nil {
		op = rt.op
	}
	s.faults.ServeLimited(w, r, op, writeRateLimited, func(w http.ResponseWriter) {
		s.serveAPI(w, &request{r: r, body: body, route: rt, id: id, site: s.site(r)})
	})
}

// site returns the home URL that r reaches.
func (s *Sandbox) site(r *http.Request) string {
	if s.cfg.SiteURL != "" {
		return s.cfg.SiteURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// serveStats answers what the sandbox did so far.
func (s *Sandbox) serveStats(w http.ResponseWriter) {
	s.mu.Lock()
	hooks := make([]WebhookStats, 0, len(s.webhooks))
	for _, id := range sortedKeys(s.webhooks) {
		h := s.webhooks[id]
		hooks = append(hooks, WebhookStats{ID: h.id, Topic: h.topic, Status: h.status,
			Failures: h.failures, DeliveryURL: h.deliveryURL})
	}
	s.mu.Unlock()

	writeJSON(w, http.StatusOK, map[string]any{
		"requests":   s.requests.Load(),
		"faults":     s.faults.Injected(),
		"deliveries": s.sender.Stats(),
		"webhooks":   hooks,
	})
}

// wpError is an error answered in WordPress's REST envelope.
type wpError struct {
	status  int
	code    string
	message string
	data    map[string]any // more members of "data"
}

// Error returns the code and the message.
func (e *wpError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, format string, args ...any) *wpError {
	return &wpError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// envelope returns e as WordPress encodes an error.
func (e *wpError) envelope() map[string]any {
	data := map[string]any{"status": e.status}
	for k, v := range e.data {
		data[k] = v
	}
	return map[string]any{"code": e.code, "message": e.message, "data": data}
}

// writeError answers e.
func writeError(w http.ResponseWriter, e *wpError) {
	writeJSON(w, e.status, e.envelope())
}

// writeJSON answers v with status as WordPress's REST server does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"code":"rest_internal_error","message":"The response could not ` +
			`be encoded.","data":{"status":500}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing to do then
}

// writeRateLimited answers a request over the rate limit as hosts in front
// of WooCommerce do: 429 with a Retry-After, and the JSON error that
// WooCommerce's own rate limiting answers.
func writeRateLimited(w http.ResponseWriter, wait time.Duration) {
	seconds := erpsandbox.RetryAfterSeconds(wait)
	w.Header().Set("Retry-After", fmt.Sprint(seconds))
	writeError(w, errorf(http.StatusTooManyRequests, "rate_limit_exceeded",
		"Too many requests. Please wait %d seconds before trying again.", seconds))
}
