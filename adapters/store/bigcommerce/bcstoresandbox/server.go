// Package bcstoresandbox serves BigCommerce's REST Management API over an
// in-memory [storesandbox.Model], so that the BigCommerce adapter and client
// libraries can be tested without a store.
//
// It answers, under /stores/{store_hash}/ and with the X-Auth-Token header:
//
//	GET  /v2/store                                  store information
//	GET  /v2/orders                                 orders, filtered, sorted and paged
//	GET  /v2/orders/{id}                            one order
//	GET  /v2/orders/{id}/products                   its lines
//	PUT  /v2/orders/{id}                            its staff notes and status (cancel)
//	GET  /v2/orders/{id}/shipping_addresses         its shipping address
//	GET, POST /v2/orders/{id}/shipments             its shipments; a new one
//	GET  /v3/orders/{id}/payment_actions/refunds    its refunds
//	GET  /v3/orders/{id}/metafields                 its metafields
//	POST /v3/orders/{id}/metafields                 a new metafield
//	PUT  /v3/orders/{id}/metafields/{metafield_id}  a changed metafield
//	GET  /v3/inventory/locations                    stock locations
//	GET  /v3/inventory/items                        stock per item and location
//	PUT  /v3/inventory/adjustments/absolute         stock levels set in bulk
//	GET  /v3/catalog/products                       products with their prices
//	POST /v3/catalog/products                       a new product
//	GET  /v3/catalog/variants                       variants with their prices
//	PUT  /v3/catalog/variants                       variants changed in bulk
//	GET, PUT /v3/customers                          customers; changes in bulk
//	GET, POST, PUT /v3/customers/addresses          their addresses
//	GET, POST /v3/customers/{id}/metafields         a customer's metafields; a new one
//	PUT  /v3/customers/{id}/metafields/{mid}        a changed customer metafield
//	POST, PUT, DELETE /v3/customers/metafields      customer metafields in bulk
//	GET, POST /v3/hooks; GET, PUT, DELETE /v3/hooks/{id}   webhooks
//
// V2 answers errors as [{"status":…,"message":…}], V3 as a problem object
// {"status":…,"title":…,"type":…,"errors":{…}}. Every answer carries the
// rate-limit headers of BigCommerce's store-wide quota, and a request over
// it gets 429 with them and no Retry-After, as fault injection's rate limits
// do. Every request passes through [erpsandbox.Faults] under an operation
// name such as "orders/list" or "inventory/adjust". Registered webhooks are
// delivered as BigCommerce delivers them: thin payloads, the hook's custom
// headers, Standard Webhooks signatures keyed with the app's client secret,
// and retries on BigCommerce's schedule, after which the hook is
// deactivated. GET /_sandbox/stats reports what the sandbox served.
package bcstoresandbox

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// maxBody bounds the request bodies the sandbox reads.
const maxBody = 4 << 20

// problemType is the "type" of BigCommerce's V3 error objects.
const problemType = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"

// Credentials are the store and the API account that the sandbox knows.
type Credentials struct {
	// StoreHash names the store in API paths; StoreID is the numeric id
	// that webhook payloads carry.
	StoreHash string
	StoreID   string

	AccessToken string `json:"-"`

	// ClientID and ClientSecret are the app's; the secret keys the
	// Standard Webhooks signatures of deliveries.
	ClientID     string
	ClientSecret string `json:"-"`
}

// An Option adjusts [New].
type Option func(*Sandbox)

// WithClock sets the clock of the rate-limit window and of webhook
// signatures; the wall clock by default.
func WithClock(now func() time.Time) Option {
	return func(s *Sandbox) { s.now = now }
}

// WithQuota sets the store's rate limit: requests per window. By default
// 450 requests per 30 seconds, as a Pro plan has.
func WithQuota(requests int, window time.Duration) Option {
	return func(s *Sandbox) { s.quota = newQuota(requests, window) }
}

// WithCurrency sets the store's default currency, in which catalog prices
// are; USD by default.
func WithCurrency(code string) Option {
	return func(s *Sandbox) { s.currency = code }
}

// WithWebhookScale multiplies the waits between webhook retries, to
// compress BigCommerce's 48 hours of retries in tests and demos.
func WithWebhookScale(scale float64) Option {
	return func(s *Sandbox) { s.hooks.sender.Scale = scale }
}

