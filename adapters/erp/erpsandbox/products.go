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
	return m.addProduct(p, m.stamp())
}

// SeedProducts creates every product of products, stopping at the first one
// the model refuses. It returns the products as stored, all created at one
// time of the model's clock.
func (m *Model) SeedProducts(products []Product) ([]Product, error) {
	stored := make([]Product, 0, len(products))
	err := m.seedProducts(products, func(p Product) { stored = append(stored, p) })
	return stored, err
}

// SeedCatalog creates products as [Model.SeedProducts] does without
// returning them, for catalogs of millions of products: it takes the
// model's lock once and time proportional to the number of products.
func (m *Model) SeedCatalog(products []Product) error {
	return m.seedProducts(products, func(Product) {})
}

// seedProducts creates every product of products, passing each as stored to
// created, and stops at the first one the model refuses.
func (m *Model) seedProducts(products []Product, created func(Product)) error {
	m.mu.Lock()
	defer m.mu.Unlock()

	now := m.stamp()
	for i, p := range products {
		err := validateProduct(p)
		if err == nil {
			p, err = m.addProduct(p, now)
		}
		if err != nil {
			return fmt.Errorf("seed product %d (%q): %w", i, products[i].SKU, err)
		}
		created(p)
	}
	return nil
}

// addProduct stores the valid product p with a new id, created at now. The
// caller holds m.mu.
func (m *Model) addProduct(p Product, now time.Time) (Product, error) {
	if err := m.checkSKUFree(p.SKU, 0); err != nil {
		return Product{}, err
	}

	p.ID = m.nextID()
	p.Created, p.Modified = now, now
	stored := p
	m.products.add(&stored)
	if p.SKU != "" {
		m.productBySKU[p.SKU] = &stored
	}
	return p, nil
}

// Product returns the product with id, and whether there is one.
func (m *Model) Product(id int64) (Product, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	p, ok := m.products.get(id)
	if !ok {
		return Product{}, false
	}
	return *p, true
}

// ProductBySKU returns the product with sku, and whether there is one.
func (m *Model) ProductBySKU(sku string) (Product, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	p, ok := m.productBySKU[sku]
	if !ok {
		return Product{}, false
	}
	return *p, true
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
	for _, r := range m.products.all() {
		if p := *r; match(p) {
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

	old, ok := m.products.get(id)
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
	delete(m.productBySKU, old.SKU)
	m.products.set(old, p)
	if p.SKU != "" {
		m.productBySKU[p.SKU] = old
	}
	return p, nil
}

// checkSKUFree reports an error when another product than self uses sku.
// The caller holds m.mu.
func (m *Model) checkSKUFree(sku string, self int64) error {
	if p, ok := m.productBySKU[sku]; ok && sku != "" && p.ID != self {
		return fmt.Errorf("sku %q is used by product %d: %w", sku, p.ID, ErrInvalid)
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
