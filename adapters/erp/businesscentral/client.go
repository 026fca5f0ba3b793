// Package businesscentral is the Microsoft Dynamics 365 Business Central
// adapter of erpsync: it implements [erp.ERP] over Business Central's API
// v2.0 (OData v4), authenticating with the OAuth 2.0 client credentials
// grant of Microsoft Entra ID.
//
// Business Central has no idempotent create: a sales order carries the
// store's reference in externalDocumentNumber (35 characters at most, kept
// upper-case by Business Central), and CreateSalesOrder relies on the caller
// having looked it up with FindSalesOrder under one writer per order, so that
// an order whose create response was lost is found by the next look-up.
// Vendor errors are translated into the [syncerr] vocabulary where the HTTP
// exchange ends.
//
// [syncerr]: github.com/erpsync/erpsync/internal/syncerr
package businesscentral

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

	"github.com/erpsync/erpsync/adapters/erp"
)

// DefaultScope is the scope of Business Central's API for the client
// credentials grant.
const DefaultScope = "https://api.businesscentral.dynamics.com/.default"

// defaultTimeout bounds one HTTP request when Config gives no HTTP client.
const defaultTimeout = 30 * time.Second

// system names Business Central in errors and logs.
const system = "business_central"

// Log field keys.
const (
	fieldERP         = "erp"
	fieldExternalRef = "external_ref"
	fieldOrderID     = "order_id"
	fieldCount       = "count"
	fieldItemID      = "item_id"
	fieldCustomerID  = "customer_id"
	fieldMemoID      = "credit_memo_id"

	fieldPaymentTermsID = "payment_terms_id"
)

var guidPattern = regexp.MustCompile(
	`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Config is how to reach one company of one Business Central environment.
type Config struct {
	// URL is the API root up to /api/v2.0, such as
	// "https://api.businesscentral.dynamics.com/v2.0/{tenant}/{environment}/api/v2.0".
	URL string `json:"url"`

	// TokenURL is the OAuth 2.0 token endpoint of the tenant, such as
	// "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token".
	TokenURL string `json:"token_url"`

	ClientID     string `json:"client_id"`
	ClientSecret string `json:"-"`

	// CompanyID is the id (a GUID) of the company, as GET companies lists it.
	CompanyID string `json:"company_id"`

	// Scope is what the token is asked for; DefaultScope when empty.
	Scope string `json:"scope,omitempty"`

	// Timeout bounds each HTTP request; 30s when zero. It is ignored when
	// HTTPClient is set.
	Timeout    time.Duration `json:"timeout"`
	HTTPClient *http.Client  `json:"-"`

	// Logger receives structured logs with ids and counts, never
	// credentials or customer data. Nothing is logged when it is nil.
	Logger *zap.Logger `json:"-"`
}

// Validate reports the first missing or malformed setting of c.
func (c Config) Validate() error {
	switch {
	case !isHTTPURL(c.URL):
		return fmt.Errorf("business central config: url %q is not an http(s) URL", c.URL)
	case !strings.HasSuffix(strings.TrimRight(c.URL, "/"), "/api/v2.0"):
		return fmt.Errorf("business central config: url %q does not end in /api/v2.0", c.URL)
	case !isHTTPURL(c.TokenURL):
		return fmt.Errorf("business central config: token url %q is not an http(s) URL",
			c.TokenURL)
	case c.ClientID == "":
		return errors.New("business central config: client id is required")
	case c.ClientSecret == "":
		return errors.New("business central config: client secret is required")
	case !guidPattern.MatchString(c.CompanyID):
		return fmt.Errorf("business central config: company id %q is not a GUID", c.CompanyID)
	case c.Timeout < 0:
		return errors.New("business central config: timeout may not be negative")
	}
	return nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// A Client is a Business Central adapter. It is safe for concurrent use.
type Client struct {
	hc      *http.Client
	log     *zap.Logger
	tokens  *tokenSource
	root    string // the API root, without a trailing slash
	company string // root + "/companies(<id>)"

	mu       sync.Mutex
	currency string            // the company's local currency, once read
	terms    paymentTermsTable // the company's payment terms, once read
	// deleted holds the sales orders this client deleted, since Business
	// Central keeps no trace of them that a later call could see.
	deleted map[string]bool
}

var _ erp.ERP = (*Client)(nil)

// New returns a client for cfg. It does not touch the network: the first
// call fetches a token. Call [Config.Validate] first to fail fast on bad
// configuration.
func New(cfg Config) *Client {
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	log = log.With(zap.String(fieldERP, system))

	hc := cfg.HTTPClient
	if hc == nil {
		timeout := cfg.Timeout
		if timeout == 0 {
			timeout = defaultTimeout
		}
		hc = &http.Client{Timeout: timeout}
	}
	scope := cfg.Scope
	if scope == "" {
		scope = DefaultScope
	}

	root := strings.TrimRight(cfg.URL, "/")
	return &Client{
		hc:  hc,
		log: log,
		tokens: &tokenSource{hc: hc, url: cfg.TokenURL, clientID: cfg.ClientID,
			secret: cfg.ClientSecret, scope: scope, now: time.Now},
		root:    root,
		company: root + "/companies(" + strings.ToLower(cfg.CompanyID) + ")",
	}
}
