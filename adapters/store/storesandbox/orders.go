package storesandbox

import (
	"fmt"
	"maps"
	"sort"
	"time"

	"github.com/erpsync/erpsync/internal/money"
)

// An Order is a customer's order as the store holds it. Amounts are minor
// units of Currency; the model computes TotalMinor: the lines at their unit
// prices, less their and the order's discounts, plus shipping, plus tax
// unless the prices include it.
type Order struct {
	ID       int64    `json:"id"`
	Number   int64    `json:"number"`
	Currency string   `json:"currency"`
	Customer Customer `json:"customer"`
	Lines    []Line   `json:"lines"`

	DiscountMinor int64 `json:"discount_minor,omitempty"`
	ShippingMinor int64 `json:"shipping_minor,omitempty"`
	TaxMinor      int64 `json:"tax_minor,omitempty"`
	TaxesIncluded bool  `json:"taxes_included,omitempty"`
	TotalMinor    int64 `json:"total_minor"`

	// Metafields are the app's values on the order, by "namespace.key".
	Metafields map[string]string `json:"metafields,omitempty"`

	// Guest is set for an order placed without an account. Its buyer is
	// linked to the account with the same e-mail when there is one, and
	// gets none otherwise.
	Guest bool `json:"guest,omitempty"`

	// Status is [StatusOpen] or [StatusCancelled].
	Status       string        `json:"status"`
	CancelReason string        `json:"cancel_reason,omitempty"`
	Refunds      []Refund      `json:"refunds,omitempty"`
	Fulfillments []Fulfillment `json:"fulfillments,omitempty"`

	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// A Line is one product line of an [Order].
type Line struct {
	ID             int64  `json:"id"`
	SKU            string `json:"sku"`
	Name           string `json:"name"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor int64  `json:"unit_price_minor"`
	DiscountMinor  int64  `json:"discount_minor,omitempty"`
	TaxMinor       int64  `json:"tax_minor,omitempty"`
}

// A Customer is the buyer of an [Order].
type Customer struct {
	ID         int64  `json:"id"`
	Email      string `json:"email"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	Phone      string `json:"phone,omitempty"`
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Region     string `json:"region,omitempty"`
	Country    string `json:"country,omitempty"`
}

// CreateOrder stores o as a new order, numbered after the last one (from
// 1001), and tells the watchers. Lines need a SKU and a positive quantity;
// they may name SKUs the store does not sell, as imported orders do.
func (m *Model) CreateOrder(o Order) (Order, error) {
	return m.createOrder(o, true)
}

func (m *Model) createOrder(o Order, tell bool) (Order, error) {
	if err := checkOrder(o); err != nil {
		return Order{}, err
	}

	m.mu.Lock()
	o.ID = m.nextID()
	o.Number = 1000 + int64(len(m.orders)) + 1
	for i := range o.Lines {
		o.Lines[i].ID = m.nextID()
	}
	o.TotalMinor = total(o)
	o.Status = StatusOpen
	o.Refunds, o.Fulfillments = nil, nil
	m.attachCustomer(&o)
	o.Created = m.stamp()
	o.Modified = o.Created
	stored := copyOrder(&o)
	m.orders[o.ID] = &stored
	ev := Event{ID: m.nextID(), Topic: TopicOrderCreated, OrderID: o.ID, At: o.Created}
	watchers := m.watchers
	m.mu.Unlock()

	if tell {
		notify(watchers, ev)
	}
	return copyOrder(&o), nil
}

// Order returns the order with id, and whether there is one.
func (m *Model) Order(id int64) (Order, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	o, ok := m.orders[id]
	if !ok {
		return Order{}, false
	}
	return copyOrder(o), true
}

// ChangedOrders returns the orders modified at or after since whose
// (modification time, id) comes after (afterTime, afterID), in that order,
// at most limit of them (all when limit is not positive).
func (m *Model) ChangedOrders(since, afterTime time.Time, afterID int64, limit int) []Order {
	m.mu.Lock()
	defer m.mu.Unlock()

	var out []Order
	for _, o := range m.orders {
		later := o.Modified.After(afterTime) || o.Modified.Equal(afterTime) && o.ID > afterID
		if !o.Modified.Before(since) && later {
			out = append(out, copyOrder(o))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Modified.Equal(out[j].Modified) {
			return out[i].Modified.Before(out[j].Modified)
		}
		return out[i].ID < out[j].ID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// SetMetafield sets the value of the order's metafield key
// ("namespace.key"), a new modification time, and tells the watchers of
// the update. Setting the value it has changes nothing.
func (m *Model) SetMetafield(orderID int64, key, value string) (Order, error) {
	if key == "" {
		return Order{}, fmt.Errorf("order %d: metafield needs a key: %w", orderID, ErrInvalid)
	}

	m.mu.Lock()
	o, ok := m.orders[orderID]
	if !ok {
		m.mu.Unlock()
		return Order{}, fmt.Errorf("order %d: %w", orderID, ErrNotFound)
	}
	if o.Metafields[key] == value {
		defer m.mu.Unlock()
		return copyOrder(o), nil
	}
	if o.Metafields == nil {
		o.Metafields = map[string]string{}
	}
	o.Metafields[key] = value
	return m.updated(o), nil
}

// checkOrder validates what the model requires of a new order.
func checkOrder(o Order) error {
	if !money.ValidCurrency(o.Currency) || o.Customer.Email == "" || len(o.Lines) == 0 {
		return fmt.Errorf("order needs a currency, a customer e-mail and lines: %w", ErrInvalid)
	}
	for i, l := range o.Lines {
		if l.SKU == "" || l.Quantity <= 0 || l.UnitPriceMinor < 0 {
			return fmt.Errorf("order line %d: needs a sku, a positive quantity and a price: %w",
				i, ErrInvalid)
		}
	}
	return nil
}

// total computes an order's total.
func total(o Order) int64 {
	sum := o.ShippingMinor - o.DiscountMinor
	if !o.TaxesIncluded {
		sum += o.TaxMinor
	}
	for _, l := range o.Lines {
		sum += l.Quantity*l.UnitPriceMinor - l.DiscountMinor
	}
	return sum
}

// copyOrder returns a copy of o that shares nothing with it.
func copyOrder(o *Order) Order {
	c := *o
	c.Lines = append([]Line(nil), o.Lines...)
	c.Metafields = maps.Clone(o.Metafields)
	c.Refunds = append([]Refund(nil), o.Refunds...)
	c.Fulfillments = append([]Fulfillment(nil), o.Fulfillments...)
	return c
}

// TouchOrder gives the order a new modification time and tells the
// watchers of the update, as a merchant's edit of a note would.
func (m *Model) TouchOrder(orderID int64) (Order, error) {
	m.mu.Lock()
	o, ok := m.orders[orderID]
	if !ok {
		m.mu.Unlock()
		return Order{}, fmt.Errorf("order %d: %w", orderID, ErrNotFound)
	}
	return m.updated(o), nil
}

// updated stamps o as modified, releases m.mu, which the caller holds, and
// tells the watchers of an update.
func (m *Model) updated(o *Order) Order {
	return m.changed(o, TopicOrderUpdated)
}

// changed stamps o as modified, releases m.mu, which the caller holds, and
// tells the watchers of an event of topic.
func (m *Model) changed(o *Order, topic string) Order {
	o.Modified = m.stamp()
	out, watchers := copyOrder(o), m.watchers
	ev := Event{ID: m.nextID(), Topic: topic, OrderID: o.ID, At: out.Modified}
	m.mu.Unlock()

	notify(watchers, ev)
	return out
}

// CreateOrderQuietly stores o as CreateOrder does but tells no watcher, as
// when a platform's webhook for the order is lost for good.
func (m *Model) CreateOrderQuietly(o Order) (Order, error) {
	return m.createOrder(o, false)
}
