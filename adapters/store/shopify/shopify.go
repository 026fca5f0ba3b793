// Package shopify is the Shopify adapter of erpsync: it implements
// [store.Store] over the Admin GraphQL API, and checks Shopify's webhooks.
//
// Orders are read with order(id:) and listed with orders(sortKey:
// UPDATED_AT) and an updated_at search; the ERP id goes back into the
// order's metafield erp.sales_order_id with metafieldsSet. Stock is set
// with inventorySetQuantities, which API 2026-04 and later make
// compare-and-set (changeFromQuantity) and idempotent (@idempotent);
// prices with productVariantsBulkUpdate, sparing variants whose
// compare-at price marks a promotion. Customers are read with customer(id:)
// and customers(query:), and written with customerUpdate, their terms in
// metafields of namespace erpsync; drafts are made with productSet in
// status DRAFT; shipments with fulfillmentCreate on the order's
// fulfillment orders, their ids kept in the order metafield
// erpsync.shipments; cancellations with orderCancel. Variants are found by
// SKU and locations by name, and both are cached. Requests are paced by the
// calculated query cost that Shopify reports on every answer, and a
// THROTTLED answer is waited out and sent again. Vendor errors are
// translated into the [syncerr] vocabulary where the HTTP exchange ends.
//
// [syncerr]: github.com/erpsync/erpsync/internal/syncerr
package shopify

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
)

// DefaultAPIVersion is the Admin API version the adapter speaks unless
// told otherwise.
const DefaultAPIVersion = "2026-10"

// minAPIVersion is the oldest version with the compare-and-set and
// idempotent inventory writes that the adapter relies on.
const minAPIVersion = "2026-04"

// DefaultWebhookMaxAge is how old a webhook's event may be: a little over
// the four hours over which Shopify retries a delivery.
const DefaultWebhookMaxAge = 4*time.Hour + 15*time.Minute

// defaultTimeout bounds one request when New is given no HTTP client.
const defaultTimeout = 30 * time.Second

// system names Shopify in errors and logs.
const system = "shopify"

// The metafield that holds an order's ERP id.
const (
	erpNamespace = "erp"
	erpKey       = "sales_order_id"
)

// Log field keys.
const (
	fieldStore     = "platform"
	fieldOperation = "operation"
	fieldOrderID   = "order_id"
	fieldCount     = "count"
	fieldWait      = "wait"
)

var versionPattern = regexp.MustCompile(`^(\d{4}-(01|04|07|10)|unstable)$`)

// Config is how to reach one Shopify shop.
type Config struct {
	// URL is the shop's base URL, such as "https://example.myshopify.com".
	URL string `json:"url"`

	// AccessToken is the Admin API access token of an app made in the
	// shop's admin. When it is empty, the adapter asks the shop for tokens
	// with the client credentials grant of an app made in Shopify's Dev
	// Dashboard, from ClientID and WebhookSecret (the app's client secret),
	// and renews them before they expire.
	AccessToken string `json:"-"`

	// ClientID is the Dev Dashboard app's client id.
	ClientID string `json:"client_id"`

	// APIVersion is the Admin API version, such as "2026-10";
	// DefaultAPIVersion when empty, and no older than 2026-04.
	APIVersion string `json:"api_version"`

	// WebhookSecret is the app's client secret, which signs webhooks.
	WebhookSecret string `json:"-"`

	// WebhookMaxAge is how old a webhook's event may be before it is
	// refused as stale; DefaultWebhookMaxAge when zero.
	WebhookMaxAge time.Duration `json:"webhook_max_age"`
}

// validate reports the first missing or malformed setting of c.
func (c Config) validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("shopify config: url %q is not an http(s) URL", c.URL)
	case strings.Trim(u.Path, "/") != "" || u.RawQuery != "":
		return fmt.Errorf("shopify config: url %q must be the shop's base URL, without a path",
			c.URL)
	case c.WebhookSecret == "":
		return errors.New("shopify config: webhook secret (the app's client secret) is " +
			"required")
	case c.AccessToken == "" && c.ClientID == "":
		return errors.New("shopify config: an access token or a client id is required")
	case !versionPattern.MatchString(c.APIVersion):
		return fmt.Errorf("shopify config: api version %q is not YYYY-MM of a quarter",
			c.APIVersion)
	case c.APIVersion != "unstable" && c.APIVersion < minAPIVersion:
		return fmt.Errorf("shopify config: api version %s is older than %s, the first with "+
			"compare-and-set and idempotent inventory writes", c.APIVersion, minAPIVersion)
	case c.WebhookMaxAge < 0:
		return errors.New("shopify config: webhook max age may not be negative")
	}
	return nil
}

// Store is a Shopify shop seen through erpsync's store interface. It is
// safe for concurrent use.
type Store struct {
	hc       *http.Client
	log      *zap.Logger
	endpoint string
	tokens   *tokenSource
	secret   string
	maxAge   time.Duration
	now      func() time.Time

	pace    pacer
	lookups lookups
}

var _ store.Store = (*Store)(nil)

// New returns the adapter of the shop cfg names, or an error naming the
// first missing or malformed setting. Requests go through hc (a client
// with a 30 s timeout when nil); log receives ids, counts and waits, never
// credentials or customer data. It does not touch the network.
func New(cfg Config, hc *http.Client, log *zap.Logger) (*Store, error) {
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	if log == nil {
		log = zap.NewNop()
	}
	maxAge := cfg.WebhookMaxAge
	if maxAge == 0 {
		maxAge = DefaultWebhookMaxAge
	}

	base := strings.TrimRight(cfg.URL, "/")
	return &Store{
		hc: hc, log: log.With(zap.String(fieldStore, system)),
		endpoint: base + "/admin/api/" + cfg.APIVersion + "/graphql.json",
		tokens: &tokenSource{hc: hc, url: base + "/admin/oauth/access_token",
			fixed: cfg.AccessToken, clientID: cfg.ClientID, secret: cfg.WebhookSecret,
			now: time.Now},
		secret: cfg.WebhookSecret, maxAge: maxAge, now: time.Now,
		pace: newPacer(), lookups: newLookups(),
	}, nil
}
