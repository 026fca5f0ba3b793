package woosandbox

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// orderby values of WooCommerce's collections.
var orderbyValues = []string{"date", "id", "include", "title", "slug", "modified"}

// listOrders answers GET /orders: the orders filtered by creation and
// modification dates (after, before, modified_after, modified_before, each
// exclusive as WordPress's date queries are), sorted by orderby and then id
// in the order asked, one page of them.
func (s *Sandbox) listOrders(w http.ResponseWriter, q *request) {
	p := newParams(q.query())
	pg := readPaging(p)
	orderby := p.enum("orderby", "date", orderbyValues...)
	desc := p.enum("order", "desc", "asc", "desc") == "desc"
	_ = p.boolean("dates_are_gmt") // the site's time zone is UTC: GMT dates are the same
	filter := dateFilter(p)
	if err := p.err(); err != nil {
		writeError(w, err)
		return
	}

	var orders []storesandbox.Order
	for _, o := range s.model.ChangedOrders(time.Time{}, time.Time{}, 0, 0) {
		if filter(o) {
			orders = append(orders, o)
		}
	}
	slices.SortFunc(orders, orderComparer(orderby, desc))

	start, end := pg.window(len(orders))
	items := make([]any, 0, end-start)
	for _, o := range orders[start:end] {
		items = append(items, s.renderOrder(o, q.site))
	}
	writeCollection(w, q, items, len(orders), pg)
}

// dateFilter reads the date parameters of a listing and returns the test
// that an order passes.
func dateFilter(p *params) func(storesandbox.Order) bool {
	after, hasAfter := p.date("after")
	before, hasBefore := p.date("before")
	modAfter, hasModAfter := p.date("modified_after")
	modBefore, hasModBefore := p.date("modified_before")
	return func(o storesandbox.Order) bool {
		return (!hasAfter || o.Created.After(after)) &&
			(!hasBefore || o.Created.Before(before)) &&
			(!hasModAfter || o.Modified.After(modAfter)) &&
			(!hasModBefore || o.Modified.Before(modBefore))
	}
}

// orderComparer sorts orders by orderby and then by id, as WooCommerce's
// "date ID" and "modified ID" do, ascending or descending.
func orderComparer(orderby string, desc bool) func(a, b storesandbox.Order) int {
	return func(a, b storesandbox.Order) int {
		c := 0
		switch orderby {
		case "date":
			c = a.Created.Compare(b.Created)
		case "modified":
			c = a.Modified.Compare(b.Modified)
		}
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if desc {
			return -c
		}
		return c
	}
}

// invalidOrderID is WooCommerce's answer about an order it does not have.
func invalidOrderID(status int) *wpError {
	return errorf(status, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
}

func (s *Sandbox) orderExists(id int64) bool {
	_, ok := s.model.Order(id)
	return ok
}

// getOrder answers GET /orders/{id}.
func (s *Sandbox) getOrder(w http.ResponseWriter, q *request) {
	o, ok := s.model.Order(q.id)
	if !ok {
		writeError(w, invalidOrderID(http.StatusNotFound))
		return
	}
	writeJSON(w, http.StatusOK, fieldsOf(q, s.renderOrder(o, q.site)))
}

// metaUpdate is one entry of an order update's meta_data: WooCommerce
// updates the entry with the id, or else the first with the key, or adds
// one.
type metaUpdate struct {
	ID    *int64          `json:"id"`
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// updateOrder answers PUT /orders/{id}, whose meta_data it applies; the
// sandbox changes nothing else of an order.
func (s *Sandbox) updateOrder(w http.ResponseWriter, q *request) {
	if _, ok := s.model.Order(q.id); !ok {
		writeError(w, invalidOrderID(http.StatusBadRequest))
		return
	}
	var body map[string]json.RawMessage
	if err := decodeBody(q, &body); err != nil {
		writeError(w, err)
		return
	}
	var entries []metaUpdate
	p := newParams(nil)
	for k, v := range body {
		switch k {
		case "id":
		case "meta_data":
			if json.Unmarshal(v, &entries) != nil {
				p.fail(k, "rest_invalid_type", "meta_data is not of type array.")
			}
		default:
			p.fail(k, "rest_invalid_param", "the sandbox changes an order's meta_data only")
		}
	}
	if err := p.err(); err != nil {
		writeError(w, err)
		return
	}

	for _, e := range entries {
		if err := s.applyMeta(q.id, e); err != nil {
			writeError(w, err)
			return
		}
	}
	o, _ := s.model.Order(q.id)
	writeJSON(w, http.StatusOK, fieldsOf(q, s.renderOrder(o, q.site)))
}

// applyMeta applies one meta_data entry of an order update. Values other
// than strings are kept as their JSON text.
func (s *Sandbox) applyMeta(orderID int64, e metaUpdate) *wpError {
	key := e.Key
	if key == "" && e.ID != nil {
		key = s.metaKey(orderID, *e.ID)
	}
	if key == "" {
		p := newParams(nil)
		p.fail("meta_data", "rest_invalid_param", "meta_data entries need a key")
		return p.err()
	}

	value := string(e.Value)
	var text string
	if json.Unmarshal(e.Value, &text) == nil {
		value = text
	}
	if _, err := s.model.SetMetafield(orderID, key, value); err != nil {
		return errorf(http.StatusBadRequest, "woocommerce_rest_shop_order_not_created", "%v",
			err)
	}
	return nil
}
