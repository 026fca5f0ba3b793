package bigcommerce

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// shipmentMarker starts the comments of a shipment that erpsync made,
// followed by the ERP's shipment id: BigCommerce keeps no key of the
// caller's on a shipment, so the comments carry it.
const shipmentMarker = "erpsync shipment "

// trackingCarriers are the AfterShip slugs that BigCommerce takes as
// tracking_carrier, by the lower-case carrier names ERPs commonly give.
var trackingCarriers = map[string]string{
	"ups": "ups", "usps": "usps", "fedex": "fedex", "dhl": "dhl",
	"dhl express": "dhl", "royal mail": "royal-mail", "canada post": "canada-post",
	"australia post": "australia-post", "dpd": "dpd", "gls": "gls", "tnt": "tnt",
	"postnl": "postnl", "ctt": "portugal-ctt",
}

// v2Shipment is the part of an order shipment that erpsync reads.
type v2Shipment struct {
	ID       int64  `json:"id"`
	Comments string `json:"comments"`
}

// shipmentPost is the body of POST /v2/orders/{id}/shipments.
type shipmentPost struct {
	OrderAddressID  int64          `json:"order_address_id"`
	TrackingNumber  string         `json:"tracking_number,omitempty"`
	TrackingLink    string         `json:"tracking_link,omitempty"`
	TrackingCarrier string         `json:"tracking_carrier"`
	ShippingMethod  string         `json:"shipping_method,omitempty"`
	Comments        string         `json:"comments"`
	Items           []shipmentItem `json:"items"`
}

// shipmentItem is units of one order product in a shipment.
type shipmentItem struct {
	OrderProductID int64 `json:"order_product_id"`
	Quantity       int64 `json:"quantity"`
}

// shippable is an order product with the units left to ship.
type shippable struct {
	v2Product
	left int64
}

// Ship records sh as a shipment of order orderID with POST
// /v2/orders/{id}/shipments, which moves the order to Partially Shipped or
// Shipped. The shipment's comments carry sh.ID, and the order's shipments
// are read first: when one carries sh.ID, nothing is written, so a retry
// after a lost answer makes no second shipment. Each line ships units of
// the order's products of its SKU, the first with units left (quantity
// less quantity_shipped) first. A shipment without an id or lines, a line
// of a SKU the order lacks, a quantity that is not positive or more than
// is left to ship gives a [*syncerr.InvalidError] naming the line and its
// SKU; BigCommerce refuses a cancelled order's shipment, which gives one
// too. The carrier goes in shipping_method, and in tracking_carrier when
// it is a carrier BigCommerce tracks.
//
// TODO: a shipment whose lines go to several shipping addresses of the
// order is refused, since BigCommerce makes one shipment per address and
// sh.ID names one.
func (s *Store) Ship(ctx context.Context, orderID string, sh store.Shipment) (err error) {
	defer syncerr.Wrap(&err, "ship %q of bigcommerce order %s", sh.ID, orderID)
	id, err := parseOrderID(orderID)
	if err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(sh.ID) == "":
		return syncerr.Invalid("id", "the shipment has no id")
	case len(sh.Lines) == 0:
		return syncerr.Invalid("lines", "the shipment has no lines")
	}

	done, err := s.shipped(ctx, id, sh.ID)
	if err != nil || done {
		return err
	}
	products, err := s.orderProducts(ctx, id)
	if err != nil {
		return err
	}
	post, err := shipmentFor(sh, products)
	if err != nil {
		return err
	}
	_, err = s.do(ctx, call{method: http.MethodPost, path: "/v2/orders/" + id + "/shipments",
		body: post}, nil)
	return err
}

// shipped reports whether order id has a shipment whose comments carry
// shipment id ref, reading its shipments a page at a time.
func (s *Store) shipped(ctx context.Context, id, ref string) (bool, error) {
	for page := 1; ; page++ {
		var shipments []v2Shipment
		q := url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(maxPage)}}
		status, err := s.do(ctx, call{method: http.MethodGet,
			path: "/v2/orders/" + id + "/shipments", query: q}, &shipments)
		if err != nil {
			return false, err
		}
		for _, sh := range shipments {
			if carries(sh.Comments, ref) {
				return true, nil
			}
		}
		if status == http.StatusNoContent || len(shipments) < maxPage {
			return false, nil
		}
	}
}

