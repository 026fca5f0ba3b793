// Package bigcommerce is the BigCommerce adapter of erpsync: it implements
// [store.Store] over BigCommerce's REST Management API, authenticated with
// an API account's access token in X-Auth-Token.
//
// Orders are read from the V2 Orders API (orders, their products and
// shipping addresses), listed by modification time with min_date_modified;
// the ERP's id goes back into an order metafield of the V3 API, in namespace
// "erp" under key "sales_order_id". Status 5 is a cancelled order, refunds
// come from the V3 payment actions, shipments are V2 order shipments that
// carry erpsync's shipment id in their comments, and cancelling sets status
// 5. Customers are the V3 Customers API's, with the ERP's terms in customer
// metafields of namespace "erpsync". Drafts are hidden catalog products.
// Stock is set with the Inventory API's absolute adjustments, per location
// code, and read as available to sell; prices are set with the Catalog
// API's variant batch update, sparing variants on sale. Webhooks are checked by
// the custom header that erpsync asks BigCommerce to send with every
// callback ([Store.RegisterWebhooks]), and by their Standard Webhooks
// signature when a client secret is configured. Every call respects the
// store's rate-limit quota. Vendor errors are translated into the [syncerr]
// vocabulary where the HTTP exchange ends.
//
// [syncerr]: github.com/erpsync/erpsync/internal/syncerr
package bigcommerce

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
)

// DefaultURL is BigCommerce's API host.
const DefaultURL = "https://api.bigcommerce.com"

// HeaderSecret is the custom header that erpsync asks BigCommerce to send,
// with the store's webhook secret, on every callback.
const HeaderSecret = "X-Erpsync-Webhook-Secret"

// DefaultMaxAge is how old a callback may be: BigCommerce retries a failed
// callback for about 48 hours, and a delivery after that is refused as
// stale.
const DefaultMaxAge = 49 * time.Hour

// DefaultMaxWait is the longest that a call waits for the rate-limit window
// to reset before it gives up with a [syncerr.RateLimitedError].
//
// [syncerr.RateLimitedError]: github.com/erpsync/erpsync/internal/syncerr#RateLimitedError
const DefaultMaxWait = 10 * time.Second

// defaultTimeout bounds one HTTP request when New is given no client.
const defaultTimeout = 30 * time.Second

// system names BigCommerce in errors and logs.
const system = "bigcommerce"

// Log field keys.
const (
	fieldStore     = "store_hash"
	fieldCall      = "call"
	fieldAttempt   = "attempt"
	fieldWait      = "wait"
	fieldCount     = "count"
	fieldUnchanged = "unchanged"
	fieldPromoted  = "promoted"
	fieldRefused   = "refused"
)

// storeHashPattern is the shape of a store hash, such as "abc123".
var storeHashPattern = regexp.MustCompile(`^[a-z0-9]{1,64}$`)

// Config is how to reach one BigCommerce store.
type Config struct {
	// URL is the API host; DefaultURL when empty. Requests go to
	// URL/stores/{StoreHash}/v2 and /v3.
	URL string `json:"url"`

	StoreHash   string `json:"store_hash"`
	AccessToken string `json:"-"`

	// ClientID identifies the app of the API account; it is sent as
	// X-Auth-Client when set, though BigCommerce no longer needs it.
	ClientID string `json:"client_id"`

	// ClientSecret is the app's client secret, which keys the Standard
	// Webhooks signatures of callbacks; they are checked only when it is
	// set.
	ClientSecret string `json:"-"`

	// WebhookSecret is the value of the HeaderSecret header of callbacks.
	WebhookSecret string `json:"-"`

	// MaxAge is how old a callback may be; DefaultMaxAge when zero.
	MaxAge time.Duration `json:"max_age"`

	// MaxWait is the longest wait for the rate limit within a call;
	// DefaultMaxWait when zero.
	MaxWait time.Duration `json:"max_wait"`
}

// validate reports the first missing or malformed setting of c.
func (c Config) validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case c.URL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") ||
		u.Host == ""):
		return fmt.Errorf("bigcommerce config: url %q is not an http(s) URL", c.URL)
	case !storeHashPattern.MatchString(c.StoreHash):
		return fmt.Errorf("bigcommerce config: store hash %q is not 1 to 64 lower-case "+
			"letters and digits", c.StoreHash)
	case c.AccessToken == "":
		return errors.New("bigcommerce config: access token is required")
	case c.WebhookSecret == "":
		return errors.New("bigcommerce config: webhook secret is required, to check callbacks")
	case c.MaxAge < 0 || c.MaxWait < 0:
		return errors.New("bigcommerce config: max age and max wait may not be negative")
	}
	return nil
}

// Store is a BigCommerce store. It is safe for concurrent use.
type Store struct {
	cfg   Config
	hc    *http.Client
	log   *zap.Logger
	api   string // URL/stores/{hash}, without a trailing slash
	now   func() time.Time
	limit *limiter

	mu        sync.Mutex
	locations map[string]int64 // stock location ids by code, once read
	currency  string           // the store's default currency, once read
}

var _ store.Store = (*Store)(nil)

// New returns the store of cfg, reached through hc (a client with a 30s
// timeout when nil), logging to log (nothing when nil). It refuses a
// config that lacks what the adapter needs, and does not touch the network.
func New(cfg Config, hc *http.Client, log *zap.Logger) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.URL == "" {
		cfg.URL = DefaultURL
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = DefaultMaxWait
	}
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	if log == nil {
		log = zap.NewNop()
	}

	s := &Store{cfg: cfg, hc: hc, now: time.Now,
		log: log.With(zap.String(fieldStore, cfg.StoreHash)),
		api: strings.TrimRight(cfg.URL, "/") + "/stores/" + cfg.StoreHash}
	s.limit = &limiter{now: s.now}
	return s, nil
}
