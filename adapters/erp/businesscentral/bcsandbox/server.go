// Package bcsandbox serves the Dynamics 365 Business Central API v2.0 (OData
// v4) and a token endpoint shaped like Microsoft Entra's from an in-memory
// [erpsandbox.Model], so that the Business Central adapter and client
// libraries can be tested without a tenant.
//
// It answers:
//
//	POST /{tenant}/oauth2/v2.0/token                      client credentials grant
//	GET  /{tenant}/v2.0/.well-known/openid-configuration  OpenID metadata
//	     /v2.0/{tenant}/{environment}/api/v2.0/...        the API, bearer token required
//	     /_sandbox/...                                    the admin API of erpsandbox
//
// The API serves companies, companyInformation, salesOrders with their
// salesOrderLines, customers, paymentTerms, items, locations, salesShipments
// with their salesShipmentLines and salesCreditMemos with their
// salesCreditMemoLines, with $filter, $select, $expand, $top, $orderby,
// server-driven paging by @odata.nextLink (Prefer: odata.maxpagesize), ETags
// with If-Match, and Business Central's error envelope. Every request passes
// through [erpsandbox.Faults] under an operation name such as
// "salesOrders/create" or "token".
package bcsandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// Scope is the only scope the token endpoint grants: Business Central's
// resource with the default permissions.
const Scope = "https://api.businesscentral.dynamics.com/.default"

// maxBody bounds the request bodies the sandbox reads.
const maxBody = 4 << 20

// defaultTokenLifetime is what Entra gives an app token, in seconds.
const defaultTokenLifetime = 3599 * time.Second

// Credentials are the tenant, environment, company and app registration
// that the sandbox knows.
type Credentials struct {
	Tenant       string
	Environment  string
	CompanyID    string
	CompanyName  string
	ClientID     string
	ClientSecret string `json:"-"`
}

// An Option adjusts [New].
type Option func(*sandbox)

// WithClock sets the clock that issues and expires tokens; the wall clock
// by default.
func WithClock(now func() time.Time) Option {
	return func(s *sandbox) { s.now = now }
}

// WithTokenLifetime sets how long issued tokens stay valid; 3599 seconds by
// default, as Entra issues them.
func WithTokenLifetime(d time.Duration) Option {
	return func(s *sandbox) { s.tokenLifetime = d }
}

// WithCurrency sets the company's local currency, which orders without a
// currency code get, and the other currencies of the Currency table; by
// default USD, with EUR, GBP, JPY, CAD, AUD, CHF, DKK, SEK and NOK.
func WithCurrency(local string, others ...string) Option {
	return func(s *sandbox) {
		s.currency = local
		if len(others) > 0 {
			s.currencies = map[string]bool{}
			for _, c := range others {
				s.currencies[c] = true
			}
		}
	}
}

// defaultCurrencies are the currencies besides the local one that a new
// company knows.
var defaultCurrencies = []string{"USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "DKK",
	"SEK", "NOK"}

// WithMaxPageSize sets the most entities one page holds when the client
// asks for no smaller pages; 20000 by default, as Business Central pages.
func WithMaxPageSize(n int) Option {
	return func(s *sandbox) { s.maxPageSize = n }
}

// sandbox is the state of one Business Central sandbox.
type sandbox struct {
	model  *erpsandbox.Model
	faults *erpsandbox.Faults
	creds  Credentials

	now           func() time.Time
	tokenLifetime time.Duration
	currency      string
	currencies    map[string]bool
	maxPageSize   int

	mu     sync.Mutex
	tokens map[string]time.Time
}

// New returns an HTTP handler serving Business Central's API and token
// endpoint over model, with faults injected by faults (none when nil),
// accepting creds. The admin API of faults and model is mounted at
// /_sandbox/.
func New(model *erpsandbox.Model, faults *erpsandbox.Faults, creds Credentials,
	opts ...Option) http.Handler {
	if faults == nil {
		// The zero configuration is always valid.
		faults, _ = erpsandbox.NewFaults(erpsandbox.Config{})
	}
	s := &sandbox{
		model: model, faults: faults, creds: creds,
		now: time.Now, tokenLifetime: defaultTokenLifetime, currency: "USD",
		maxPageSize: 20000, tokens: map[string]time.Time{}, currencies: map[string]bool{},
	}
	for _, c := range defaultCurrencies {
		s.currencies[c] = true
	}
	for _, opt := range opts {
		opt(s)
	}

	mux := http.NewServeMux()
	mux.Handle("/_sandbox/", erpsandbox.AdminHandler(model, faults))
	mux.HandleFunc("/", s.route)
	return mux
}

// route sends a request to the token endpoint, the OpenID metadata or the
// API by its path.
func (s *sandbox) route(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(segs) == 4 && segs[1] == "oauth2" && segs[2] == "v2.0" && segs[3] == "token":
		s.serveToken(w, r, segs[0])
	case len(segs) == 4 && segs[1] == "v2.0" && segs[2] == ".well-known" &&
		segs[3] == "openid-configuration":
		s.serveOpenIDConfig(w, r, segs[0])
	case len(segs) >= 5 && segs[0] == "v2.0" && segs[3] == "api" && segs[4] == "v2.0":
		s.serveAPI(w, r, segs[1], segs[2], segs[5:])
	default:
		writeError(w, http.StatusNotFound, "BadRequest_NotFound",
			"No HTTP resource was found that matches the request URI.")
	}
}

// readBody reads the request body, or answers 400 and reports false.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeError(w, http.StatusBadRequest, "BadRequest", "The request body is unreadable.")
		return nil, false
	}
	return body, true
}

// apiError is an error answered in Business Central's envelope.
type apiError struct {
	status  int
	code    string
	message string
}

// Error returns the code and the message.
func (e *apiError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// writeError answers with Business Central's error envelope. Its messages
// end with a correlation id, as the service's do.
func writeError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(map[string]any{"error": map[string]string{
		"code":    code,
		"message": message + "  CorrelationId:  " + newGUID() + ".",
	}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing to do then
}

// writeJSON answers v with status as OData JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Internal_ServerError",
			"The response could not be encoded.")
		return
	}
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; "+
		"odata.streaming=true; IEEE754Compatible=false; charset=utf-8")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing to do then
}
