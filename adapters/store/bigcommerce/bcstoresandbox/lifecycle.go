package bcstoresandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// V2 order statuses that the model's orders pass through.
const (
	statusShipped             = 2
	statusPartiallyShipped    = 3
	statusRefunded            = 4
	statusCancelled           = 5
	statusAwaitingFulfillment = 11
	statusPartiallyRefunded   = 14
)

// statusNames are the names BigCommerce gives those statuses.
var statusNames = map[int]string{
	statusShipped:             "Shipped",
	statusPartiallyShipped:    "Partially Shipped",
	statusRefunded:            "Refunded",
	statusCancelled:           "Cancelled",
	statusAwaitingFulfillment: "Awaiting Fulfillment",
	statusPartiallyRefunded:   "Partially Refunded",
}

// status is an order's V2 status.
type status struct {
	id   int
	name string
}

// orderStatus works out the status of a model order, which is paid when it
// is placed: cancelled, refunded in full, shipped in full or in part,
// refunded in part, or awaiting fulfillment, in that order of precedence.
func orderStatus(o storesandbox.Order) status {
	left := unshipped(o)
	id := statusAwaitingFulfillment
	switch items := itemCount(o); {
	case o.Status == storesandbox.StatusCancelled:
		id = statusCancelled
	case refunded(o) >= o.TotalMinor && o.TotalMinor > 0:
		id = statusRefunded
	case left == 0:
		id = statusShipped
	case left < items:
		id = statusPartiallyShipped
	case len(o.Refunds) > 0:
		id = statusPartiallyRefunded
	}
	return status{id: id, name: statusNames[id]}
}

// itemCount returns the units of the order's lines.
func itemCount(o storesandbox.Order) int64 {
	var n int64
	for _, l := range o.Lines {
		n += l.Quantity
	}
	return n
}

// unshipped returns the units of the order not yet in a shipment.
func unshipped(o storesandbox.Order) int64 {
	var n int64
	for _, left := range storesandbox.Unfulfilled(o) {
		n += left
	}
	return n
}

// refunded returns the amount refunded on the order.
func refunded(o storesandbox.Order) int64 {
	var n int64
	for _, r := range o.Refunds {
		n += r.AmountMinor
	}
	return n
}

// lineRefund is what the refunds of an order paid back for one line.
type lineRefund struct{ quantity, amount int64 }

// lineRefunds sums the refunds of order line id.
func lineRefunds(o storesandbox.Order, id int64) lineRefund {
	var back lineRefund
	for _, r := range o.Refunds {
		for _, l := range r.Lines {
			if l.LineID == id {
				back.quantity += l.Quantity
				back.amount += l.AmountMinor
			}
		}
	}
	return back
}

// orderNotes keeps what BigCommerce holds of an order beyond the model:
// its staff notes, and what each shipment was posted with.
type orderNotes struct {
	mu        sync.Mutex
	staff     map[int64]string
	shipments map[int64]shipmentInput // by shipment (model fulfillment) id
	statuses  map[int64]int           // the last status told to webhooks, by order
}

// staffNotes returns the order's staff notes: those written to it, or the
// reason the model's order was cancelled with.
func (s *Sandbox) staffNotes(o storesandbox.Order) string {
	s.notes.mu.Lock()
	notes, ok := s.notes.staff[o.ID]
	s.notes.mu.Unlock()
	if !ok {
		return o.CancelReason
	}
	return notes
}

// dateShipped returns when the order's last shipment was made, or "" when it
// has none, as V2 gives date_shipped.
func (s *Sandbox) dateShipped(o storesandbox.Order) string {
	if len(o.Fulfillments) == 0 {
		return ""
	}
	return rfc2822(o.Fulfillments[len(o.Fulfillments)-1].Created)
}

// orderUpdate is the part of PUT /v2/orders/{id} that the sandbox applies.
type orderUpdate struct {
	StatusID   *json.Number `json:"status_id"`
	StaffNotes *string      `json:"staff_notes"`
}

