// Package erpsandbox holds the in-memory ERP that every ERP sandbox serves
// through its own wire protocol, the faults those sandboxes can inject, and
// an admin HTTP API to steer both. It knows nothing of any one ERP: protocol
// packages translate their field names and value shapes into this model.
package erpsandbox

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrNotFound reports a record id that the model does not hold.
var ErrNotFound = errors.New("record not found")

// ErrInvalid reports a record that breaks a rule of the model: a missing
// required value, a reference to a record that does not exist, a bad amount.
var ErrInvalid = errors.New("invalid record")

// ErrShipped reports a change that a shipped sales order does not allow,
// such as its cancellation. It wraps [ErrState].
var ErrShipped = fmt.Errorf("sales order has shipped: %w", ErrState)

// ErrState reports an operation that the record's state does not allow, such
// as confirming a cancelled sales order.
var ErrState = errors.New("operation not allowed in this state")

// A Model is an in-memory ERP: customers, products, sales orders, stock and
// shipments.
// It is safe for concurrent use. Every method returns copies, so callers may
// keep or change what they get without touching the model. Every write
// keeps indexes up to date (records by id, products by SKU, stock levels by
// SKU and location, every kind in change order), so that a lookup or a page
// of changes takes time in proportion to what it returns, not to the
// number of records held.
type Model struct {
	now func() time.Time

	mu        sync.Mutex
	lastID    int64
	lastOrder int64
	// lastShipment numbers shipments, lastMemo credit memos.
	lastShipment int64
	lastMemo     int64
	requests     int64

	customers *table[Customer]
	products  *table[Product]
	orders    *table[SalesOrder]
	stock     *stockStore
	shipments *table[Shipment]
	memos     *table[CreditMemo]

	// productBySKU holds every product with a SKU; SKUs are unique.
	productBySKU map[string]*Product
}

// NewModel returns an empty model whose modification times come from now, or
// from the wall clock when now is nil.
func NewModel(now func() time.Time) *Model {
	if now == nil {
		now = time.Now
	}
	return &Model{
		now:       now,
		customers: newTable(func(c *Customer) Key { return Key{c.Modified, c.ID} }),
		products:  newTable(func(p *Product) Key { return Key{p.Modified, p.ID} }),
		orders:    newTable(func(o *SalesOrder) Key { return Key{o.Modified, o.ID} }),
		stock:     newStockStore(),
		shipments: newTable(func(s *Shipment) Key { return Key{s.Modified, s.ID} }),
		memos:     newTable(func(c *CreditMemo) Key { return Key{c.Modified, c.ID} }),

		productBySKU: map[string]*Product{},
	}
}

// CountRequest records that a protocol sandbox served one request.
func (m *Model) CountRequest() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests++
}

// RequestsServed returns how many requests the protocol sandboxes counted.
func (m *Model) RequestsServed() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.requests
}

// SalesOrdersByExternalRef returns how many sales orders carry each external
// reference. Orders without one are not counted. A count above one is a
// duplicate, which order sync must never produce.
func (m *Model) SalesOrdersByExternalRef() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()

	counts := map[string]int{}
	for _, o := range m.orders.all() {
		if o.ExternalRef != "" {
			counts[o.ExternalRef]++
		}
	}
	return counts
}

// nextID returns the next id of the sequence shared by all record kinds.
// The caller holds m.mu.
func (m *Model) nextID() int64 {
	m.lastID++
	return m.lastID
}

// stamp returns the current time of the model's clock in UTC, truncated to
// whole seconds as ERPs store it.
func (m *Model) stamp() time.Time {
	return m.now().UTC().Truncate(time.Second)
}
