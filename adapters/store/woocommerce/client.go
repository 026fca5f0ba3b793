// Package woocommerce is the WooCommerce adapter of erpsync: it implements
// [store.Store] over WooCommerce's REST API v3 (/wp-json/wc/v3/).
//
// It authenticates as WooCommerce expects of an API key: over HTTPS with
// HTTP basic authentication (consumer key and secret), over plain HTTP by
// signing each request's query with OAuth 1.0a one-legged (HMAC-SHA256, a
// fresh nonce and timestamp on every attempt, so a retry is signed again).
// Orders are read from /orders with their refunds and notes, the ERP id is
// kept in the order's meta entry erp_sales_order_id and the shipments
// erpsync records in _erpsync_shipments (WooCommerce has no shipment of
// its own), a cancellation sets the order's status with a note giving the
// reason, customers and their terms (erpsync_ meta entries) are read and
// written at /customers, drafts, stock and prices go out through
// /products/batch, and webhooks are checked against the base64
// HMAC-SHA256 that WooCommerce puts in X-WC-Webhook-Signature. Vendor
// errors are translated into the [syncerr] vocabulary where the HTTP
// exchange ends.
//
// [syncerr]: github.com/erpsync/erpsync/internal/syncerr
package woocommerce

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
)

// system names WooCommerce in errors and logs.
const system = "woocommerce"

// apiPath is where WooCommerce serves its REST API v3 under the site URL.
const apiPath = "/wp-json/wc/v3/"

// MetaKeyERPID is the order meta key that holds the ERP's sales order id.
const MetaKeyERPID = "erp_sales_order_id"

// DefaultMaxAge is how old an order webhook may be before VerifyWebhook
// calls it stale. WooCommerce delivers through Action Scheduler, which runs
// on WP-Cron and can lag by hours on a quiet site; an order changed longer
// ago than this is left to ChangedOrders.
const DefaultMaxAge = 24 * time.Hour

// defaultTimeout bounds one HTTP request when New is given no client.
const defaultTimeout = 30 * time.Second

// Log field keys.
const (
	fieldPlatform = "platform"
	fieldCount    = "count"
	fieldRefused  = "refused"
)

// Config is how to reach one WooCommerce store.
type Config struct {
	// URL is the site URL, the part before /wp-json, such as
	// "https://shop.example.com". Over https the adapter authenticates with
	// HTTP basic authentication, over http with OAuth 1.0a query signing.
	URL string `json:"url"`

	// ConsumerKey and ConsumerSecret are the REST API key (ck_…, cs_…) with
	// read and write permissions.
	ConsumerKey    string `json:"consumer_key"`
	ConsumerSecret string `json:"-"`

	// WebhookSecret is the secret of the store's order webhooks. Without
	// it, which a worker that verifies none may do, VerifyWebhook refuses
	// every signed delivery.
	WebhookSecret string `json:"-"`

	// Location is the erpsync stock location whose levels the store sells:
	// WooCommerce keeps one stock quantity per product. SetStock refuses
	// every level while it is empty.
	Location string `json:"location,omitempty"`

	// MaxAge is how old an order webhook may be; DefaultMaxAge when zero.
	MaxAge time.Duration `json:"max_age,omitempty"`
}

// validate reports the first missing or malformed setting of c.
func (c Config) validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("woocommerce config: url %q is not an http(s) site URL", c.URL)
	case u.RawQuery != "" || u.Fragment != "" || strings.Contains(u.Path, "/wp-json"):
		return fmt.Errorf("woocommerce config: url %q must be the site URL, without "+
			"/wp-json or a query", c.URL)
	case c.ConsumerKey == "":
		return errors.New("woocommerce config: consumer key is required")
	case c.ConsumerSecret == "":
		return errors.New("woocommerce config: consumer secret is required")
	case c.MaxAge < 0:
		return errors.New("woocommerce config: webhook max age may not be negative")
	}
	return nil
}

// Store is a WooCommerce store adapter. It is safe for concurrent use.
type Store struct {
	hc       *http.Client
	log      *zap.Logger
	api      string // the site URL + apiPath
	location string
	secret   []byte // the webhook secret
	maxAge   time.Duration

	mu       sync.Mutex
	currency string // the store's currency, once read
}

var _ store.Store = (*Store)(nil)

// New returns an adapter for cfg that sends its requests with hc (a client
// with a 30s timeout when nil), or an error naming the first missing or
// malformed setting. It does not touch the network. Retries that hc makes
// are signed again: the signing sits below a retrying transport of
// [httpretry].
//
// [httpretry]: github.com/erpsync/erpsync/internal/httpretry
func New(cfg Config, hc *http.Client, log *zap.Logger) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	if log == nil {
		log = zap.NewNop()
	}

	site := strings.TrimRight(cfg.URL, "/")
	return &Store{
		hc:       withCredentials(hc, newSigner(cfg.ConsumerKey, cfg.ConsumerSecret)),
		log:      log.With(zap.String(fieldPlatform, system)),
		api:      site + apiPath,
		location: cfg.Location,
		secret:   []byte(cfg.WebhookSecret),
		maxAge:   cmp.Or(cfg.MaxAge, DefaultMaxAge),
	}, nil
}