// updateOrder answers PUT /v2/orders/{id}: staff notes are kept, and
// status 5 cancels the order, with its staff notes as the reason. Setting
// the status the order has changes nothing; the model's orders move to the
// other statuses only through what happens to them (shipments, refunds),
// so other status changes are refused with 400.
func (s *Sandbox) updateOrder(w http.ResponseWriter, r *http.Request, body []byte) {
	o, ok := s.order(w, r, 2)
	if !ok {
		return
	}
	var in orderUpdate
	if !decodeBody(w, 2, body, &in) {
		return
	}
	want := orderStatus(o).id
	if in.StatusID != nil {
		n, err := strconv.Atoi(in.StatusID.String())
		if _, known := statusNames[n]; err != nil || !known {
			writeError(w, 2, http.StatusBadRequest, "The field 'status_id' is invalid.", nil)
			return
		}
		want = n
	}
	if want != statusCancelled && want != orderStatus(o).id {
		writeError(w, 2, http.StatusBadRequest, "The sandbox's orders change status only "+
			"when they are shipped, refunded or cancelled (status_id 5).", nil)
		return
	}

	if in.StaffNotes != nil {
		s.notes.mu.Lock()
		s.notes.staff[o.ID] = *in.StaffNotes
		s.notes.mu.Unlock()
	}
	if want == statusCancelled {
		var err error
		if o, err = s.model.CancelOrder(o.ID, s.staffNotes(o)); err != nil {
			writeError(w, 2, http.StatusBadRequest, err.Error(), nil)
			return
		}
	}
	o, _ = s.model.Order(o.ID)
	writeJSON(w, http.StatusOK, s.v2Order(o, origin(r)))
}

// refund is a refund as GET /v3/orders/{id}/payment_actions/refunds
// answers it.
type refund struct {
	ID                 int64           `json:"id"`
	OrderID            int64           `json:"order_id"`
	UserID             int64           `json:"user_id"`
	Created            string          `json:"created"`
	Reason             string          `json:"reason"`
	TotalAmount        json.Number     `json:"total_amount"`
	TotalTax           json.Number     `json:"total_tax"`
	UsesMerchantValues bool            `json:"uses_merchant_override_values"`
	Items              []refundItem    `json:"items"`
	Payments           []refundPayment `json:"payments"`
}

// refundItem is what a refund paid back: units of an order product, or an
// amount of the order. BigCommerce gives no requested_amount for units
// refunded by quantity; the sandbox gives the amount the model holds.
type refundItem struct {
	ItemType        string       `json:"item_type"`
	ItemID          int64        `json:"item_id"`
	Reason          string       `json:"reason,omitempty"`
	Quantity        *int64       `json:"quantity,omitempty"`
	RequestedAmount *json.Number `json:"requested_amount"`
}

// refundPayment is the payment that gave a refund's money back.
type refundPayment struct {
	ID              int64       `json:"id"`
	ProviderID      string      `json:"provider_id"`
	Amount          json.Number `json:"amount"`
	Offline         bool        `json:"offline"`
	IsDeclined      bool        `json:"is_declined"`
	DeclinedMessage string      `json:"declined_message"`
}

// listRefunds answers GET /v3/orders/{id}/payment_actions/refunds: the
// order's refunds by id.
func (s *Sandbox) listRefunds(w http.ResponseWriter, r *http.Request, _ []byte) {
	o, ok := s.order(w, r, 3)
	if !ok {
		return
	}
	out := make([]refund, 0, len(o.Refunds))
	for _, rf := range o.Refunds {
		out = append(out, s.toRefund(o, rf))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out, "meta": map[string]any{}})
}

