package storesandbox

import (
	"fmt"
	"maps"
	"strings"
	"time"
)

// An Account is a customer account: the contact fields of [Customer], the
// app's values on it by "namespace.key" (where erpsync keeps the terms the
// ERP grants), and its times.
type Account struct {
	Customer
	Metafields map[string]string `json:"metafields,omitempty"`
	Created    time.Time         `json:"created"`
	Modified   time.Time         `json:"modified"`
}

// CreateAccount adds a customer account with a new id and tells the
// watchers. Its e-mail must be set and not in use, compared without case.
func (m *Model) CreateAccount(a Account) (Account, error) {
	if !strings.Contains(a.Email, "@") {
		return Account{}, fmt.Errorf("customer needs an e-mail address: %w", ErrInvalid)
	}

	m.mu.Lock()
	if _, ok := m.accountByEmail(a.Email); ok {
		m.mu.Unlock()
		return Account{}, fmt.Errorf("customer e-mail is in use: %w", ErrInvalid)
	}
	stored := m.addAccount(a)
	return m.accountChanged(stored, TopicCustomerCreated), nil
}

// addAccount stores a as a new account. The caller holds m.mu.
func (m *Model) addAccount(a Account) *Account {
	a.ID = m.nextID()
	a.Created = m.stamp()
	a.Modified = a.Created
	a.Metafields = maps.Clone(a.Metafields)
	m.accounts[a.ID] = &a
	return &a
}

// Account returns the customer account with id, and whether there is one.
func (m *Model) Account(id int64) (Account, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	a, ok := m.accounts[id]
	if !ok {
		return Account{}, false
	}
	return copyAccount(a), true
}

// AccountByEmail returns the account with email, compared without case.
func (m *Model) AccountByEmail(email string) (Account, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	a, ok := m.accountByEmail(email)
	if !ok {
		return Account{}, false
	}
	return copyAccount(a), true
}

// Accounts returns every customer account in id order.
func (m *Model) Accounts() []Account {
	m.mu.Lock()
	defer m.mu.Unlock()

	out := make([]Account, 0, len(m.accounts))
	for _, id := range sortedIDs(m.accounts) {
		out = append(out, copyAccount(m.accounts[id]))
	}
	return out
}

// UpdateAccount applies change to a copy of account id and, when that
// changes something, stores it with a new modification time and tells the
// watchers. The id and times cannot be changed; the e-mail must stay set
// and unique.
func (m *Model) UpdateAccount(id int64, change func(*Account) error) (Account, error) {
	m.mu.Lock()
	old, ok := m.accounts[id]
	if !ok {
		m.mu.Unlock()
		return Account{}, fmt.Errorf("customer %d: %w", id, ErrNotFound)
	}
	a := copyAccount(old)
	if err := change(&a); err != nil {
		m.mu.Unlock()
		return Account{}, err
	}
	if err := m.checkAccountEmail(id, a.Email); err != nil {
		m.mu.Unlock()
		return Account{}, err
	}

	a.ID, a.Created, a.Modified = old.ID, old.Created, old.Modified
	if sameAccount(a, *old) {
		m.mu.Unlock()
		return a, nil
	}
	a.Modified = m.stamp()
	m.accounts[id] = &a
	return m.accountChanged(&a, TopicCustomerUpdated), nil
}

// checkAccountEmail checks that email is valid and used by no account but
// id. The caller holds m.mu.
func (m *Model) checkAccountEmail(id int64, email string) error {
	if !strings.Contains(email, "@") {
		return fmt.Errorf("customer %d: needs an e-mail address: %w", id, ErrInvalid)
	}
	if other, ok := m.accountByEmail(email); ok && other.ID != id {
		return fmt.Errorf("customer %d: e-mail is in use: %w", id, ErrInvalid)
	}
	return nil
}

// accountChanged releases m.mu, which the caller holds, tells the watchers
// of the change, and returns a copy of a.
func (m *Model) accountChanged(a *Account, topic string) Account {
	out, watchers := copyAccount(a), m.watchers
	ev := Event{ID: m.nextID(), Topic: topic, CustomerID: a.ID, At: a.Modified}
	m.mu.Unlock()

	notify(watchers, ev)
	return out
}

// accountByEmail finds an account. The caller holds m.mu.
func (m *Model) accountByEmail(email string) (*Account, bool) {
	for _, a := range m.accounts {
		if strings.EqualFold(a.Email, email) {
			return a, true
		}
	}
	return nil, false
}

// attachCustomer links the buyer of a new order to its account, creating
// the account when the e-mail has none. A guest's order links to an
// existing account but never creates one. The caller holds m.mu.
func (m *Model) attachCustomer(o *Order) {
	if a, ok := m.accountByEmail(o.Customer.Email); ok {
		o.Customer.ID = a.ID
		return
	}
	if o.Guest {
		o.Customer.ID = 0
		return
	}
	a := m.addAccount(Account{Customer: o.Customer})
	o.Customer.ID = a.ID
}

func copyAccount(a *Account) Account {
	c := *a
	c.Metafields = maps.Clone(a.Metafields)
	return c
}

func sameAccount(a, b Account) bool {
	return a.Customer == b.Customer && maps.Equal(a.Metafields, b.Metafields)
}
