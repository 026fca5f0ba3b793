package erpsandbox

import (
	"fmt"
	"time"
)

// A StockLevel is the stock of one SKU at one location, in whole units.
// Locations get ids from the model's sequence the first time they are used.
type StockLevel struct {
	ID         int64  `json:"id"`
	SKU        string `json:"sku"`
	LocationID int64  `json:"location_id"`
	Location   string `json:"location"`
	OnHand     int64  `json:"on_hand"`
	Reserved   int64  `json:"reserved"`
	// SafetyStock is held back from sale.
	SafetyStock int64     `json:"safety_stock"`
	Modified    time.Time `json:"modified"`
}

// SetStock sets the stock of sku at location, creating the level the first
// time, and returns it as stored. Quantities may not be negative and
// reserved may not exceed on hand.
func (m *Model) SetStock(sku, location string, onHand, reserved int64) (StockLevel, error) {
	if sku == "" || location == "" {
		return StockLevel{}, fmt.Errorf("stock needs a sku and a location: %w", ErrInvalid)
	}
	if onHand < 0 || reserved < 0 || reserved > onHand {
		return StockLevel{}, fmt.Errorf("stock of %q at %q: on hand %d, reserved %d: %w",
			sku, location, onHand, reserved, ErrInvalid)
	}

	m.mu.Lock()
	defer m.mu.Unlock()

	for _, s := range m.stock {
		if s.SKU == sku && s.Location == location {
			s.OnHand, s.Reserved, s.Modified = onHand, reserved, m.stamp()
			return *s, nil
		}
	}
	s := &StockLevel{
		ID: m.nextID(), SKU: sku, LocationID: m.locationID(location), Location: location,
		OnHand: onHand, Reserved: reserved, Modified: m.stamp(),
	}
	m.stock[s.ID] = s
	return *s, nil
}

// SetSafetyStock sets the safety stock of sku at location, which must have a
// stock level already, and returns the level as stored.
func (m *Model) SetSafetyStock(sku, location string, qty int64) (StockLevel, error) {
	if qty < 0 {
		return StockLevel{}, fmt.Errorf("safety stock of %q at %q: %d: %w", sku, location, qty,
			ErrInvalid)
	}

	m.mu.Lock()
	defer m.mu.Unlock()

	for _, s := range m.stock {
		if s.SKU == sku && s.Location == location {
			s.SafetyStock, s.Modified = qty, m.stamp()
			return *s, nil
		}
	}
	return StockLevel{}, fmt.Errorf("stock of %q at %q: %w", sku, location, ErrNotFound)
}

// StockLevels returns every stock level in ascending id order.
func (m *Model) StockLevels() []StockLevel {
	m.mu.Lock()
	defer m.mu.Unlock()

	levels := make([]StockLevel, 0, len(m.stock))
	for _, id := range sortedIDs(m.stock) {
		levels = append(levels, *m.stock[id])
	}
	return levels
}

// locationID returns the id of the location named name, giving it one the
// first time. The caller holds m.mu.
func (m *Model) locationID(name string) int64 {
	if id, ok := m.locations[name]; ok {
		return id
	}
	id := m.nextID()
	m.locations[name] = id
	return id
}