// toRefund converts a model refund of order o. The part of its amount that
// its lines do not account for is an ORDER item.
func (s *Sandbox) toRefund(o storesandbox.Order, rf storesandbox.Refund) refund {
	num := func(minor int64) json.Number { return number(minor, o.Currency) }
	out := refund{ID: rf.ID, OrderID: o.ID, Created: rf.Created.UTC().Format(time.RFC3339),
		Reason: rf.Reason, TotalAmount: num(rf.AmountMinor), TotalTax: num(0),
		Items: []refundItem{},
		Payments: []refundPayment{{ID: rf.ID, ProviderID: "storecredit", Offline: true,
			Amount: num(rf.AmountMinor)}}}

	rest := rf.AmountMinor
	for _, l := range rf.Lines {
		qty, amount := l.Quantity, num(l.AmountMinor)
		out.Items = append(out.Items, refundItem{ItemType: "PRODUCT", ItemID: l.LineID,
			Quantity: &qty, RequestedAmount: &amount})
		rest -= l.AmountMinor
	}
	if rest > 0 {
		amount := num(rest)
		out.Items = append(out.Items, refundItem{ItemType: "ORDER", ItemID: o.ID,
			Reason: rf.Reason, RequestedAmount: &amount})
	}
	return out
}

// shipmentInput is the body of POST /v2/orders/{id}/shipments.
type shipmentInput struct {
	OrderAddressID   *json.Number `json:"order_address_id"`
	TrackingNumber   string       `json:"tracking_number"`
	TrackingLink     string       `json:"tracking_link"`
	ShippingMethod   string       `json:"shipping_method"`
	ShippingProvider string       `json:"shipping_provider"`
	TrackingCarrier  string       `json:"tracking_carrier"`
	Comments         string       `json:"comments"`
	Items            []struct {
		OrderProductID *json.Number `json:"order_product_id"`
		Quantity       *json.Number `json:"quantity"`
	} `json:"items"`
}

// shipment is an order shipment as V2 answers it.
type shipment struct {
	ID                          int64          `json:"id"`
	OrderID                     int64          `json:"order_id"`
	CustomerID                  int64          `json:"customer_id"`
	OrderAddressID              int64          `json:"order_address_id"`
	DateCreated                 string         `json:"date_created"`
	TrackingNumber              string         `json:"tracking_number"`
	MerchantShippingCost        string         `json:"merchant_shipping_cost"`
	ShippingMethod              string         `json:"shipping_method"`
	ShippingProvider            string         `json:"shipping_provider"`
	ShippingProviderDisplayName string         `json:"shipping_provider_display_name"`
	TrackingCarrier             string         `json:"tracking_carrier"`
	TrackingLink                string         `json:"tracking_link"`
	GeneratedTrackingLink       string         `json:"generated_tracking_link"`
	Comments                    string         `json:"comments"`
	BillingAddress              v2Address      `json:"billing_address"`
	ShippingAddress             v2Address      `json:"shipping_address"`
	Items                       []shipmentItem `json:"items"`
}

// shipmentItem is units of one order product in a shipment.
type shipmentItem struct {
	OrderProductID int64 `json:"order_product_id"`
	ProductID      int64 `json:"product_id"`
	Quantity       int64 `json:"quantity"`
}

// listShipments answers GET /v2/orders/{id}/shipments: a page of the
// order's shipments, or 204 when it holds none.
func (s *Sandbox) listShipments(w http.ResponseWriter, r *http.Request, _ []byte) {
	o, ok := s.order(w, r, 2)
	if !ok {
		return
	}
	p, ok := readPaging(w, r.URL.Query(), 2, 50, 250)
	if !ok {
		return
	}

	page, _ := cut(o.Fulfillments, p)
	if len(page) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := make([]shipment, len(page))
	for i, f := range page {
		out[i] = s.toShipment(o, f)
	}
	writeJSON(w, http.StatusOK, out)
}

