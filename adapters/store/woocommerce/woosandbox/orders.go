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

// orderUpdate is what an order update changes: its status, when given,
// and meta entries.
type orderUpdate struct {
	status  string
	entries []metaUpdate
}

// orderStatuses are the statuses an order update may set.
var orderStatuses = []string{"pending", "processing", "on-hold", "completed", "cancelled",
	"refunded", "failed", "checkout-draft"}

// updateOrder answers PUT /orders/{id}, whose status and meta_data it
// applies: first the shipments that erpsync keeps in the meta, then the
// meta, then the status. The sandbox changes nothing else of an order.
func (s *Sandbox) updateOrder(w http.ResponseWriter, q *request) {
	if _, ok := s.model.Order(q.id); !ok {
		writeError(w, invalidOrderID(http.StatusBadRequest))
		return
	}
	u, err := readOrderUpdate(q)
	if err == nil {
		err = s.applyOrderUpdate(q.id, u)
	}
	if err != nil {
		writeError(w, err)
		return
	}

	o, _ := s.model.Order(q.id)
	writeJSON(w, http.StatusOK, fieldsOf(q, s.renderOrder(o, q.site)))
}

// readOrderUpdate reads the body of an order update.
func readOrderUpdate(q *request) (orderUpdate, *wpError) {
	var body map[string]json.RawMessage
	if err := decodeBody(q, &body); err != nil {
		return orderUpdate{}, err
	}
	var u orderUpdate
	p := newParams(nil)
	for k, v := range body {
		switch k {
		case "id":
		case "meta_data":
			if json.Unmarshal(v, &u.entries) != nil {
				p.fail(k, "rest_invalid_type", "meta_data is not of type array.")
			}
		case "status":
			if json.Unmarshal(v, &u.status) != nil || !slices.Contains(orderStatuses, u.status) {
				p.fail(k, "rest_not_in_enum", "status is not one of %s.", listing(orderStatuses))
			}
		default:
			p.fail(k, "rest_invalid_param", "the sandbox changes an order's status and "+
				"meta_data only")
		}
	}
	return u, p.err()
}

// applyOrderUpdate applies u to order id.
//
// TODO: the update is applied step by step rather than as one save, as
// the model has no transaction: a status refused after the meta was
// applied (reopening a cancelled order) leaves the meta applied, and each
// step tells the webhooks on its own.
func (s *Sandbox) applyOrderUpdate(id int64, u orderUpdate) *wpError {
	for _, e := range u.entries {
		if e.Key == ShipmentsMetaKey {
			if err := s.mirrorShipments(id, e.Value); err != nil {
				return err
			}
		}
	}
	for _, e := range u.entries {
		if err := s.applyMeta(id, e); err != nil {
			return err
		}
	}
	if u.status == "" {
		return nil
	}
	return s.setStatus(id, u.status)
}

// applyMeta applies one meta_data entry of an order update. Values other
// than strings are kept as their JSON text; a null value deletes the
// entry, which the model keeps as an empty value.
func (s *Sandbox) applyMeta(orderID int64, e metaUpdate) *wpError {
	key, value, err := s.metaEntry(orderID, e)
	if err != nil {
		return err
	}
	if _, err := s.model.SetMetafield(orderID, key, value); err != nil {
		return errorf(http.StatusBadRequest, "woocommerce_rest_shop_order_not_created", "%v",
			err)
	}
	return nil
}

// metaEntry returns the key of a meta entry of an update, named by key or
// by id, and its value as text ("" for null).
func (s *Sandbox) metaEntry(ownerID int64, e metaUpdate) (string, string, *wpError) {
	key := e.Key
	if key == "" && e.ID != nil {
		key = s.metaKey(ownerID, *e.ID)
	}
	if key == "" {
		p := newParams(nil)
		p.fail("meta_data", "rest_invalid_param", "meta_data entries need a key")
		return "", "", p.err()
	}

	value := string(e.Value)
	var text *string
	if json.Unmarshal(e.Value, &text) == nil {
		value = ""
		if text != nil {
			value = *text
		}
	}
	return key, value, nil
}