// carries reports whether a shipment's comments name shipment ref on a
// line of their own.
func carries(comments, ref string) bool {
	for _, line := range strings.Split(comments, "\n") {
		if strings.TrimSpace(line) == shipmentMarker+ref {
			return true
		}
	}
	return false
}

// shipmentFor spreads the lines of sh over the order's products and returns
// the shipment to post.
func shipmentFor(sh store.Shipment, products []v2Product) (shipmentPost, error) {
	open := make([]shippable, len(products))
	for i, p := range products {
		open[i] = shippable{v2Product: p, left: p.Quantity - p.QuantityShipped}
	}
	units := map[int64]int64{}
	for i, l := range sh.Lines {
		if err := allocate(open, units, i, l); err != nil {
			return shipmentPost{}, err
		}
	}

	post := shipmentPost{TrackingNumber: sh.TrackingNumber, TrackingLink: sh.TrackingURL,
		ShippingMethod: sh.Carrier, Comments: shipmentMarker + sh.ID,
		TrackingCarrier: trackingCarriers[strings.ToLower(strings.TrimSpace(sh.Carrier))]}
	for _, p := range open {
		n := units[p.ID]
		if n == 0 {
			continue
		}
		if post.OrderAddressID != 0 && p.OrderAddressID != post.OrderAddressID {
			return shipmentPost{}, syncerr.Invalid("lines", "the shipment's products go to "+
				"more than one shipping address of the order")
		}
		post.OrderAddressID = p.OrderAddressID
		post.Items = append(post.Items, shipmentItem{OrderProductID: p.ID, Quantity: n})
	}
	return post, nil
}

// allocate takes the units of line l, the shipment's line i, from the open
// products of its SKU, adding them to units by order product id.
func allocate(open []shippable, units map[int64]int64, i int, l store.ShipmentLine) error {
	field := "lines[" + strconv.Itoa(i) + "]"
	if l.Quantity <= 0 {
		return syncerr.Invalid(field+".quantity", "%d units of sku %q is not a positive "+
			"quantity", l.Quantity, l.SKU)
	}

	need, known := l.Quantity, false
	for j := range open {
		if strings.TrimSpace(open[j].SKU) != l.SKU || need == 0 {
			continue
		}
		known = true
		take := min(need, max(0, open[j].left))
		open[j].left -= take
		need -= take
		units[open[j].ID] += take
	}
	switch {
	case !known:
		return syncerr.Invalid(field+".sku", "the order has no product of sku %q", l.SKU)
	case need > 0:
		return syncerr.Invalid(field+".quantity", "%d units of sku %q are more than the %d "+
			"left to ship", l.Quantity, l.SKU, l.Quantity-need)
	}
	return nil
}

// orderStatusUpdate is the body of PUT /v2/orders/{id} that cancels.
type orderStatusUpdate struct {
	StatusID   int    `json:"status_id"`
	StaffNotes string `json:"staff_notes,omitempty"`
}

// CancelOrder moves order orderID to status 5, Cancelled, with PUT
// /v2/orders/{id}; which refunds nothing. BigCommerce keeps no
// cancellation reason, so reason is added to the order's staff notes. The
// order is read first and left alone when it is cancelled already, so a
// second call, or a retry after a lost answer, changes nothing. An order
// BigCommerce does not have gives an error wrapping [syncerr.ErrNotFound].
func (s *Store) CancelOrder(ctx context.Context, orderID, reason string) (err error) {
	defer syncerr.Wrap(&err, "cancel bigcommerce order %s", orderID)
	id, err := parseOrderID(orderID)
	if err != nil {
		return err
	}

	var head v2Order
	if _, err := s.do(ctx, call{method: http.MethodGet, path: "/v2/orders/" + id},
		&head); err != nil {
		return err
	}
	if head.StatusID == statusCancelled {
		return nil
	}

	notes := strings.TrimSpace(reason)
	if cur := strings.TrimSpace(head.StaffNotes); cur != "" && notes != "" {
		notes = cur + "\n" + notes
	}
	_, err = s.do(ctx, call{method: http.MethodPut, path: "/v2/orders/" + id,
		body: orderStatusUpdate{StatusID: statusCancelled, StaffNotes: notes}}, nil)
	return err
}
