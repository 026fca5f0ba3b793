// Package odoo is the Odoo adapter of erpsync: it implements [erp.ERP] over
// Odoo's external API, on the models sale.order, res.partner (with
// account.payment.term and product.pricelist for a customer's terms),
// product.product, stock.quant, stock.warehouse.orderpoint, stock.picking
// and account.move (credit notes).
//
// The model operations are written against a small executor seam with two
// implementations, chosen by [Config.Transport]: the classic JSON-RPC
// endpoint (/jsonrpc, uid and password or API key on every call) and Odoo
// 19's JSON-2 API (/json/2/<model>/<method>, a bearer API key and named
// arguments). Vendor errors are translated into the [syncerr] vocabulary at
// that transport boundary.
//
// [syncerr]: github.com/erpsync/erpsync/internal/syncerr
package odoo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/httpretry"
)

// defaultTimeout bounds one HTTP request when Config gives no HTTP client.
const defaultTimeout = 30 * time.Second

// Log field keys.
const (
	fieldERP         = "erp"
	fieldExternalRef = "external_ref"
	fieldOrderID     = "order_id"
	fieldCount       = "count"
	fieldModel       = "model"
	fieldMethod      = "method"
)

// Transports of Odoo's external API, the values of [Config.Transport].
const (
	// TransportJSONRPC is the classic /jsonrpc endpoint, deprecated since
	// Odoo 19 and served up to Odoo 21.
	TransportJSONRPC = "jsonrpc"

	// TransportJSON2 is the /json/2 API of Odoo 19 and later.
	TransportJSON2 = "json2"
)

// Config is how to reach one Odoo database.
type Config struct {
	// URL is the base URL of the Odoo server, such as
	// "https://example.odoo.com"; the endpoints are URL + "/jsonrpc" and
	// URL + "/json/2/".
	URL string `json:"url"`

	// DB is the database. JSON-2 sends it as X-Odoo-Database, which Odoo
	// needs when one server hosts several databases.
	DB string `json:"db"`

	// Login is the user JSON-RPC authenticates as; JSON-2 does not use it,
	// since the API key names the user.
	Login string `json:"login"`

	// Transport is TransportJSONRPC (the default when empty) or
	// TransportJSON2.
	Transport string `json:"transport"`

	// Password is the user's password or an API key, for JSON-RPC.
	Password string `json:"-"`

	// APIKey is an API key of the user: required by JSON-2, and used by
	// JSON-RPC in place of Password when Password is empty.
	APIKey string `json:"-"`

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
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("odoo config: url %q is not an http(s) URL", c.URL)
	case c.DB == "":
		return errors.New("odoo config: db is required")
	case c.Transport != "" && c.Transport != TransportJSONRPC && c.Transport != TransportJSON2:
		return fmt.Errorf("odoo config: transport %q is neither %s nor %s", c.Transport,
			TransportJSONRPC, TransportJSON2)
	case c.Transport == TransportJSON2 && c.APIKey == "":
		return errors.New("odoo config: the json2 transport needs an API key")
	case c.Transport != TransportJSON2 && c.Login == "":
		return errors.New("odoo config: login is required")
	case c.Transport != TransportJSON2 && c.Password == "" && c.APIKey == "":
		return errors.New("odoo config: password or API key is required")
	case c.Timeout < 0:
		return errors.New("odoo config: timeout may not be negative")
	}
	return nil
}

// A Client is an Odoo adapter. It is safe for concurrent use.
type Client struct {
	exec executor
	log  *zap.Logger

	mu         sync.Mutex
	currencies map[string]int64
	// company is the company currency, "" until read.
	company string
}

var _ erp.ERP = (*Client)(nil)

// New returns a client for cfg. It does not touch the network: over
// JSON-RPC the first call authenticates, over JSON-2 every call carries the
// API key. Call [Config.Validate] first to fail fast on bad configuration.
func New(cfg Config) *Client {
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	log = log.With(zap.String(fieldERP, "odoo"))

	hc := cfg.HTTPClient
	if hc == nil {
		timeout := cfg.Timeout
		if timeout == 0 {
			timeout = defaultTimeout
		}
		hc = &http.Client{Timeout: timeout}
	}

	return &Client{exec: newExecutor(cfg, hc, log), log: log, currencies: map[string]int64{}}
}

// newExecutor returns the transport that cfg chooses.
func newExecutor(cfg Config, hc *http.Client, log *zap.Logger) executor {
	base := strings.TrimRight(cfg.URL, "/")
	if cfg.Transport == TransportJSON2 {
		return newJSON2(base+"/json/2/", cfg.DB, cfg.APIKey, hc, log)
	}
	secret := cfg.Password
	if secret == "" {
		secret = cfg.APIKey
	}
	return newJSONRPC(base+"/jsonrpc", cfg.DB, cfg.Login, secret, hc, log)
}

// executor runs one model method on the server and decodes its result into
// out. It is the seam between the model operations and a wire protocol,
// and returns errors already translated into the syncerr vocabulary.
type executor interface {
	execute(ctx context.Context, c call, out any) error
}

// call is one model method call. JSON-RPC sends ids and args positionally
// and kwargs by name; JSON-2 sends all of them by name.
type call struct {
	model  string
	method string

	// ids are the records a method runs on; nil for @api.model methods
	// such as search_read and create.
	ids []int64

	// args are the leading parameters of the method, named as in its
	// signature, in order.
	args []arg

	kwargs map[string]any
}

// arg is one named parameter of a method.
type arg struct {
	name  string
	value any
}

// String names the call as "model/method" for errors and logs.
func (c call) String() string { return c.model + "/" + c.method }

// reads are the methods that change nothing, which a retrying HTTP client
// may send again after a lost answer.
var reads = map[string]bool{
	"search": true, "search_read": true, "search_count": true, "read": true,
}

// retryable marks ctx so that an [httpretry.Transport] may resend a read
// after a lost answer or a 5xx; writes are left for the caller to check.
func retryable(ctx context.Context, c call) context.Context {
	if reads[c.method] {
		return httpretry.Idempotent(ctx)
	}
	return ctx
}
