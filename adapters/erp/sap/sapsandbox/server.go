// Package sapsandbox serves the OData V2 APIs of SAP S/4HANA Cloud that
// erpsync uses from an in-memory [erpsandbox.Model], so that the SAP adapter
// and SAP's own client libraries can be tested without an SAP system.
//
// Under /sap/opu/odata/sap/ it serves API_SALES_ORDER_SRV (A_SalesOrder with
// its items and their pricing elements, created by deep insert, and items
// rejected by a PATCH of their SalesDocumentRjcnReason),
// API_BUSINESS_PARTNER (A_BusinessPartner with address-independent e-mail
// and phone, addresses, roles, and customer data whose sales area holds
// the payment terms and the price group), API_PRODUCT_SRV (A_Product with its
// descriptions and valuation), API_MATERIAL_STOCK_SRV (A_MatlStkInAcctMod,
// read-only) and API_OUTBOUND_DELIVERY_SRV (A_OutbDeliveryHeader with its
// items, read-only), each with its $metadata. Reads take $filter, $select,
// $expand, $orderby, $top, $skip and $inlinecount and answer in the
// {"d":{"results":[…]}} envelope; errors carry error.code and
// error.message.value as SAP Gateway writes them.
//
// Every request needs Basic authentication (401 otherwise). Modifying
// requests need the CSRF token of a session: a GET or HEAD with
// "X-CSRF-Token: Fetch" returns one with the session cookies, and a
// modifying request without both gets 403 with "X-CSRF-Token: Required".
// Updates need If-Match with the entity's ETag or "*" (428 otherwise).
// Every request passes through [erpsandbox.Faults] under an operation name
// "<service>/<entity set>/<method>", such as
// "API_SALES_ORDER_SRV/A_SalesOrder/POST", and the admin API of
// [erpsandbox.AdminHandler] is mounted at /_sandbox/.
package sapsandbox

import (
	"crypto/subtle"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// servicePrefix is where SAP Gateway serves OData services.
const servicePrefix = "/sap/opu/odata/sap/"

// maxBody bounds the request bodies the sandbox reads.
const maxBody = 8 << 20

// Credentials are the user and password of the communication user the
// sandbox accepts with Basic authentication.
type Credentials struct {
	User     string
	Password string `json:"-"`
}

// An Option adjusts [New].
type Option func(*Server)

// WithCurrency sets the currency of sales orders that name none, EUR by
// default, as a company code's currency would.
func WithCurrency(code string) Option {
	return func(s *Server) { s.currency = code }
}

// WithPageLimit sets the most entities one answer holds, 1000 by default;
// longer results end with a __next link.
func WithPageLimit(n int) Option {
	return func(s *Server) {
		if n > 0 {
			s.pageLimit = n
		}
	}
}

// A Server is an SAP S/4HANA sandbox. It is an [http.Handler].
type Server struct {
	model     *erpsandbox.Model
	faults    *erpsandbox.Faults
	creds     Credentials
	currency  string
	pageLimit int
	types     map[string][]*entityType
	sets      map[string]*entitySet
	sessions  *sessions
	rejected  *rejections
	mux       *http.ServeMux
}

// New returns a server of SAP's OData APIs over model, with faults injected
// by faults (none when nil), accepting creds. The admin API of faults and
// model is mounted at /_sandbox/.
func New(model *erpsandbox.Model, faults *erpsandbox.Faults, creds Credentials,
	opts ...Option) *Server {
	if faults == nil {
		// The zero configuration is always valid.
		faults, _ = erpsandbox.NewFaults(erpsandbox.Config{})
	}
	s := &Server{
		model: model, faults: faults, creds: creds, currency: "EUR", pageLimit: defaultPageLimit,
		types: schemas(), sessions: newSessions(), rejected: newRejections(),
	}
	for _, opt := range opts {
		opt(s)
	}
	s.sets = s.entitySets()

	s.mux = http.NewServeMux()
	s.mux.HandleFunc(servicePrefix, s.serveOData)
	s.mux.Handle("/_sandbox/", erpsandbox.AdminHandler(model, faults))
	return s
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// ExpireSessions forgets every session and its CSRF token, as SAP does
// when sessions time out, so that clients must fetch a new token.
func (s *Server) ExpireSessions() {
	s.sessions.expireAll()
}

// serveOData reads the request, then answers it under the faults.
func (s *Server) serveOData(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(w, "Request body unreadable or too large", http.StatusRequestEntityTooLarge)
		return
	}
	req := parseRequest(r)

	s.model.CountRequest()
	s.faults.Serve(w, r, req.operation(), func(w http.ResponseWriter) {
		s.answer(w, r, req, body)
	})
}

// answer checks authentication and the CSRF token, then dispatches.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, req request, body []byte) {
	if !s.authenticated(r) {
		writeLogonError(w)
		return
	}
	if !s.csrf(w, r, req) {
		return
	}
	if req.method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	s.dispatch(w, req, body)
}

// authenticated checks the Basic credentials in constant time.
func (s *Server) authenticated(r *http.Request) bool {
	user, password, ok := r.BasicAuth()
	if !ok || s.creds.User == "" || s.creds.Password == "" {
		return false
	}
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(s.creds.User)) == 1
	passOK := subtle.ConstantTimeCompare([]byte(password), []byte(s.creds.Password)) == 1
	return userOK && passOK
}

// writeLogonError answers 401 as the ICF layer of SAP NetWeaver does.
func writeLogonError(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="SAP NetWeaver Application Server [ER1/100]"`)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = io.WriteString(w, "<html><head><title>Logon Error Message</title></head>"+
		"<body><h1>Anmeldung fehlgeschlagen / Logon failed</h1></body></html>")
}

// csrf hands out a token on a fetch and checks it on modifying requests.
// It reports false when it has answered the request itself.
func (s *Server) csrf(w http.ResponseWriter, r *http.Request, req request) bool {
	wantsToken := strings.EqualFold(r.Header.Get("X-CSRF-Token"), "fetch")
	switch req.method {
	case http.MethodGet, http.MethodHead:
		if wantsToken {
			token := s.sessions.fetch(w, r, time.Now())
			w.Header().Set("X-CSRF-Token", token)
		}
		return true
	}

	if s.sessions.valid(r, r.Header.Get("X-CSRF-Token")) {
		return true
	}
	w.Header().Set("X-CSRF-Token", "Required")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = io.WriteString(w, "CSRF token validation failed")
	return false
}
