package erpsandbox

import (
	"fmt"
	"math"
	"time"

	"github.com/erpsync/erpsync/internal/money"
)

// OrderState is the life-cycle state of a [SalesOrder].
type OrderState string

// The states a sales order moves through. A new order is a draft; only a
// draft can be confirmed; a draft or a confirmed order can be cancelled.
const (
	OrderDraft     OrderState = "draft"
	OrderConfirmed OrderState = "confirmed"
	OrderCancelled OrderState = "cancelled"
)

// A SalesOrder is a customer's order as the ERP books it. Amounts are minor
// units of Currency; TotalMinor is computed by the model from the lines.
type SalesOrder struct {
	ID          int64      `json:"id"`
	Number      string     `json:"number"`
	CustomerID  int64      `json:"customer_id"`
	ExternalRef string     `json:"external_ref,omitempty"`
	Currency    string     `json:"currency"`
	State       OrderState `json:"state"`
	// CancelReason says why a cancelled order was cancelled.
	CancelReason string      `json:"cancel_reason,omitempty"`
	OrderedAt    time.Time   `json:"ordered_at"`
	Lines        []OrderLine `json:"lines"`
	TotalMinor   int64       `json:"total_minor"`
	Created      time.Time   `json:"created"`
	Modified     time.Time   `json:"modified"`
}

