package erpsandbox

import (
	"fmt"
	"time"
)

// A CreditMemo is money credited to a customer against a sales order, such
// as a refund. Its lines are products or service items at positive unit
// prices; the model computes TotalMinor.
type CreditMemo struct {
	ID          int64       `json:"id"`
	Number      string      `json:"number"`
	OrderID     int64       `json:"order_id"`
	ExternalRef string      `json:"external_ref,omitempty"`
	Currency    string      `json:"currency"`
	Reason      string      `json:"reason,omitempty"`
	Lines       []OrderLine `json:"lines"`
	TotalMinor  int64       `json:"total_minor"`
	Created     time.Time   `json:"created"`
	Modified    time.Time   `json:"modified"`
}

// CreateCreditMemo stores c against its sales order and returns it as
// stored. A memo whose non-empty ExternalRef the model holds already is
// not stored again: that one is returned. The order must exist and not be
// cancelled, the currency must be the order's, and the memo must not credit
// more than the order's total with the memos before it. An empty Number
// gets the next document number ("RINV/00001", ...).
func (m *Model) CreateCreditMemo(c CreditMemo) (CreditMemo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	if found, ok := m.memoByRef(c.ExternalRef); ok {
		return copyMemo(found), nil
	}
	if err := m.checkMemo(&c); err != nil {
		return CreditMemo{}, err
	}

	c.ID = m.nextID()
	if c.Number == "" {
		m.lastMemo++
		c.Number = fmt.Sprintf("RINV/%05d", m.lastMemo)
	}
	for i := range c.Lines {
		c.Lines[i].ID = m.nextID()
	}
	c.Created = m.stamp()
	c.Modified = c.Created
	stored := copyMemo(&c)
	m.memos.add(&stored)
	return copyMemo(&c), nil
}

// checkMemo checks c against its order and sets its total. The caller
// holds m.mu.
func (m *Model) checkMemo(c *CreditMemo) error {
	o, ok := m.orders.get(c.OrderID)
	if !ok {
		return fmt.Errorf("credit memo of sales order %d: %w", c.OrderID, ErrNotFound)
	}
	if o.State == OrderCancelled || c.Currency != o.Currency || len(c.Lines) == 0 {
		return fmt.Errorf("credit memo of sales order %d (%s, %s): needs lines in the "+
			"order's currency, of an order not cancelled: %w", o.ID, o.State, o.Currency,
			ErrInvalid)
	}

	credited := int64(0)
	for _, earlier := range m.memos.all() {
		if earlier.OrderID == o.ID {
			credited += earlier.TotalMinor
		}
	}
	total := int64(0)
	for i, l := range c.Lines {
		if _, ok := m.products.get(l.ProductID); !ok || l.Quantity <= 0 || l.UnitPriceMinor < 0 {
			return fmt.Errorf("credit memo line %d: product %d, quantity %d: %w", i,
				l.ProductID, l.Quantity, ErrInvalid)
		}
		total += l.Quantity * l.UnitPriceMinor
	}
	if credited+total > o.TotalMinor {
		return fmt.Errorf("credit memo of sales order %d: credits more than its total: %w",
			o.ID, ErrInvalid)
	}
	c.TotalMinor = total
	return nil
}

// memoByRef finds a memo by external reference. The caller holds m.mu.
func (m *Model) memoByRef(ref string) (*CreditMemo, bool) {
	if ref == "" {
		return nil, false
	}
	for _, c := range m.memos.all() {
		if c.ExternalRef == ref {
			return c, true
		}
	}
	return nil, false
}

// CreditMemos returns every credit memo in ascending id order.
func (m *Model) CreditMemos() []CreditMemo {
	m.mu.Lock()
	defer m.mu.Unlock()

	out := []CreditMemo{}
	for _, c := range m.memos.all() {
		out = append(out, copyMemo(c))
	}
	return out
}

// Shipped reports whether sales order id has a shipment.
func (m *Model) Shipped(id int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()

	for _, s := range m.shipments.all() {
		if s.OrderID == id {
			return true
		}
	}
	return false
}

func copyMemo(c *CreditMemo) CreditMemo {
	out := *c
	out.Lines = append([]OrderLine(nil), c.Lines...)
	return out
}
