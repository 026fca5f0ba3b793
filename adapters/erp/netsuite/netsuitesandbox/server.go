// Package netsuitesandbox serves NetSuite's SuiteTalk REST web services
// from an in-memory [erpsandbox.Model], so that the NetSuite adapter and
// NetSuite client libraries can be tested without a NetSuite account.
//
// It answers under /services/rest: the record API v1 (salesOrder with the
// upsert by external id and a PATCH that closes its lines or cancels it
// while pending approval, creditMemo by upsert, customer with its credit
// limit, terms and price level, itemFulfillment), SuiteQL at
// /query/v1/suiteql (a single-table subset, with limit, offset and
// hasMore, over transaction, customer, item, inventoryitemlocations,
// location, currency, term and pricelevel), and the OAuth 2.0 token
// endpoint at /auth/oauth2/v1/token. The account has the terms NET30,
// NET60 and IMMEDIATE and the price levels RETAIL and WHOLESALE. Items
// are inventory items except the service items of [WithItemTypes]; a
// line on a discount item books its negative rate as the line's amount.
// It checks token-based authentication signatures (HMAC-SHA256) and
// bearer tokens bought with a PS256 client assertion, and refuses bad ones
// with 401 and NetSuite's error body. It holds the account's concurrency
// limit: a request over it gets 429. Every request passes through
// [erpsandbox.Faults] under an operation name such as "salesOrder/upsert",
// "salesOrder/update", "creditMemo/upsert", "suiteql" or "token", and the
// admin API of [erpsandbox.AdminHandler] is mounted at /_sandbox/.
package netsuitesandbox

import (
	"bytes"
	"crypto/rsa"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// DefaultConcurrencyLimit is the account's concurrency limit when none is
// set: the smallest a NetSuite account has.
const DefaultConcurrencyLimit = 5

// maxBody bounds the request bodies the sandbox reads.
const maxBody = 16 << 20

// Credentials are what the sandbox accepts: the account id and the TBA
// values, and for OAuth 2.0 the client id, the certificate id and the
// public key of that certificate. An empty value is never accepted.
type Credentials struct {
	Account        string
	ConsumerKey    string
	ConsumerSecret string `json:"-"`
	TokenID        string
	TokenSecret    string `json:"-"`
	ClientID       string
	CertificateID  string
	PublicKey      *rsa.PublicKey
}

// An Option adjusts [New].
type Option func(*sandbox)

// WithConcurrencyLimit sets how many requests the account may have in
// flight at once.
func WithConcurrencyLimit(n int) Option {
	return func(s *sandbox) { s.limit = int64(n) }
}

// WithBaseCurrency sets the ISO code of the account's base currency, in
// which item prices are given; USD by default.
func WithBaseCurrency(code string) Option {
	return func(s *sandbox) { s.baseCurrency = code }
}

// sandbox is the state of one NetSuite sandbox.
type sandbox struct {
	model        *erpsandbox.Model
	faults       *erpsandbox.Faults
	creds        Credentials
	limit        int64
	baseCurrency string
	itemTypes    map[string]string
	now          func() time.Time

	inFlight atomic.Int64
	auth     authState

	// mu makes an upsert's look-up and write one step, and guards what
	// the model does not hold: the external ids of sales orders and of
	// credit memos (the model's ExternalRef of each is its otherRefNum),
	// and which cancelled orders were closed.
	mu        sync.Mutex
	orderEIDs map[string]int64
	eidOf     map[int64]string

	closed    map[int64]bool
	memoEIDs  map[string]int64
	memoEIDOf map[int64]string

	api *http.ServeMux
}

// A Server is a NetSuite sandbox: an http.Handler.
type Server struct {
	http.Handler
	s *sandbox
}

// New returns an HTTP handler serving NetSuite's REST web services over
// model, with faults injected by faults (none when nil), accepting creds.
// The admin API of faults and model is mounted at /_sandbox/.
func New(model *erpsandbox.Model, faults *erpsandbox.Faults, creds Credentials,
	opts ...Option) *Server {
	if faults == nil {
		// The zero configuration is always valid.
		faults, _ = erpsandbox.NewFaults(erpsandbox.Config{})
	}
	s := &sandbox{
		model: model, faults: faults, creds: creds, limit: DefaultConcurrencyLimit,
		baseCurrency: "USD", itemTypes: defaultItemTypes, now: time.Now,
		orderEIDs: map[string]int64{}, eidOf: map[int64]string{}, closed: map[int64]bool{},
		memoEIDs: map[string]int64{}, memoEIDOf: map[int64]string{},
		auth: authState{nonces: map[string]time.Time{}, tokens: map[string]time.Time{}},
	}
	for _, opt := range opts {
		opt(s)
	}
	s.api = s.routes()

	mux := http.NewServeMux()
	mux.Handle("/_sandbox/", erpsandbox.AdminHandler(model, faults))
	mux.HandleFunc("/", s.serve)
	return &Server{Handler: mux, s: s}
}

// routes returns the REST API's routes.
func (s *sandbox) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /services/rest/query/v1/suiteql", s.serveSuiteQL)
	mux.HandleFunc("GET /services/rest/record/v1/{type}/{key}", s.serveGet)
	mux.HandleFunc("PUT /services/rest/record/v1/{type}/{key}", s.serveUpsert)
	mux.HandleFunc("POST /services/rest/record/v1/{type}", s.serveCreate)
	mux.HandleFunc("PATCH /services/rest/record/v1/{type}/{key}", s.serveUpdate)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "INVALID_URL", "",
			"The requested URL "+r.URL.Path+" was not found on this server.")
	})
	return mux
}

// serve runs one REST request: the concurrency limit, the count, the
// authentication, the faults and then the API.
func (s *sandbox) serve(w http.ResponseWriter, r *http.Request) {
	if n := s.inFlight.Add(1); n > s.limit {
		s.inFlight.Add(-1)
		writeConcurrencyLimit(w)
		return
	}
	defer s.inFlight.Add(-1)

	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeError(w, http.StatusBadRequest, "INVALID_CONTENT", "",
			"The request body is unreadable or too large.")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.model.CountRequest()

	if r.URL.Path == tokenPath {
		s.faults.Serve(w, r, "token", func(w http.ResponseWriter) { s.serveToken(w, r, body) })
		return
	}
	if !s.authenticated(r) {
		writeInvalidLogin(w)
		return
	}
	s.faults.Serve(w, r, operation(r), func(w http.ResponseWriter) {
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.api.ServeHTTP(w, r)
	})
}

// operation names a request for fault injection: "suiteql", or
// "<record type>/<get|upsert|create|update>".
func operation(r *http.Request) string {
	rest := strings.TrimPrefix(r.URL.Path, "/services/rest/")
	if strings.HasPrefix(rest, "query/") {
		return "suiteql"
	}
	parts := strings.Split(strings.TrimPrefix(rest, "record/v1/"), "/")
	verb := map[string]string{http.MethodGet: "get", http.MethodPut: "upsert",
		http.MethodPost: "create", http.MethodPatch: "update"}[r.Method]
	return parts[0] + "/" + verb
}

// baseURL is the host base of the request, as a client reaches it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
