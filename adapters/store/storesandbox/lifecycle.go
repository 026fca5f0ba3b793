package storesandbox

import (
	"fmt"
	"slices"
	"time"
)

// Order statuses.
const (
	StatusOpen      = "open"
	StatusCancelled = "cancelled"
)

// A Refund is money given back on an order: for units of its lines, and an
// amount of its own beyond them. AmountMinor is the whole refund.
type Refund struct {
	ID          int64        `json:"id"`
	AmountMinor int64        `json:"amount_minor"`
	Reason      string       `json:"reason,omitempty"`
	Lines       []RefundLine `json:"lines,omitempty"`
	Created     time.Time    `json:"created"`
}

// A RefundLine is units of one order line that a [Refund] pays back.
type RefundLine struct {
	LineID      int64  `json:"line_id"`
	SKU         string `json:"sku"`
	Quantity    int64  `json:"quantity"`
	AmountMinor int64  `json:"amount_minor"`
}

// A Fulfillment is units of an order's lines handed to a carrier. Ref is
// the app's own key for it (erpsync's shipment id), unique per order.
type Fulfillment struct {
	ID             int64             `json:"id"`
	Ref            string            `json:"ref,omitempty"`
	Carrier        string            `json:"carrier,omitempty"`
	TrackingNumber string            `json:"tracking_number,omitempty"`
	TrackingURL    string            `json:"tracking_url,omitempty"`
	Lines          []FulfillmentLine `json:"lines"`
	Created        time.Time         `json:"created"`
}

