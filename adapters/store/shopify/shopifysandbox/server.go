// Package shopifysandbox serves Shopify's Admin API from an in-memory
// [storesandbox.Model], so that the Shopify adapter and Shopify's own client
// libraries can be tested without a shop.
//
// It answers:
//
//	POST /admin/oauth/access_token               the client credentials grant
//	POST /admin/api/{version}/graphql.json       the Admin GraphQL API
//	GET  /admin/api/{version}/orders.json        the legacy REST orders list
//	GET  /admin/api/{version}/orders/{id}.json   one order, legacy REST
//	     /_sandbox/...                           the admin API of erpsandbox
//
// The GraphQL endpoint parses and validates every document against the
// schema of the part of the Admin API it serves (schema.graphql), with
// variables, aliases and fragments, and answers unknown fields and bad
// arguments with GraphQL errors. It serves the shop, orders with their line
// items, shipping lines, customer, address, metafields, cancellation,
// refunds, fulfillments and one fulfillment order, customers with their
// address and metafields, products and variants (drafts among them),
// inventory levels, locations and webhook subscriptions, and the mutations
// metafieldsSet and metafieldsDelete (of orders and customers; deletion of
// customers' only), inventorySetQuantities (with changeFromQuantity and the
// @idempotent directive that API 2026-04 requires),
// productVariantsBulkUpdate, productSet (a new product of one variant),
// customerUpdate, fulfillmentCreate, orderCancel (a job done at once),
// webhookSubscriptionCreate and webhookSubscriptionDelete, in the shape of
// API 2026-04 and later whatever the version asked for. Every answer
// carries its calculated query cost; a leaky bucket refuses queries that do
// not fit with Shopify's THROTTLED error in an HTTP 200. The REST endpoints
// count calls in a bucket of 40 that leaks 2 a second, report it in
// X-Shopify-Shop-Api-Call-Limit, and answer 429 with Retry-After when it is
// full.
//
// Calls carry the app's fixed access token or one that the client
// credentials grant issued, which lasts a day; others get Shopify's 401.
//
// Subscribed webhooks of orders (created, updated, cancelled, edited,
// fulfilled or partially fulfilled), refunds and customers (created,
// updated) are delivered with Shopify's headers, signed with the app's
// client secret, and retried on Shopify's schedule. Every API request
// passes through [erpsandbox.Faults] under an operation name such as
// "graphql/orders" or "rest/orders"; its rate-limit answer is Shopify's own.
package shopifysandbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// maxBody bounds the request bodies the sandbox reads.
const maxBody = 4 << 20

// invalidToken is Shopify's answer to a missing or wrong access token.
const invalidToken = "[API] Invalid API key or access token (unrecognized login or wrong " +
	"password)"

// Credentials are the shop and the app that the sandbox knows.
type Credentials struct {
	// ShopDomain is the shop's myshopify.com domain, which webhooks name.
	ShopDomain string

	// AccessToken is a fixed Admin API access token the app may call with,
	// as an app made in the shop's admin has; empty for none.
	AccessToken string `json:"-"`

	// ClientID and ClientSecret are the app's credentials: the client
	// credentials grant exchanges them for tokens, and the secret signs
	// webhooks.
	ClientID     string
	ClientSecret string `json:"-"`
}

// An Option adjusts [New].
type Option func(*Sandbox)

// WithClock sets the clock of the cost buckets; the wall clock by default.
func WithClock(now func() time.Time) Option {
	return func(s *Sandbox) { s.now = now }
}

// WithCurrency sets the shop's currency, which prices are in; EUR by
// default.
func WithCurrency(currency string) Option {
	return func(s *Sandbox) { s.currency = currency }
}

// WithCostBucket sets the size and the restore rate per second of the
// bucket of query cost; 2000 and 100 by default, as on the Standard plan.
func WithCostBucket(size, restore float64) Option {
	return func(s *Sandbox) { s.bucketSize, s.restoreRate = size, restore }
}

// WithSender sets the sender that delivers webhooks, so that a caller can
// compress Shopify's retry schedule with its Scale; by default a sender
// with Shopify's schedule, in real time.
func WithSender(sender *storesandbox.Sender) Option {
	return func(s *Sandbox) { s.sender = sender }
}

