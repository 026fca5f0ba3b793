package erpsandbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/money"
)

// A Product is a sellable item, found by its SKU. PriceMinor is the list
// price in minor units of Currency.
type Product struct {
	ID         int64  `json:"id"`
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	PriceMinor int64  `json:"price_minor"`
	Currency   string `json:"currency"`
	// Archived products are no longer sold; ERPs keep them for history
	// and list them as inactive.
	Archived bool      `json:"archived,omitempty"`
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

// CreateProduct adds p with a new id and returns it as stored. The name and
// a valid currency are required, and a SKU must not be in use already.
func (m *Model) CreateProduct(p Product) (Product, error) {
	if err := validateProduct(p); err != nil {
		return Product{}, err
	}

	m.mu.Lock()
	defer m.mu.Unlock()

	if err := m.checkSKUFree(p.SKU, 0); err != nil {
		return Product{}, err
	}
	p.ID = m.nextID()
	p.Created = m.stamp()
	p.Modified = p.Created
	m.products[p.ID] = &p
	return p, nil
}

// SeedProducts creates every product of products, stopping at the first one
// the model refuses. It returns the products as stored.
func (m *Model) SeedProducts(products []Product) ([]Product, error) {
	stored := make([]Product, 0, len(products))
	for i, p := range products {
		s, err := m.CreateProduct(p)
		if err != nil {
			return stored, fmt.Errorf("seed product %d (%q): %w", i, p.SKU, err)
		}
		stored = append(stored, s)
	}
	return stored, nil
}

// Product returns the product with id, and whether there is one.
func (m *Model) Product(id int64) (Product, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	p, ok := m.products[id]
	if !ok {
		return Product{}, false
	}
	return *p, true
}

// ProductBySKU returns the product with sku, and whether there is one.
func (m *Model) ProductBySKU(sku string) (Product, bool) {
	found := m.FindProducts(func(p Product) bool { return sku != "" && p.SKU == sku })
	if len(found) == 0 {
		return Product{}, false
	}
	return found[0], true
}

// Products returns every product in ascending id order.
func (m *Model) Products() []Product {
	return m.FindProducts(func(Product) bool { return true })
}

// FindProducts returns the products that match reports true for, in
// ascending id order. match runs under the model's lock and must not call
// the model.
func (m *Model) FindProducts(match func(Product) bool) []Product {
	m.mu.Lock()
	defer m.mu.Unlock()

	var found []Product
	for _, id := range sortedIDs(m.products) {
		if p := *m.products[id]; match(p) {
			found = append(found, p)
		}
	}
	return found
}

// UpdateProduct applies change to a copy of the product with id, checks the
// result and stores it with a new modification time. An error from change
// leaves the product as it was and is returned unchanged.
// change runs under the model's lock and must not call the model.
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

	p.ID, p.Created = old.ID, old.Created
	if err := validateProduct(p); err != nil {
		return Product{}, err
	}
	if err := m.checkSKUFree(p.SKU, id); err != nil {
		return Product{}, err
	}
	p.Modified = m.stamp()
	m.products[id] = &p
	return p, nil
}

// checkSKUFree reports an error when another product than self uses sku.
// The caller holds m.mu.
func (m *Model) checkSKUFree(sku string, self int64) error {
	if sku == "" {
		return nil
	}
	for id, p := range m.products {
		if id != self && p.SKU == sku {
			return fmt.Errorf("sku %q is used by product %d: %w", sku, id, ErrInvalid)
		}
	}
	return nil
}

// validateProduct checks the rules every stored product keeps.
func validateProduct(p Product) error {
	if strings.TrimSpace(p.Name) == "" {
		return fmt.Errorf("product name is required: %w", ErrInvalid)
	}
	if !money.ValidCurrency(p.Currency) {
		return fmt.Errorf("product currency %q is not an ISO 4217 code: %w",
			p.Currency, ErrInvalid)
	}
	return nil
}