// A FulfillmentLine is units of one order line in a [Fulfillment].
type FulfillmentLine struct {
	LineID   int64  `json:"line_id"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// CancelOrder cancels an open order with reason and tells the watchers.
// Cancelling a cancelled order changes nothing.
func (m *Model) CancelOrder(id int64, reason string) (Order, error) {
	m.mu.Lock()
	o, ok := m.orders[id]
	if !ok {
		m.mu.Unlock()
		return Order{}, fmt.Errorf("order %d: %w", id, ErrNotFound)
	}
	if o.Status == StatusCancelled {
		defer m.mu.Unlock()
		return copyOrder(o), nil
	}
	o.Status, o.CancelReason = StatusCancelled, reason
	return m.changed(o, TopicOrderCancelled), nil
}

// EditOrder applies change to a copy of an open order's lines, shipping and
// discount, as a merchant's order edit does, recomputes the total and tells
// the watchers. Lines without an id are new and get one.
func (m *Model) EditOrder(id int64, change func(*Order) error) (Order, error) {
	m.mu.Lock()
	o, ok := m.orders[id]
	if !ok || o.Status == StatusCancelled {
		m.mu.Unlock()
		return Order{}, fmt.Errorf("open order %d: %w", id, ErrNotFound)
	}
	edited := copyOrder(o)
	if err := change(&edited); err != nil {
		m.mu.Unlock()
		return Order{}, err
	}
	if err := checkOrder(edited); err != nil {
		m.mu.Unlock()
		return Order{}, err
	}

	for i := range edited.Lines {
		if edited.Lines[i].ID == 0 {
			edited.Lines[i].ID = m.nextID()
		}
	}
	o.Lines, o.ShippingMinor, o.DiscountMinor = edited.Lines, edited.ShippingMinor,
		edited.DiscountMinor
	o.TotalMinor = total(*o)
	return m.changed(o, TopicOrderEdited), nil
}

// RefundOrder adds r to the order's refunds and tells the watchers. Its
// lines must name lines of the order by id, and the refunds must not pay
// back more units of a line than it holds or more than the order's total.
func (m *Model) RefundOrder(id int64, r Refund) (Refund, error) {
	m.mu.Lock()
	o, ok := m.orders[id]
	if !ok {
		m.mu.Unlock()
		return Refund{}, fmt.Errorf("order %d: %w", id, ErrNotFound)
	}
	if err := checkRefund(o, r); err != nil {
		m.mu.Unlock()
		return Refund{}, err
	}

	r.ID = m.nextID()
	r.Created = m.stamp()
	r.Lines = slices.Clone(r.Lines)
	for i := range r.Lines {
		r.Lines[i].SKU = lineByID(o, r.Lines[i].LineID).SKU
	}
	o.Refunds = append(slices.Clone(o.Refunds), r)
	m.changed(o, TopicRefundCreated)
	return r, nil
}

// checkRefund checks r against the order and its earlier refunds.
func checkRefund(o *Order, r Refund) error {
	if r.AmountMinor <= 0 {
		return fmt.Errorf("refund of order %d: amount must be positive: %w", o.ID, ErrInvalid)
	}
	refunded, units := r.AmountMinor, map[int64]int64{}
	for _, earlier := range o.Refunds {
		refunded += earlier.AmountMinor
		for _, l := range earlier.Lines {
			units[l.LineID] += l.Quantity
		}
	}
	if refunded > o.TotalMinor {
		return fmt.Errorf("refund of order %d: more than its total: %w", o.ID, ErrInvalid)
	}
	for i, l := range r.Lines {
		line := lineByID(o, l.LineID)
		units[l.LineID] += l.Quantity
		if line.ID == 0 || l.Quantity <= 0 || units[l.LineID] > line.Quantity {
			return fmt.Errorf("refund of order %d, line %d: line %d, quantity %d: %w",
				o.ID, i, l.LineID, l.Quantity, ErrInvalid)
		}
	}
	return nil
}

// Fulfill records f as a fulfillment of an open order and tells the
// watchers. A fulfillment whose Ref the order has already is not recorded
// again: the one recorded is returned. Lines name order lines by id, or by
// SKU when LineID is 0, and may not ship more units than are left.
func (m *Model) Fulfill(id int64, f Fulfillment) (Fulfillment, error) {
	m.mu.Lock()
	o, ok := m.orders[id]
	if !ok {
		m.mu.Unlock()
		return Fulfillment{}, fmt.Errorf("order %d: %w", id, ErrNotFound)
	}
	if done, ok := fulfillmentByRef(o, f.Ref); ok {
		m.mu.Unlock()
		return done, nil
	}
	if o.Status == StatusCancelled {
		m.mu.Unlock()
		return Fulfillment{}, fmt.Errorf("order %d is cancelled: %w", id, ErrInvalid)
	}
	lines, err := resolveFulfillment(o, f.Lines)
	if err != nil {
		m.mu.Unlock()
		return Fulfillment{}, err
	}

	f.ID, f.Created, f.Lines = m.nextID(), m.stamp(), lines
	o.Fulfillments = append(slices.Clone(o.Fulfillments), f)
	m.changed(o, TopicOrderFulfilled)
	return f, nil
}

// Unfulfilled returns the units of each line of o not yet fulfilled, by
// line id.
func Unfulfilled(o Order) map[int64]int64 {
	left := map[int64]int64{}
	for _, l := range o.Lines {
		left[l.ID] = l.Quantity
	}
	for _, f := range o.Fulfillments {
		for _, l := range f.Lines {
			left[l.LineID] -= l.Quantity
		}
	}
	return left
}

// resolveFulfillment names each line's order line and checks its quantity
// against what is left to ship.
func resolveFulfillment(o *Order, lines []FulfillmentLine) ([]FulfillmentLine, error) {
	if len(lines) == 0 {
		return nil, fmt.Errorf("fulfillment of order %d has no lines: %w", o.ID, ErrInvalid)
	}
	left, out := Unfulfilled(*o), make([]FulfillmentLine, len(lines))
	for i, l := range lines {
		line := lineByID(o, l.LineID)
		if l.LineID == 0 {
			line = lineBySKU(o, l.SKU, left)
		}
		left[line.ID] -= l.Quantity
		if line.ID == 0 || l.Quantity <= 0 || left[line.ID] < 0 {
			return nil, fmt.Errorf("fulfillment of order %d, line %d: sku %q, quantity %d "+
				"is not left to ship: %w", o.ID, i, l.SKU, l.Quantity, ErrInvalid)
		}
		out[i] = FulfillmentLine{LineID: line.ID, SKU: line.SKU, Quantity: l.Quantity}
	}
	return out, nil
}

func fulfillmentByRef(o *Order, ref string) (Fulfillment, bool) {
	for _, f := range o.Fulfillments {
		if ref != "" && f.Ref == ref {
			return f, true
		}
	}
	return Fulfillment{}, false
}

func lineByID(o *Order, id int64) Line {
	for _, l := range o.Lines {
		if l.ID == id {
			return l
		}
	}
	return Line{}
}

// lineBySKU returns the first line of sku with units left to ship, or the
// first line of sku.
func lineBySKU(o *Order, sku string, left map[int64]int64) Line {
	var first Line
	for _, l := range o.Lines {
		if l.SKU != sku {
			continue
		}
		if left[l.ID] > 0 {
			return l
		}
		if first.ID == 0 {
			first = l
		}
	}
	return first
}
