package erpsandbox

import (
	"fmt"
	"time"
)

// A Shipment is goods of a confirmed sales order handed to a carrier.
type Shipment struct {
	ID             int64          `json:"id"`
	Number         string         `json:"number"`
	OrderID        int64          `json:"order_id"`
	Carrier        string         `json:"carrier,omitempty"`
	TrackingNumber string         `json:"tracking_number,omitempty"`
	TrackingURL    string         `json:"tracking_url,omitempty"`
	Lines          []ShipmentLine `json:"lines"`
	ShippedAt      time.Time      `json:"shipped_at"`
	Created        time.Time      `json:"created"`
	Modified       time.Time      `json:"modified"`
}

// A ShipmentLine is a quantity of one product in a [Shipment].
type ShipmentLine struct {
	ProductID int64 `json:"product_id"`
	Quantity  int64 `json:"quantity"`
}

// ShipSalesOrder records s as a shipment of its confirmed order and returns
// it as stored. With no lines, it ships every line of the order in full. An
// empty Number gets the next document number ("WH/OUT/00001", ...), and a
// zero ShippedAt the current time.
func (m *Model) ShipSalesOrder(s Shipment) (Shipment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	o, ok := m.orders.get(s.OrderID)
	if !ok {
		return Shipment{}, fmt.Errorf("shipment of sales order %d: %w", s.OrderID, ErrNotFound)
	}
	if o.State != OrderConfirmed {
		return Shipment{}, fmt.Errorf("shipment of sales order %d, which is %s: %w",
			s.OrderID, o.State, ErrState)
	}
	if err := m.checkShipmentLines(o, s.Lines); err != nil {
		return Shipment{}, err
	}

	if len(s.Lines) == 0 {
		for _, l := range o.Lines {
			s.Lines = append(s.Lines, ShipmentLine{ProductID: l.ProductID, Quantity: l.Quantity})
		}
	}
	s.ID = m.nextID()
	if s.Number == "" {
		m.lastShipment++
		s.Number = fmt.Sprintf("WH/OUT/%05d", m.lastShipment)
	}
	s.Created = m.stamp()
	s.Modified = s.Created
	if s.ShippedAt.IsZero() {
		s.ShippedAt = s.Created
	}
	s.Lines = append([]ShipmentLine(nil), s.Lines...)
	stored := s
	stored.Lines = append([]ShipmentLine(nil), s.Lines...)
	m.shipments.add(&stored)
	return s, nil
}

// checkShipmentLines checks that every line ships a positive quantity of a
// product the order holds. The caller holds m.mu.
func (m *Model) checkShipmentLines(o *SalesOrder, lines []ShipmentLine) error {
	ordered := map[int64]bool{}
	for _, l := range o.Lines {
		ordered[l.ProductID] = true
	}
	for i, l := range lines {
		if !ordered[l.ProductID] || l.Quantity <= 0 {
			return fmt.Errorf("shipment line %d: product %d, quantity %d, not on order %d: %w",
				i, l.ProductID, l.Quantity, o.ID, ErrInvalid)
		}
	}
	return nil
}

// Shipments returns every shipment in ascending id order.
func (m *Model) Shipments() []Shipment {
	return m.ChangedShipments(time.Time{}, Key{}, 0)
}
