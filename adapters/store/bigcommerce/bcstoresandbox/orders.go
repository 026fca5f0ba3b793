package bcstoresandbox

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// orderFilter is what GET /v2/orders filters and sorts by.
type orderFilter struct {
	minModified, maxModified time.Time
	minCreated, maxCreated   time.Time
	minID, maxID             int64
	sortBy                   string
	desc                     bool
}

// listOrders answers GET /v2/orders: the orders that pass the filters,
// sorted, one page of them, or 204 No Content with an empty body when the
// page holds none, as BigCommerce answers past the end.
func (s *Sandbox) listOrders(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	f, ok := readOrderFilter(w, q)
	if !ok {
		return
	}
	p, ok := readPaging(w, q, 2, 50, 250)
	if !ok {
		return
	}

	var orders []storesandbox.Order
	for _, o := range s.model.ChangedOrders(time.Time{}, time.Time{}, 0, 0) {
		if f.admits(o) {
			orders = append(orders, o)
		}
	}
	f.sort(orders)
	page, _ := cut(orders, p)
	if len(page) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}

	out := make([]v2Order, len(page))
	for i, o := range page {
		out[i] = s.v2Order(o, origin(r))
	}
	writeJSON(w, http.StatusOK, out)
}

// readOrderFilter reads the filters and sort of GET /v2/orders, or answers
// 400 naming the first bad one and reports false.
func readOrderFilter(w http.ResponseWriter, q url.Values) (orderFilter, bool) {
	f := orderFilter{sortBy: "id"}
	for name, dst := range map[string]*time.Time{
		"min_date_modified": &f.minModified, "max_date_modified": &f.maxModified,
		"min_date_created": &f.minCreated, "max_date_created": &f.maxCreated,
	} {
		if v := q.Get(name); v != "" {
			t, ok := parseDate(v)
			if !ok {
				return f, badField(w, name, v)
			}
			*dst = t
		}
	}
	for name, dst := range map[string]*int64{"min_id": &f.minID, "max_id": &f.maxID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return f, badField(w, name, v)
			}
			*dst = n
		}
	}

	if v := q.Get("sort"); v != "" {
		field, dir, _ := strings.Cut(v, ":")
		switch {
		case field != "id" && field != "date_modified" && field != "date_created",
			dir != "" && dir != "asc" && dir != "desc":
			return f, badField(w, "sort", v)
		}
		f.sortBy, f.desc = field, dir == "desc"
	}
	return f, true
}

// badField answers 400 for a query parameter that cannot be read.
func badField(w http.ResponseWriter, name, value string) bool {
	writeError(w, 2, http.StatusBadRequest,
		"The field '"+name+"' is invalid: "+strconv.Quote(value), nil)
	return false
}

// admits reports whether o passes the filters; date bounds are inclusive,
// at the second.
func (f orderFilter) admits(o storesandbox.Order) bool {
	within := func(t, lo, hi time.Time) bool {
		return (lo.IsZero() || !t.Before(lo.Truncate(time.Second))) &&
			(hi.IsZero() || !t.After(hi))
	}
	return within(o.Modified, f.minModified, f.maxModified) &&
		within(o.Created, f.minCreated, f.maxCreated) &&
		(f.minID == 0 || o.ID >= f.minID) && (f.maxID == 0 || o.ID <= f.maxID)
}

// sort orders orders by the field asked for, ties by id.
func (f orderFilter) sort(orders []storesandbox.Order) {
	key := func(o storesandbox.Order) time.Time {
		switch f.sortBy {
		case "date_modified":
			return o.Modified
		case "date_created":
			return o.Created
		}
		return time.Time{}
	}
	sort.SliceStable(orders, func(i, j int) bool {
		a, b := orders[i], orders[j]
		if f.desc {
			a, b = b, a
		}
		if ka, kb := key(a), key(b); !ka.Equal(kb) {
			return ka.Before(kb)
		}
		return a.ID < b.ID
	})
}

// getOrder answers GET /v2/orders/{id}.
func (s *Sandbox) getOrder(w http.ResponseWriter, r *http.Request, _ []byte) {
	o, ok := s.order(w, r, 2)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.v2Order(o, origin(r)))
}

// listProducts answers GET /v2/orders/{id}/products: the order's lines, a
// page of them.
func (s *Sandbox) listProducts(w http.ResponseWriter, r *http.Request, _ []byte) {
	o, ok := s.order(w, r, 2)
	if !ok {
		return
	}
	p, ok := readPaging(w, r.URL.Query(), 2, 50, 250)
	if !ok {
		return
	}

	lines, _ := cut(o.Lines, p)
	if len(lines) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := make([]v2Product, len(lines))
	for i, l := range lines {
		out[i] = s.v2Product(o, l)
	}
	writeJSON(w, http.StatusOK, out)
}

// listShippingAddresses answers GET /v2/orders/{id}/shipping_addresses:
// the model's orders ship to their customer's address.
func (s *Sandbox) listShippingAddresses(w http.ResponseWriter, r *http.Request, _ []byte) {
	o, ok := s.order(w, r, 2)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, []v2ShippingAddress{shippingAddress(o, origin(r)+
		"/stores/"+s.creds.StoreHash+"/v2")})
}

// order finds the order named by the path, or answers 404 in the error
// shape of API version and reports false.
func (s *Sandbox) order(w http.ResponseWriter, r *http.Request, version int) (
	storesandbox.Order, bool) {
	id, ok := pathID(w, r, version, "id")
	if !ok {
		return storesandbox.Order{}, false
	}
	o, ok := s.model.Order(id)
	if !ok {
		writeError(w, version, http.StatusNotFound, "The requested resource was not found.",
			nil)
	}
	return o, ok
}