// Sandbox is an [http.Handler] serving BigCommerce's API over a model.
type Sandbox struct {
	model  *storesandbox.Model
	faults *erpsandbox.Faults
	creds  Credentials

	now      func() time.Time
	currency string
	quota    *quota
	meta     metafields
	custMeta metafields
	notes    orderNotes
	hooks    *hooks
	mux      *http.ServeMux
	served   atomic.Int64

	// stop ends the deliveries in flight; they outlive the requests and
	// events that start them, so they run under the sandbox's lifetime.
	stop context.CancelFunc
}

// New returns a sandbox serving model with faults injected by faults (none
// when nil), accepting creds. It watches the model to deliver webhooks;
// Close stops the deliveries.
func New(model *storesandbox.Model, faults *erpsandbox.Faults, creds Credentials,
	opts ...Option) *Sandbox {
	if faults == nil {
		// The zero configuration is always valid.
		faults, _ = erpsandbox.NewFaults(erpsandbox.Config{})
	}
	life, stop := context.WithCancel(context.Background())
	s := &Sandbox{
		model: model, faults: faults, creds: creds, now: time.Now, currency: "USD",
		quota: newQuota(DefaultQuota, DefaultWindow), stop: stop,
		meta: metafields{resource: "order"}, custMeta: metafields{resource: "customer"},
		notes: orderNotes{staff: map[int64]string{}, shipments: map[int64]shipmentInput{},
			statuses: map[int64]int{}},
	}
	s.hooks = newHooks(s, life)
	for _, opt := range opts {
		opt(s)
	}

	s.mux = http.NewServeMux()
	s.routes()
	model.Watch(s.hooks.deliver)
	return s
}

// ServeHTTP answers one request.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Sender returns the sender of the sandbox's webhooks.
func (s *Sandbox) Sender() *storesandbox.Sender { return s.hooks.sender }

// Close stops the webhook deliveries in flight and waits for them.
func (s *Sandbox) Close() {
	s.stop()
	s.hooks.sender.Wait()
}

// A handler answers one API request whose body was read.
type handler func(w http.ResponseWriter, r *http.Request, body []byte)

// routes registers the API.
func (s *Sandbox) routes() {
	v2 := "/stores/{hash}/v2"
	v3 := "/stores/{hash}/v3"
	s.handle(2, "store/get", "GET "+v2+"/store", s.getStore)
	s.handle(2, "orders/list", "GET "+v2+"/orders", s.listOrders)
	s.handle(2, "orders/get", "GET "+v2+"/orders/{id}", s.getOrder)
	s.handle(2, "orders/products", "GET "+v2+"/orders/{id}/products", s.listProducts)
	s.handle(2, "orders/update", "PUT "+v2+"/orders/{id}", s.updateOrder)
	s.handle(2, "orders/shipping_addresses", "GET "+v2+"/orders/{id}/shipping_addresses",
		s.listShippingAddresses)
	s.handle(2, "shipments/list", "GET "+v2+"/orders/{id}/shipments", s.listShipments)
	s.handle(2, "shipments/create", "POST "+v2+"/orders/{id}/shipments", s.createShipment)
	s.handle(3, "refunds/list", "GET "+v3+"/orders/{id}/payment_actions/refunds",
		s.listRefunds)
	s.handle(3, "metafields/list", "GET "+v3+"/orders/{id}/metafields", s.listMetafields)
	s.handle(3, "metafields/create", "POST "+v3+"/orders/{id}/metafields", s.createMetafield)
	s.handle(3, "metafields/update", "PUT "+v3+"/orders/{id}/metafields/{mid}",
		s.updateMetafield)
	s.handle(3, "inventory/locations", "GET "+v3+"/inventory/locations", s.listLocations)
	s.handle(3, "inventory/items", "GET "+v3+"/inventory/items", s.listItems)
	s.handle(3, "inventory/adjust", "PUT "+v3+"/inventory/adjustments/absolute", s.adjust)
	s.handle(3, "products/list", "GET "+v3+"/catalog/products", s.listProducts3)
	s.handle(3, "products/create", "POST "+v3+"/catalog/products", s.createProduct)
	s.handle(3, "variants/list", "GET "+v3+"/catalog/variants", s.listVariants)
	s.handle(3, "variants/update", "PUT "+v3+"/catalog/variants", s.updateVariants)
	s.customerRoutes(v3)
	s.handle(3, "hooks/list", "GET "+v3+"/hooks", s.hooks.list)
	s.handle(3, "hooks/create", "POST "+v3+"/hooks", s.hooks.create)
	s.handle(3, "hooks/get", "GET "+v3+"/hooks/{id}", s.hooks.get)
	s.handle(3, "hooks/update", "PUT "+v3+"/hooks/{id}", s.hooks.update)
	s.handle(3, "hooks/delete", "DELETE "+v3+"/hooks/{id}", s.hooks.remove)
	s.handle(2, "unknown", v2+"/", notFound(2))
	s.handle(3, "unknown", v3+"/", notFound(3))
	s.mux.HandleFunc("GET /_sandbox/stats", s.serveStats)
}

