// Package netsuite is the NetSuite adapter of erpsync: it implements
// [erp.ERP] over SuiteTalk REST web services, the record API v1 and
// SuiteQL.
//
// Requests authenticate with token-based authentication (OAuth 1.0a,
// HMAC-SHA256, one-legged) or with OAuth 2.0 client credentials, where a
// JWT signed with the key of an uploaded certificate buys a bearer token.
// TBA is being retired for new integrations, so OAuth 2.0 is preferred.
// NetSuite limits the requests an account may have in flight at once; the
// client keeps its own below a configurable limit.
//
// Sales orders are created with the upsert by external id, PUT
// /record/v1/salesOrder/eid:<key>, so that sending one twice never makes
// two orders; credit memos likewise, PUT /record/v1/creditMemo/eid:<key>.
// Shipping and tax are lines on service items, a discount a line on a
// Discount item. An approved order is cancelled by closing its lines.
// Listings of changes page with SuiteQL's limit and hasMore and continue
// after the last (lastmodifieddate, id) seen, not by offset.
package netsuite

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
)

// defaultTimeout bounds one HTTP request when Config gives no HTTP client.
const defaultTimeout = 30 * time.Second

// DefaultMaxConcurrency is how many requests a client has in flight at
// most when Config sets no limit. NetSuite's smallest account limit is 5,
// shared by every integration of the account.
const DefaultMaxConcurrency = 4

// Log field keys.
const (
	fieldERP         = "erp"
	fieldExternalRef = "external_ref"
	fieldOrderID     = "order_id"
	fieldStatus      = "status"
	fieldMethod      = "method"
	fieldCode        = "code"
)

// Config is how to reach one NetSuite account. Set either the four
// token-based authentication values or the three of OAuth 2.0.
type Config struct {
	// URL is the host base, such as
	// "https://1234567-sb1.suitetalk.api.netsuite.com"; the REST services
	// are under URL + "/services/rest".
	URL string `json:"url"`

	// Account is the account id, such as "1234567_SB1"; it is the OAuth
	// realm in its upper-case form.
	Account string `json:"account"`

	ConsumerKey    string `json:"consumer_key,omitempty"`
	ConsumerSecret string `json:"-"`
	TokenID        string `json:"token_id,omitempty"`
	TokenSecret    string `json:"-"`

	ClientID      string `json:"client_id,omitempty"`
	CertificateID string `json:"certificate_id,omitempty"`

	// PrivateKeyPEM is the RSA private key of the certificate, PKCS#8 or
	// PKCS#1, PEM-encoded.
	PrivateKeyPEM string `json:"-"`

	// MaxConcurrency is how many requests are in flight at most;
	// DefaultMaxConcurrency when zero. Keep it below the account's limit
	// less what other integrations use.
	MaxConcurrency int `json:"max_concurrency"`

	// TimeZone is the time zone of the integration user's preferences,
	// in which SuiteQL reads and writes datetimes; UTC when nil.
	TimeZone *time.Location `json:"-"`

	// SubsidiaryID is given to new customers when set, as OneWorld
	// accounts require.
	SubsidiaryID string `json:"subsidiary_id,omitempty"`

	// Timeout bounds each HTTP request; 30s when zero. It is ignored when
	// HTTPClient is set.
	Timeout    time.Duration `json:"timeout"`
	HTTPClient *http.Client  `json:"-"`

	// Logger receives structured logs with ids and counts, never
	// credentials or customer data. Nothing is logged when it is nil.
	Logger *zap.Logger `json:"-"`
}

// UsesOAuth2 reports whether c authenticates with OAuth 2.0 client
// credentials rather than with token-based authentication.
func (c Config) UsesOAuth2() bool {
	return c.ClientID != "" || c.CertificateID != "" || c.PrivateKeyPEM != ""
}

// Validate reports the first missing or malformed setting of c.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("netsuite config: url %q is not an http(s) URL", c.URL)
	case u.Path != "" && u.Path != "/":
		return fmt.Errorf("netsuite config: url %q must be the host base, without a path", c.URL)
	case !validAccount(c.Account):
		return fmt.Errorf("netsuite config: account %q is not a NetSuite account id", c.Account)
	case c.MaxConcurrency < 0:
		return errors.New("netsuite config: max concurrency may not be negative")
	case c.Timeout < 0:
		return errors.New("netsuite config: timeout may not be negative")
	}
	if c.UsesOAuth2() {
		return c.validateOAuth2()
	}
	return c.validateTBA()
}

func (c Config) validateOAuth2() error {
	switch {
	case c.ClientID == "":
		return errors.New("netsuite config: client id is required for OAuth 2.0")
	case c.CertificateID == "":
		return errors.New("netsuite config: certificate id is required for OAuth 2.0")
	}
	if _, err := parsePrivateKey(c.PrivateKeyPEM); err != nil {
		return fmt.Errorf("netsuite config: private key: %w", err)
	}
	return nil
}

func (c Config) validateTBA() error {
	switch {
	case c.ConsumerKey == "" || c.ConsumerSecret == "":
		return errors.New("netsuite config: consumer key and secret are required " +
			"(or the OAuth 2.0 client id, certificate id and private key)")
	case c.TokenID == "" || c.TokenSecret == "":
		return errors.New("netsuite config: token id and secret are required")
	}
	return nil
}

// validAccount reports whether s looks like an account id: letters,
// digits, '_' and '-'.
func validAccount(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r == '_' || r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') ||
			(r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// realm returns the canonical form of an account id: upper case, with '_'.
func realm(account string) string {
	return strings.ToUpper(strings.ReplaceAll(account, "-", "_"))
}

// A Client is a NetSuite adapter. It is safe for concurrent use.
type Client struct {
	base string
	hc   *http.Client
	auth authenticator
	log  *zap.Logger
	tz   *time.Location

	subsidiary string
	currencies *lookupCache
	names      *lookupCache
}

var _ erp.ERP = (*Client)(nil)

// New returns a client for cfg. It does not touch the network. Call
// [Config.Validate] first: New with an invalid configuration returns a
// client whose every call fails with the validation error.
func New(cfg Config) *Client {
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	log = log.With(zap.String(fieldERP, "netsuite"))

	hc := cfg.HTTPClient
	if hc == nil {
		timeout := cfg.Timeout
		if timeout == 0 {
			timeout = defaultTimeout
		}
		hc = &http.Client{Timeout: timeout}
	}
	tz := cfg.TimeZone
	if tz == nil {
		tz = time.UTC
	}

	c := &Client{
		base:       strings.TrimRight(cfg.URL, "/"),
		log:        log,
		tz:         tz,
		subsidiary: cfg.SubsidiaryID,
		currencies: newLookupCache(),
		names:      newLookupCache(),
	}
	c.auth = newAuthenticator(cfg, c.base+tokenPath)
	c.hc = withAuth(hc, c.auth, cfg.MaxConcurrency)
	return c
}

// newAuthenticator returns the authentication cfg asks for, or one that
// refuses every request with the validation error of cfg.
func newAuthenticator(cfg Config, tokenURL string) authenticator {
	if err := cfg.Validate(); err != nil {
		return refusal{err: err}
	}
	if !cfg.UsesOAuth2() {
		return &tba{realm: realm(cfg.Account), consumerKey: cfg.ConsumerKey,
			consumerSecret: cfg.ConsumerSecret, tokenID: cfg.TokenID,
			tokenSecret: cfg.TokenSecret}
	}
	key, _ := parsePrivateKey(cfg.PrivateKeyPEM) // checked by Validate
	return newOAuth2(cfg.ClientID, cfg.CertificateID, key, tokenURL)
}
