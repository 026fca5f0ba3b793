package erpsandbox

import (
	"fmt"
	"strings"
	"time"
)

// A Customer is a buyer that sales orders refer to.
type Customer struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Email       string  `json:"email,omitempty"`
	Phone       string  `json:"phone,omitempty"`
	Address     Address `json:"address"`
	ExternalRef string  `json:"external_ref,omitempty"`
	// CreditLimitMinor is in minor units of the company currency; nil
	// means no limit. PaymentTerms and PriceGroup are codes ("NET30").
	CreditLimitMinor *int64    `json:"credit_limit_minor,omitempty"`
	PaymentTerms     string    `json:"payment_terms,omitempty"`
	PriceGroup       string    `json:"price_group,omitempty"`
	Created          time.Time `json:"created"`
	Modified         time.Time `json:"modified"`
}

// Address is the postal address of a [Customer]. CountryCode is ISO 3166-1
// alpha-2.
type Address struct {
	Line1       string `json:"line1,omitempty"`
	Line2       string `json:"line2,omitempty"`
	City        string `json:"city,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
	Region      string `json:"region,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
}

// CreateCustomer adds c with a new id and returns it as stored. The name is
// required; the id and times of c are ignored.
func (m *Model) CreateCustomer(c Customer) (Customer, error) {
	if err := validateCustomer(c); err != nil {
		return Customer{}, err
	}

	m.mu.Lock()
	defer m.mu.Unlock()

	c.ID = m.nextID()
	c.Created = m.stamp()
	c.Modified = c.Created
	m.customers.add(&c)
	return c, nil
}

// Customer returns the customer with id, and whether there is one.
func (m *Model) Customer(id int64) (Customer, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	c, ok := m.customers.get(id)
	if !ok {
		return Customer{}, false
	}
	return *c, true
}

// Customers returns every customer in ascending id order.
func (m *Model) Customers() []Customer {
	return m.FindCustomers(func(Customer) bool { return true })
}

// FindCustomers returns the customers that match reports true for, in
// ascending id order. match runs under the model's lock and must not call
// the model.
func (m *Model) FindCustomers(match func(Customer) bool) []Customer {
	m.mu.Lock()
	defer m.mu.Unlock()

	var found []Customer
	for _, r := range m.customers.all() {
		if c := *r; match(c) {
			found = append(found, c)
		}
	}
	return found
}

// UpdateCustomer applies change to a copy of the customer with id, checks
// the result and stores it with a new modification time. An error from
// change leaves the customer as it was and is returned unchanged.
// change runs under the model's lock and must not call the model.
func (m *Model) UpdateCustomer(id int64, change func(*Customer) error) (Customer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	old, ok := m.customers.get(id)
	if !ok {
		return Customer{}, fmt.Errorf("customer %d: %w", id, ErrNotFound)
	}
	c := *old
	if err := change(&c); err != nil {
		return Customer{}, err
	}

	c.ID, c.Created = old.ID, old.Created
	if err := validateCustomer(c); err != nil {
		return Customer{}, err
	}
	c.Modified = m.stamp()
	m.customers.set(old, c)
	return c, nil
}

// validateCustomer checks the rules every stored customer keeps.
func validateCustomer(c Customer) error {
	if strings.TrimSpace(c.Name) == "" {
		return fmt.Errorf("customer name is required: %w", ErrInvalid)
	}
	return nil
}
