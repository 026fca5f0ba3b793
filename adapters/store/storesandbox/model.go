// Package storesandbox holds the in-memory store that every store platform
// sandbox serves through its own wire protocol, and the webhook sender that
// delivers its events as platforms do: signed, and retried on failure on a
// schedule. It knows nothing of any one platform: protocol packages
// translate their field names, value shapes and signatures.
package storesandbox

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/erpsync/erpsync/internal/money"
)

// ErrNotFound reports a record that the model does not hold.
var ErrNotFound = errors.New("record not found")

// ErrInvalid reports a record that breaks a rule of the model.
var ErrInvalid = errors.New("invalid record")

// A Model is an in-memory store: products with prices, stock per location,
// customer accounts, and orders with their metafields, refunds and
// fulfillments. It is safe for concurrent use; every
// method returns copies.
type Model struct {
	now func() time.Time

	mu        sync.Mutex
	lastID    int64
	products  map[int64]*Product
	locations map[string]int64
	stock     map[stockKey]*StockLevel
	orders    map[int64]*Order
	accounts  map[int64]*Account
	watchers  []func(Event)
}

// NewModel returns an empty model whose times come from now, or from the
// wall clock when now is nil.
func NewModel(now func() time.Time) *Model {
	if now == nil {
		now = time.Now
	}
	return &Model{
		now:       now,
		products:  map[int64]*Product{},
		locations: map[string]int64{},
		stock:     map[stockKey]*StockLevel{},
		orders:    map[int64]*Order{},
		accounts:  map[int64]*Account{},
	}
}

// StartIDsAt makes the ids that the model gives from now on start at first,
// unless it has given ids that high already. A model that serves a store
// whose orders are synced again and again, by a Temporal server and a
// database that outlive it, starts each run's ids apart from the last.
func (m *Model) StartIDsAt(first int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastID = max(m.lastID, first-1)
}

// A Product is a sellable variant, found by its SKU. PriceMinor is its base
// (regular) price; SalePriceMinor, when not zero, is the promotional price
// it sells at instead, which platforms show as a sale price or as the price
// under a higher compare-at price.
type Product struct {
	ID             int64  `json:"id"`
	SKU            string `json:"sku"`
	Name           string `json:"name"`
	PriceMinor     int64  `json:"price_minor"`
	SalePriceMinor int64  `json:"sale_price_minor,omitempty"`
	Currency       string `json:"currency"`
	// Draft hides the product from shoppers until a merchant publishes it.
	Draft    bool      `json:"draft,omitempty"`
	Modified time.Time `json:"modified"`
}

// OnSale reports whether p sells at a promotional price.
func (p Product) OnSale() bool { return p.SalePriceMinor != 0 }

// CreateProduct adds p with a new id and returns it as stored. The SKU must
// be new, the name set and the currency valid.
func (m *Model) CreateProduct(p Product) (Product, error) {
	if p.SKU == "" || p.Name == "" || !money.ValidCurrency(p.Currency) || p.PriceMinor < 0 {
		return Product{}, fmt.Errorf("product %q: needs a sku, a name, a currency and a price "+
			"of at least 0: %w", p.SKU, ErrInvalid)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.productBySKU(p.SKU); ok {
		return Product{}, fmt.Errorf("product %q exists: %w", p.SKU, ErrInvalid)
	}
	p.ID = m.nextID()
	p.Modified = m.stamp()
	m.products[p.ID] = &p
	return p, nil
}

// ProductBySKU returns the product with sku, and whether there is one.
func (m *Model) ProductBySKU(sku string) (Product, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	p, ok := m.productBySKU(sku)
	if !ok {
		return Product{}, false
	}
	return *p, true
}

// Products returns every product in id order.
func (m *Model) Products() []Product {
	m.mu.Lock()
	defer m.mu.Unlock()

	out := make([]Product, 0, len(m.products))
	for _, id := range sortedIDs(m.products) {
		out = append(out, *m.products[id])
	}
	return out
}

// UpdateProduct applies change to a copy of the product with id and stores
// it with a new modification time, unless change returns an error.
func (m *Model) UpdateProduct(id int64, change func(*Product) error) (Product, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	old, ok := m.products[id]
	if !ok {
		return Product{}, fmt.Errorf("product %d: %w", id, ErrNotFound)
	}
	p := *old
	if err := change(&p); err != nil {
		return Product{}, err
	}
	if p.PriceMinor < 0 || p.SalePriceMinor < 0 {
		return Product{}, fmt.Errorf("product %d: negative price: %w", id, ErrInvalid)
	}
	p.ID, p.SKU, p.Modified = old.ID, old.SKU, m.stamp()
	m.products[id] = &p
	return p, nil
}

// productBySKU finds a product. The caller holds m.mu.
func (m *Model) productBySKU(sku string) (*Product, bool) {
	for _, p := range m.products {
		if p.SKU == sku {
			return p, true
		}
	}
	return nil, false
}

// nextID returns the next id of the sequence shared by all record kinds.
// The caller holds m.mu.
func (m *Model) nextID() int64 {
	m.lastID++
	return m.lastID
}

// stamp returns the model's time in UTC, truncated to whole seconds as
// platforms report it.
func (m *Model) stamp() time.Time {
	return m.now().UTC().Truncate(time.Second)
}

// sortedIDs returns the keys of records in ascending order.
func sortedIDs[T any](records map[int64]*T) []int64 {
	ids := make([]int64, 0, len(records))
	for id := range records {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