// An OrderLine is one product line of a [SalesOrder]. Lines get ids from the
// model's sequence when they are stored.
type OrderLine struct {
	ID             int64  `json:"id"`
	ProductID      int64  `json:"product_id"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor int64  `json:"unit_price_minor"`
	Description    string `json:"description,omitempty"`
}

// CreateSalesOrder stores o as a new order and returns it as stored. The
// customer and every line's product must exist and the currency must be
// valid. An empty Number gets the next document number ("S00001", ...), an
// empty State becomes [OrderDraft], and a zero OrderedAt the creation time.
func (m *Model) CreateSalesOrder(o SalesOrder) (SalesOrder, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	if o.State == "" {
		o.State = OrderDraft
	}
	o.Lines = append([]OrderLine(nil), o.Lines...)
	if err := m.checkOrder(&o); err != nil {
		return SalesOrder{}, err
	}

	o.ID = m.nextID()
	m.lastOrder++
	if o.Number == "" {
		o.Number = fmt.Sprintf("S%05d", m.lastOrder)
	}
	o.Created = m.stamp()
	o.Modified = o.Created
	if o.OrderedAt.IsZero() {
		o.OrderedAt = o.Created
	}
	m.assignLineIDs(&o)
	m.orders.add(&o)
	return copyOrder(&o), nil
}

// SalesOrder returns the order with id, and whether there is one.
func (m *Model) SalesOrder(id int64) (SalesOrder, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	o, ok := m.orders.get(id)
	if !ok {
		return SalesOrder{}, false
	}
	return copyOrder(o), true
}

// SalesOrders returns every order in ascending id order.
func (m *Model) SalesOrders() []SalesOrder {
	return m.FindSalesOrders(func(SalesOrder) bool { return true })
}

// FindSalesOrders returns the orders that match reports true for, in
// ascending id order. match runs under the model's lock and must not call
// the model.
func (m *Model) FindSalesOrders(match func(SalesOrder) bool) []SalesOrder {
	m.mu.Lock()
	defer m.mu.Unlock()

	var found []SalesOrder
	for _, r := range m.orders.all() {
		if o := copyOrder(r); match(o) {
			found = append(found, o)
		}
	}
	return found
}

// UpdateSalesOrder applies change to a copy of the order with id, checks the
// result, gives new lines (those with id 0) ids, recomputes the total and
// stores it with a new modification time. change may not move the state: use
// [Model.ConfirmSalesOrder] and [Model.CancelSalesOrder]. An error from
// change leaves the order as it was and is returned unchanged.
// change runs under the model's lock and must not call the model.
func (m *Model) UpdateSalesOrder(id int64, change func(*SalesOrder) error) (SalesOrder, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	old, ok := m.orders.get(id)
	if !ok {
		return SalesOrder{}, fmt.Errorf("sales order %d: %w", id, ErrNotFound)
	}
	o := copyOrder(old)
	if err := change(&o); err != nil {
		return SalesOrder{}, err
	}

	o.ID, o.Created, o.State = old.ID, old.Created, old.State
	if err := m.checkOrder(&o); err != nil {
		return SalesOrder{}, err
	}
	m.assignLineIDs(&o)
	o.Modified = m.stamp()
	m.orders.set(old, o)
	return copyOrder(&o), nil
}

// ConfirmSalesOrder moves the draft order with id to [OrderConfirmed].
func (m *Model) ConfirmSalesOrder(id int64) (SalesOrder, error) {
	return m.moveOrder(id, OrderConfirmed, "", OrderDraft)
}

// CancelSalesOrder moves the draft or confirmed order with id to
// [OrderCancelled], recording reason (which may be empty). An order with a
// shipment cannot be cancelled: the error wraps [ErrShipped].
func (m *Model) CancelSalesOrder(id int64, reason string) (SalesOrder, error) {
	if m.Shipped(id) {
		return SalesOrder{}, fmt.Errorf("sales order %d: %w", id, ErrShipped)
	}
	return m.moveOrder(id, OrderCancelled, reason, OrderDraft, OrderConfirmed)
}

// moveOrder sets the state of order id to to, with reason, when its state is
// one of from.
func (m *Model) moveOrder(id int64, to OrderState, reason string,
	from ...OrderState) (SalesOrder, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	o, ok := m.orders.get(id)
	if !ok {
		return SalesOrder{}, fmt.Errorf("sales order %d: %w", id, ErrNotFound)
	}
	for _, s := range from {
		if o.State == s {
			moved := copyOrder(o)
			moved.State, moved.CancelReason = to, reason
			moved.Modified = m.stamp()
			m.orders.set(o, moved)
			return copyOrder(o), nil
		}
	}
	return SalesOrder{}, fmt.Errorf("sales order %d is %s, cannot become %s: %w",
		id, o.State, to, ErrState)
}

// checkOrder validates o against the model and sets its total. The caller
// holds m.mu.
func (m *Model) checkOrder(o *SalesOrder) error {
	if _, ok := m.customers.get(o.CustomerID); !ok {
		return fmt.Errorf("customer %d does not exist: %w", o.CustomerID, ErrInvalid)
	}
	if !money.ValidCurrency(o.Currency) {
		return fmt.Errorf("currency %q is not an ISO 4217 code: %w", o.Currency, ErrInvalid)
	}
	switch o.State {
	case OrderDraft, OrderConfirmed, OrderCancelled:
	default:
		return fmt.Errorf("order state %q is unknown: %w", o.State, ErrInvalid)
	}

	total := int64(0)
	for i, l := range o.Lines {
		if _, ok := m.products.get(l.ProductID); !ok {
			return fmt.Errorf("line %d: product %d does not exist: %w", i, l.ProductID, ErrInvalid)
		}
		sum, ok := addProduct(total, l.Quantity, l.UnitPriceMinor)
		if !ok {
			return fmt.Errorf("line %d: amount out of range: %w", i, ErrInvalid)
		}
		total = sum
	}
	o.TotalMinor = total
	return nil
}

// assignLineIDs gives the lines of o that have none an id. The caller holds
// m.mu.
func (m *Model) assignLineIDs(o *SalesOrder) {
	for i := range o.Lines {
		if o.Lines[i].ID == 0 {
			o.Lines[i].ID = m.nextID()
		}
	}
}

// addProduct returns total + q*unit and whether it fits in an int64.
func addProduct(total, q, unit int64) (int64, bool) {
	if q != 0 && unit != 0 {
		if q == -1 && unit == math.MinInt64 || unit == -1 && q == math.MinInt64 {
			return 0, false
		}
		if p := q * unit; p/unit != q {
			return 0, false
		}
	}
	p := q * unit
	if (p > 0 && total > math.MaxInt64-p) || (p < 0 && total < math.MinInt64-p) {
		return 0, false
	}
	return total + p, true
}

// copyOrder returns a copy of o that shares no lines with it.
func copyOrder(o *SalesOrder) SalesOrder {
	c := *o
	c.Lines = append([]OrderLine(nil), o.Lines...)
	return c
}