// A Sandbox is an http.Handler serving Shopify's Admin API over a store
// model. It is safe for concurrent use.
type Sandbox struct {
	model    *storesandbox.Model
	faults   *erpsandbox.Faults
	creds    Credentials
	now      func() time.Time
	currency string
	schema   *ast.Schema
	sender   *storesandbox.Sender
	mux      *http.ServeMux

	bucketSize    float64
	restoreRate   float64
	tokenLifetime time.Duration

	ctx      context.Context
	cancel   context.CancelFunc
	requests atomic.Int64

	mu          sync.Mutex
	bucket      bucket
	rest        restBucket
	ids         int64
	metafields  map[metafieldKey]int64
	types       map[metafieldKey]string
	idempotency map[string]idempotent
	subs        []*subscription
	tokens      map[string]time.Time
	cancelled   cancelTimes
}

// New returns a sandbox serving model through Shopify's Admin API, with
// faults injected by faults (none when nil), accepting creds. The admin API
// of faults is mounted at /_sandbox/. It watches model for webhooks until
// [Sandbox.Close].
func New(model *storesandbox.Model, faults *erpsandbox.Faults, creds Credentials,
	opts ...Option) *Sandbox {
	if faults == nil {
		// The zero configuration is always valid.
		faults, _ = erpsandbox.NewFaults(erpsandbox.Config{})
	}
	s := &Sandbox{
		model: model, faults: faults, creds: creds, now: time.Now, currency: "EUR",
		schema: schema, bucketSize: DefaultBucketSize, restoreRate: DefaultRestoreRate,
		metafields: map[metafieldKey]int64{}, types: map[metafieldKey]string{},
		idempotency: map[string]idempotent{}, tokens: map[string]time.Time{},
		cancelled:     cancelTimes{},
		tokenLifetime: DefaultTokenLifetime,
	}
	for _, opt := range opts {
		opt(s)
	}
	if s.sender == nil {
		s.sender = NewSender()
	}
	s.bucket = newBucket(s.bucketSize, s.restoreRate, s.now())
	s.rest = restBucket{at: s.now()}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	s.mux = http.NewServeMux()
	s.mux.Handle("/_sandbox/", erpsandbox.AdminHandler(nil, faults))
	s.mux.HandleFunc("GET /_sandbox/stats", s.serveStats)
	s.mux.HandleFunc("POST /admin/oauth/access_token", s.serveToken)
	s.mux.HandleFunc("POST /admin/api/{version}/graphql.json", s.serveGraphQL)
	s.mux.HandleFunc("GET /admin/api/{version}/orders.json", s.serveOrders)
	s.mux.HandleFunc("GET /admin/api/{version}/orders/{file}", s.serveOrder)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Not Found"})
	})
	model.Watch(s.deliver)
	return s
}

// ServeHTTP answers one request.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Sender returns the sender that delivers the sandbox's webhooks.
func (s *Sandbox) Sender() *storesandbox.Sender { return s.sender }

// Close stops the webhook deliveries in flight and waits for them.
func (s *Sandbox) Close() {
	s.cancel()
	s.sender.Wait()
}

var versionPattern = regexp.MustCompile(`^(20\d\d-(01|04|07|10)|unstable)$`)

// apiVersion returns the request's API version, or answers 404 as Shopify
// does for a version it does not know and reports false.
func apiVersion(w http.ResponseWriter, r *http.Request) (string, bool) {
	v := r.PathValue("version")
	if !versionPattern.MatchString(v) {
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Not Found"})
		return "", false
	}
	w.Header().Set("X-Shopify-API-Version", v)
	return v, true
}

// authorized checks the access token, or answers 401 as Shopify does and
// reports false.
func (s *Sandbox) authorized(w http.ResponseWriter, r *http.Request) bool {
	if !s.validToken(r.Header.Get("X-Shopify-Access-Token")) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"errors": invalidToken})
		return false
	}
	return true
}

// readBody reads the request body, or answers 400 and reports false.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeJSON(w, http.StatusBadRequest, map[string]string{
			"errors": "The request body is unreadable or too large."})
		return nil, false
	}
	return body, true
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"errors":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing to do then
}

// nextID returns the next id of the sandbox's own records. The caller
// holds s.mu.
func (s *Sandbox) nextID() int64 {
	s.ids++
	return s.ids
}

// op names a request for fault injection.
func op(prefix, name string) string {
	return prefix + "/" + strings.TrimSpace(name)
}

// Stats is what GET /_sandbox/stats reports.
type Stats struct {
	RequestsServed int64                     `json:"requests_served"`
	FaultsInjected map[erpsandbox.Kind]int64 `json:"faults_injected"`
	Subscriptions  int                       `json:"webhook_subscriptions"`
	Webhooks       storesandbox.SenderStats  `json:"webhooks"`
}

func (s *Sandbox) serveStats(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	subs := len(s.subs)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, Stats{RequestsServed: s.requests.Load(),
		FaultsInjected: s.faults.Injected(), Subscriptions: subs, Webhooks: s.sender.Stats()})
}