// handle registers h for pattern, as an API call of version (2 or 3) named
// op: the body is read, the credentials checked, faults injected and the
// quota counted before h runs.
func (s *Sandbox) handle(version int, op, pattern string, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.served.Add(1)
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			writeError(w, version, http.StatusBadRequest, "The request body is unreadable.", nil)
			return
		}
		if !s.authorized(r) {
			writeError(w, version, http.StatusUnauthorized, unauthorized(version), nil)
			return
		}

		limited := func(w http.ResponseWriter, wait time.Duration) {
			s.writeLimited(w, version, wait)
		}
		s.faults.ServeLimited(w, r, op, limited, func(w http.ResponseWriter) {
			if !s.takeQuota(w, version) || !acceptable(w, r, version, body) {
				return
			}
			h(w, r, body)
		})
	})
}

// unauthorized is BigCommerce's answer to a wrong token or store hash.
func unauthorized(version int) string {
	if version == 2 {
		return "You are not authorized to access this resource. Check the X-Auth-Token " +
			"header and the store hash."
	}
	return "Unauthorized - the v3 Auth client ID or token in the request are not a valid " +
		"combination for this store."
}

// authorized reports whether r names the sandbox's store and carries its
// access token, compared in constant time.
func (s *Sandbox) authorized(r *http.Request) bool {
	token := r.Header.Get("X-Auth-Token")
	ok := subtle.ConstantTimeCompare([]byte(token), []byte(s.creds.AccessToken)) == 1
	return ok && token != "" && r.PathValue("hash") == s.creds.StoreHash
}

// acceptable checks the media types of r: an Accept that excludes JSON gets
// 406, a body that is not declared JSON gets 415.
func acceptable(w http.ResponseWriter, r *http.Request, version int, body []byte) bool {
	accept := r.Header.Get("Accept")
	if accept != "" && !strings.Contains(accept, "json") && !strings.Contains(accept, "*/*") {
		writeError(w, version, http.StatusNotAcceptable,
			"The requested content type is not supported: "+accept, nil)
		return false
	}
	if len(body) == 0 {
		return true
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasSuffix(mt, "json") {
		writeError(w, version, http.StatusUnsupportedMediaType,
			"The request body must be sent with Content-Type: application/json.", nil)
		return false
	}
	return true
}

// notFound answers a path the API does not have.
func notFound(version int) handler {
	return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeError(w, version, http.StatusNotFound, "The requested resource was not found.", nil)
	}
}

// writeError answers status in the error shape of API version: an array
// for V2, a problem object with its field errors for V3.
func writeError(w http.ResponseWriter, version, status int, message string,
	fields map[string]string) {
	if version == 2 {
		writeJSON(w, status, []v2Error{{Status: status, Message: message}})
		return
	}
	writeJSON(w, status, problem{Status: status, Title: message, Type: problemType,
		Errors: fields})
}

// v2Error is one error of a V2 answer.
type v2Error struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// problem is a V3 error answer.
type problem struct {
	Status int               `json:"status"`
	Title  string            `json:"title"`
	Type   string            `json:"type"`
	Errors map[string]string `json:"errors,omitempty"`
}

// writeJSON answers v with status as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`[{"status":500,"message":"The response could not be encoded."}]`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing to do then
}

// writeData answers a V3 resource or collection in its envelope; page is
// nil for a single resource.
func writeData(w http.ResponseWriter, data any, page *pagination) {
	meta := map[string]any{}
	if page != nil {
		meta["pagination"] = page
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "meta": meta})
}

// pathID reads the numeric path value name, or answers 404 and reports
// false.
func pathID(w http.ResponseWriter, r *http.Request, version int, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, version, http.StatusNotFound, "The requested resource was not found.", nil)
		return 0, false
	}
	return id, true
}

// origin returns the scheme and host r was sent to.
func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// decodeBody reads body as JSON into v with numbers kept exact, or answers
// 400 and reports false.
func decodeBody(w http.ResponseWriter, version int, body []byte, v any) bool {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		writeError(w, version, http.StatusBadRequest,
			fmt.Sprintf("Input is invalid: the body is not valid JSON (%v).", err), nil)
		return false
	}
	return true
}