// createShipment answers POST /v2/orders/{id}/shipments with 201 and the
// shipment. It needs the order's shipping address and items of its
// products with units left to ship; BigCommerce keeps no key of the
// caller's, so every call that passes makes a shipment.
func (s *Sandbox) createShipment(w http.ResponseWriter, r *http.Request, body []byte) {
	o, ok := s.order(w, r, 2)
	if !ok {
		return
	}
	var in shipmentInput
	if !decodeBody(w, 2, body, &in) {
		return
	}
	lines, reason := checkShipment(o, in)
	if reason != "" {
		writeError(w, 2, http.StatusBadRequest, reason, nil)
		return
	}

	carrier := in.ShippingMethod // what the shipper named it, when given
	for _, alt := range []string{in.TrackingCarrier, in.ShippingProvider} {
		if carrier == "" {
			carrier = alt
		}
	}
	f, err := s.model.Fulfill(o.ID, storesandbox.Fulfillment{Carrier: carrier,
		TrackingNumber: in.TrackingNumber, TrackingURL: in.TrackingLink, Lines: lines})
	if errors.Is(err, storesandbox.ErrInvalid) {
		writeError(w, 2, http.StatusBadRequest, "The shipment cannot be made: "+err.Error(), nil)
		return
	}
	if err != nil {
		writeError(w, 2, http.StatusInternalServerError, err.Error(), nil)
		return
	}

	s.notes.mu.Lock()
	s.notes.shipments[f.ID] = in
	s.notes.mu.Unlock()
	o, _ = s.model.Order(o.ID)
	writeJSON(w, http.StatusCreated, s.toShipment(o, f))
}

// checkShipment resolves the items of a shipment to lines of o, or says why
// BigCommerce would refuse it.
func checkShipment(o storesandbox.Order, in shipmentInput) ([]storesandbox.FulfillmentLine,
	string) {
	if in.OrderAddressID == nil || in.OrderAddressID.String() !=
		strconv.FormatInt(o.ID+addressBase, 10) {
		return nil, "The field 'order_address_id' must name a shipping address of the order."
	}
	if len(in.Items) == 0 {
		return nil, "The field 'items' is required."
	}
	if len(in.TrackingNumber) > 50 {
		return nil, "The field 'tracking_number' is longer than 50 characters."
	}

	left := storesandbox.Unfulfilled(o)
	lines := make([]storesandbox.FulfillmentLine, 0, len(in.Items))
	for i, it := range in.Items {
		at := "items[" + strconv.Itoa(i) + "]"
		var id, qty int64
		var err1, err2 error
		if it.OrderProductID != nil && it.Quantity != nil {
			id, err1 = it.OrderProductID.Int64()
			qty, err2 = it.Quantity.Int64()
		}
		if _, ok := left[id]; !ok || err1 != nil || err2 != nil {
			return nil, "The field '" + at + ".order_product_id' is not a product of the order."
		}
		if left[id] -= qty; qty <= 0 || left[id] < 0 {
			return nil, "The quantity of " + at + " is more than is left to ship of the " +
				"order product."
		}
		lines = append(lines, storesandbox.FulfillmentLine{LineID: id, Quantity: qty})
	}
	return lines, ""
}

// toShipment converts a fulfillment of order o, with what it was posted with.
func (s *Sandbox) toShipment(o storesandbox.Order, f storesandbox.Fulfillment) shipment {
	s.notes.mu.Lock()
	in, posted := s.notes.shipments[f.ID]
	s.notes.mu.Unlock()
	if !posted {
		// A fulfillment made in the model, as by a merchant in the
		// control panel.
		in.TrackingCarrier = f.Carrier
	}

	items := make([]shipmentItem, len(f.Lines))
	for i, l := range f.Lines {
		var product int64
		if p, ok := s.model.ProductBySKU(l.SKU); ok {
			product = p.ID
		}
		items[i] = shipmentItem{OrderProductID: l.LineID, ProductID: product,
			Quantity: l.Quantity}
	}
	addr := billingAddress(o.Customer)
	return shipment{ID: f.ID, OrderID: o.ID, CustomerID: o.Customer.ID,
		OrderAddressID: o.ID + addressBase, DateCreated: rfc2822(f.Created),
		TrackingNumber: f.TrackingNumber, MerchantShippingCost: amount(0, o.Currency),
		ShippingMethod: in.ShippingMethod, ShippingProvider: in.ShippingProvider,
		ShippingProviderDisplayName: in.ShippingProvider, TrackingCarrier: in.TrackingCarrier,
		TrackingLink: f.TrackingURL, Comments: in.Comments, BillingAddress: addr,
		ShippingAddress: addr, Items: items}
}
