package woosandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// request is one API request, its body read and its route found.
type request struct {
	r     *http.Request
	body  []byte
	route *route
	id    int64 // the {id} of the path, or 0
	site  string
}

// query returns the request's query parameters.
func (q *request) query() url.Values { return q.r.URL.Query() }

// route is one route of the API: the methods and the path (below
// /wp-json/wc/v3/, "{id}" matching digits) it serves, the fault operation
// name, and its answer to an unauthenticated request. WooCommerce checks
// permissions on an item only when the item exists, so with exists set, a
// request for a missing item reaches handle whether authenticated or not.
type route struct {
	methods string
	path    string
	op      string
	denied  *wpError
	exists  func(s *Sandbox, id int64) bool
	handle  func(s *Sandbox, w http.ResponseWriter, q *request)
}

// The methods of WordPress's READABLE and EDITABLE routes.
const (
	readable = http.MethodGet
	editable = http.MethodPost + " " + http.MethodPut + " " + http.MethodPatch
)

// Answers of WooCommerce's permission checks to a request without a user.
var (
	listDenied = errorf(http.StatusUnauthorized, "woocommerce_rest_cannot_view",
		"Sorry, you cannot list resources.")
	viewDenied = errorf(http.StatusUnauthorized, "woocommerce_rest_cannot_view",
		"Sorry, you cannot view this resource.")
	editDenied = errorf(http.StatusUnauthorized, "woocommerce_rest_cannot_edit",
		"Sorry, you are not allowed to edit this resource.")
	createDenied = errorf(http.StatusUnauthorized, "woocommerce_rest_cannot_create",
		"Sorry, you are not allowed to create resources.")
	batchDenied = errorf(http.StatusUnauthorized, "woocommerce_rest_cannot_batch",
		"Sorry, you are not allowed to batch manipulate this resource.")
)

// routes are the routes the sandbox serves.
var routes = []route{
	{readable, "orders", "orders/list", listDenied, nil, (*Sandbox).listOrders},
	{readable, "orders/{id}", "orders/get", viewDenied, (*Sandbox).orderExists,
		(*Sandbox).getOrder},
	{editable, "orders/{id}", "orders/update", editDenied, (*Sandbox).orderExists,
		(*Sandbox).updateOrder},
	{readable, "orders/{id}/notes", "orders/notes/list", listDenied, (*Sandbox).orderExists,
		(*Sandbox).listNotes},
	{http.MethodPost, "orders/{id}/notes", "orders/notes/create", createDenied,
		(*Sandbox).orderExists, (*Sandbox).createNote},
	{readable, "orders/{id}/refunds", "orders/refunds/list", listDenied, (*Sandbox).orderExists,
		(*Sandbox).listRefunds},
	{readable, "customers", "customers/list", listDenied, nil, (*Sandbox).listCustomers},
	{readable, "customers/{id}", "customers/get", viewDenied, (*Sandbox).customerExists,
		(*Sandbox).getCustomer},
	{editable, "customers/{id}", "customers/update", editDenied, (*Sandbox).customerExists,
		(*Sandbox).updateCustomer},
	{readable, "products", "products/list", listDenied, nil, (*Sandbox).listProducts},
	{editable, "products/batch", "products/batch", batchDenied, nil,
		(*Sandbox).batchProducts},
	{readable, "products/{id}", "products/get", viewDenied, (*Sandbox).productExists,
		(*Sandbox).getProduct},
	{http.MethodPost, "webhooks", "webhooks/create", createDenied, nil,
		(*Sandbox).createWebhook},
	{readable, "webhooks/{id}", "webhooks/get", viewDenied, (*Sandbox).webhookExists,
		(*Sandbox).getWebhook},
	{editable, "webhooks/{id}", "webhooks/update", editDenied, (*Sandbox).webhookExists,
		(*Sandbox).updateWebhook},
	{readable, "data/currencies/current", "currencies/current", listDenied, nil,
		(*Sandbox).currentCurrency},
}

// match returns the route that serves method on path and the path's id, or
// nil when none does.
func match(method, path string) (*route, int64) {
	rest, ok := strings.CutPrefix(path, apiPrefix)
	if !ok {
		return nil, 0
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")

	for i := range routes {
		rt := &routes[i]
		if !strings.Contains(" "+rt.methods+" ", " "+method+" ") {
			continue
		}
		if id, ok := matchPath(strings.Split(rt.path, "/"), segs); ok {
			return rt, id
		}
	}
	return nil, 0
}

// matchPath matches the segments of a path against those of a route.
func matchPath(pattern, segs []string) (int64, bool) {
	if len(pattern) != len(segs) {
		return 0, false
	}
	var id int64
	for i, p := range pattern {
		if p != "{id}" {
			if p != segs[i] {
				return 0, false
			}
			continue
		}
		n, err := strconv.ParseInt(segs[i], 10, 64)
		if err != nil || n < 0 || strings.TrimLeft(segs[i], "0123456789") != "" {
			return 0, false
		}
		id = n
	}
	return id, true
}

// serveAPI authenticates q and hands it to its route, as WordPress does:
// authentication errors first, then the key's permissions, then the route,
// then the route's own permission check.
func (s *Sandbox) serveAPI(w http.ResponseWriter, q *request) {
	authed, err := s.authenticate(q)
	if err == nil && authed {
		err = s.checkPermissions(q.r.Method)
	}
	if err != nil {
		writeError(w, err)
		return
	}

	rt := q.route
	switch {
	case rt == nil:
		writeError(w, errorf(http.StatusNotFound, "rest_no_route",
			"No route was found matching the URL and request method."))
	case !authed && (rt.exists == nil || rt.exists(s, q.id)):
		writeError(w, rt.denied)
	default:
		rt.handle(s, w, q)
	}
}

// decodeBody decodes the JSON body of q into v; an empty body leaves v as
// it is.
func decodeBody(q *request, v any) *wpError {
	if len(bytes.TrimSpace(q.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(q.body, v); err != nil {
		e := errorf(http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
		e.data = map[string]any{"json_error_code": 4, "json_error_message": "Syntax error"}
		return e
	}
	return nil
}
