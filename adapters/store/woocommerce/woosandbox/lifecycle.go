package woosandbox

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// ShipmentsMetaKey is the order meta entry where erpsync keeps the
// shipments it recorded: WooCommerce has no shipment of its own. Its value
// is the JSON text of a list of shipments; the sandbox records each one in
// the model as a fulfillment too, so that the model knows what shipped.
const ShipmentsMetaKey = "_erpsync_shipments"

// shipmentJSON is one shipment of the ShipmentsMetaKey entry.
type shipmentJSON struct {
	ID             string `json:"id"`
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"tracking_number"`
	TrackingURL    string `json:"tracking_url"`
	Lines          []struct {
		SKU      string `json:"sku"`
		Quantity int64  `json:"quantity"`
	} `json:"lines"`
}

// status returns the order's status as WooCommerce names it: cancelled
// when the model says so, else the status an update set, else processing.
func (s *Sandbox) status(o storesandbox.Order) string {
	if o.Status == storesandbox.StatusCancelled {
		return "cancelled"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.statuses[o.ID]; st != "" {
		return st
	}
	return "processing"
}

// setStatus gives order id status. Cancelling cancels the model's order;
// other statuses are the sandbox's own, and a change of one stamps the
// order as modified. The model cannot reopen a cancelled order, so
// neither can the sandbox.
func (s *Sandbox) setStatus(id int64, status string) *wpError {
	o, _ := s.model.Order(id)
	if o.Status == storesandbox.StatusCancelled {
		if status == "cancelled" {
			return nil
		}
		p := newParams(nil)
		p.fail("status", "rest_invalid_param", "the sandbox cannot reopen a cancelled order")
		return p.err()
	}
	if status == "cancelled" {
		s.mu.Lock()
		delete(s.statuses, id)
		s.mu.Unlock()
		if _, err := s.model.CancelOrder(id, ""); err != nil {
			return invalidOrderID(http.StatusBadRequest)
		}
		return nil
	}

	if status == "processing" {
		status = ""
	}
	s.mu.Lock()
	changed := s.statuses[id] != status
	s.statuses[id] = status
	s.mu.Unlock()
	if changed {
		_, _ = s.model.TouchOrder(id) // the order exists: the route checked it
	}
	return nil
}

// mirrorShipments records the shipments of a ShipmentsMetaKey value in the
// model as fulfillments of order id, each once by its id.
func (s *Sandbox) mirrorShipments(id int64, raw json.RawMessage) *wpError {
	var text string
	var list []shipmentJSON
	err := json.Unmarshal(raw, &text)
	if err == nil {
		err = json.Unmarshal([]byte(text), &list)
	}
	if err != nil {
		return shipmentError("the value is not the JSON text of a list of shipments")
	}

	for _, sh := range list {
		f := storesandbox.Fulfillment{Ref: sh.ID, Carrier: sh.Carrier,
			TrackingNumber: sh.TrackingNumber, TrackingURL: sh.TrackingURL}
		for _, l := range sh.Lines {
			f.Lines = append(f.Lines, storesandbox.FulfillmentLine{SKU: l.SKU,
				Quantity: l.Quantity})
		}
		if sh.ID == "" {
			return shipmentError("a shipment has no id")
		}
		if _, err := s.model.Fulfill(id, f); err != nil {
			return shipmentError(err.Error())
		}
	}
	return nil
}

// shipmentError refuses the shipments of an order update.
func shipmentError(reason string) *wpError {
	p := newParams(nil)
	p.fail("meta_data", "rest_invalid_param", "%s: %s", ShipmentsMetaKey, reason)
	return p.err()
}

// orderNote is a note on an order.
type orderNote struct {
	ID           int64  `json:"id"`
	Author       string `json:"author"`
	DateCreated  string `json:"date_created"`
	DateGMT      string `json:"date_created_gmt"`
	Note         string `json:"note"`
	CustomerNote bool   `json:"customer_note"`
	AddedByUser  bool   `json:"added_by_user"`
	Links        links  `json:"_links"`
}

// noteTypes are the values of the type parameter of a listing of notes.
var noteTypes = []string{"any", "customer", "internal"}

// listNotes answers GET /orders/{id}/notes, newest first, all of them as
// WooCommerce lists them: without paging.
func (s *Sandbox) listNotes(w http.ResponseWriter, q *request) {
	p := newParams(q.query())
	kind := p.enum("type", "any", noteTypes...)
	if err := p.err(); err != nil {
		writeError(w, err)
		return
	}
	if _, ok := s.model.Order(q.id); !ok {
		writeError(w, errorf(http.StatusNotFound, "woocommerce_rest_order_invalid_id",
			"Invalid order ID."))
		return
	}

	s.mu.Lock()
	notes := slices.Clone(s.notes[q.id])
	s.mu.Unlock()
	out := make([]any, 0, len(notes))
	for i := len(notes) - 1; i >= 0; i-- {
		n := notes[i]
		if kind == "any" || n.CustomerNote == (kind == "customer") {
			out = append(out, n)
		}
	}
	writeJSON(w, http.StatusOK, fieldsOf(q, out))
}

// createNote answers POST /orders/{id}/notes: a note, to the customer when
// customer_note is set, by the API key's user when added_by_user is.
func (s *Sandbox) createNote(w http.ResponseWriter, q *request) {
	var body struct {
		Note         *string `json:"note"`
		CustomerNote bool    `json:"customer_note"`
		AddedByUser  bool    `json:"added_by_user"`
	}
	if err := decodeBody(q, &body); err != nil {
		writeError(w, err)
		return
	}
	if _, ok := s.model.Order(q.id); !ok {
		writeError(w, errorf(http.StatusNotFound, "woocommerce_rest_order_invalid_id",
			"Invalid order ID."))
		return
	}
	if body.Note == nil || strings.TrimSpace(*body.Note) == "" {
		e := errorf(http.StatusBadRequest, "rest_missing_callback_param",
			"Missing parameter(s): note")
		e.data = map[string]any{"params": []string{"note"}}
		writeError(w, e)
		return
	}

	now := s.cfg.Now().UTC().Format(dateLayout)
	s.mu.Lock()
	s.lastItem++
	n := orderNote{ID: s.lastItem, Author: "WooCommerce", DateCreated: now, DateGMT: now,
		Note: *body.Note, CustomerNote: body.CustomerNote, AddedByUser: body.AddedByUser,
		Links: itemLinks(q.site, "orders/"+strconv.FormatInt(q.id, 10)+"/notes", s.lastItem)}
	if n.AddedByUser {
		n.Author = "erpsync"
	}
	s.notes[q.id] = append(s.notes[q.id], n)
	s.mu.Unlock()

	w.Header().Set("Location", n.Links.Self[0].Href)
	writeJSON(w, http.StatusCreated, n)
}

// orderRefundJSON is a refund as an order lists it.
type orderRefundJSON struct {
	ID     int64  `json:"id"`
	Reason string `json:"reason"`
	Total  string `json:"total"`
}

// orderRefunds returns the refunds of o as the order lists them, newest
// first, their totals negative.
func orderRefunds(o storesandbox.Order) []orderRefundJSON {
	out := make([]orderRefundJSON, 0, len(o.Refunds))
	for i := len(o.Refunds) - 1; i >= 0; i-- {
		r := o.Refunds[i]
		out = append(out, orderRefundJSON{ID: r.ID, Reason: r.Reason,
			Total: money.Decimal(-r.AmountMinor, o.Currency)})
	}
	return out
}

// refundJSON is WooCommerce's order refund resource.
type refundJSON struct {
	ID              int64           `json:"id"`
	DateCreated     string          `json:"date_created"`
	DateCreatedGMT  string          `json:"date_created_gmt"`
	Amount          string          `json:"amount"`
	Reason          string          `json:"reason"`
	RefundedBy      int64           `json:"refunded_by"`
	RefundedPayment bool            `json:"refunded_payment"`
	MetaData        []metaJSON      `json:"meta_data"`
	LineItems       []lineItemJSON  `json:"line_items"`
	ShippingLines   []any           `json:"shipping_lines"`
	TaxLines        []any           `json:"tax_lines"`
	FeeLines        []any           `json:"fee_lines"`
	Links           refundLinksJSON `json:"_links"`
}

// refundLinksJSON are the _links of a refund.
type refundLinksJSON struct {
	links
	Up []link `json:"up"`
}

// listRefunds answers GET /orders/{id}/refunds: the order's refunds,
// newest first, one page of them.
func (s *Sandbox) listRefunds(w http.ResponseWriter, q *request) {
	p := newParams(q.query())
	pg := readPaging(p)
	if err := p.err(); err != nil {
		writeError(w, err)
		return
	}
	o, ok := s.model.Order(q.id)
	if !ok {
		writeError(w, errorf(http.StatusNotFound, "woocommerce_rest_order_invalid_id",
			"Invalid order ID."))
		return
	}

	start, end := pg.window(len(o.Refunds))
	items := make([]any, 0, end-start)
	for i := len(o.Refunds) - 1 - start; i >= len(o.Refunds)-end; i-- {
		items = append(items, s.renderRefund(o, o.Refunds[i], q.site))
	}
	writeCollection(w, q, items, len(o.Refunds), pg)
}

// renderRefund returns r, a refund of o, as WooCommerce shows it: its
// lines' quantities and amounts negative, each line item its own.
func (s *Sandbox) renderRefund(o storesandbox.Order, r storesandbox.Refund,
	site string) refundJSON {
	dec := func(minor int64) string { return money.Decimal(minor, o.Currency) }
	created := r.Created.Format(dateLayout)
	self := "orders/" + strconv.FormatInt(o.ID, 10) + "/refunds"
	out := refundJSON{ID: r.ID, DateCreated: created, DateCreatedGMT: created,
		Amount: dec(r.AmountMinor), Reason: r.Reason, RefundedBy: 1, MetaData: []metaJSON{},
		LineItems: []lineItemJSON{}, ShippingLines: []any{}, TaxLines: []any{},
		FeeLines: []any{}, Links: refundLinksJSON{links: itemLinks(site, self, r.ID),
			Up: []link{{Href: site + apiPrefix + "orders/" + strconv.FormatInt(o.ID, 10)}}}}

	for _, l := range r.Lines {
		line := orderLine(o, l.LineID)
		item := lineItemJSON{ID: s.itemID(r.ID, "refund-line-"+strconv.FormatInt(l.LineID, 10)),
			Name: line.Name, Quantity: -l.Quantity, Subtotal: dec(-l.AmountMinor),
			SubtotalTax: dec(0), Total: dec(-l.AmountMinor), TotalTax: dec(0),
			Taxes: []taxJSON{}, MetaData: []metaJSON{}, SKU: l.SKU,
			Price: unitPrice(-l.AmountMinor, l.Quantity, o.Currency)}
		if p, ok := s.model.ProductBySKU(l.SKU); ok {
			item.ProductID = p.ID
		}
		out.LineItems = append(out.LineItems, item)
	}
	return out
}

// orderLine returns the line of o with id.
func orderLine(o storesandbox.Order, id int64) storesandbox.Line {
	i := slices.IndexFunc(o.Lines, func(l storesandbox.Line) bool { return l.ID == id })
	if i < 0 {
		return storesandbox.Line{}
	}
	return o.Lines[i]
}
