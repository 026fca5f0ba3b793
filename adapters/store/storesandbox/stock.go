package storesandbox

import (
	"fmt"
	"sort"
	"time"
)

// stockKey places a stock level.
type stockKey struct{ sku, location string }

// A StockLevel is the sellable quantity of one SKU at one location.
type StockLevel struct {
	SKU       string    `json:"sku"`
	Location  string    `json:"location"`
	Available int64     `json:"available"`
	Modified  time.Time `json:"modified"`
}

// SetStock sets the available quantity of sku, a product of the model, at
// location, and returns the level as stored. When compare is not nil the
// write is refused unless the level holds *compare, as platforms that
// compare before they set do; a level not yet stored holds 0.
func (m *Model) SetStock(sku, location string, available int64, compare *int64) (StockLevel,
	error) {
	if location == "" || available < 0 {
		return StockLevel{}, fmt.Errorf("stock of %q at %q: %d: %w", sku, location, available,
			ErrInvalid)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.productBySKU(sku); !ok {
		return StockLevel{}, fmt.Errorf("stock of %q: no such product: %w", sku, ErrNotFound)
	}
	k := stockKey{sku, location}
	old := m.stock[k]
	if compare != nil && (old == nil && *compare != 0 || old != nil && old.Available != *compare) {
		return StockLevel{}, fmt.Errorf("stock of %q at %q is not %d: %w", sku, location,
			*compare, ErrStale)
	}

	if _, ok := m.locations[location]; !ok {
		m.locations[location] = m.nextID()
	}
	s := &StockLevel{SKU: sku, Location: location, Available: available, Modified: m.stamp()}
	m.stock[k] = s
	return *s, nil
}

// A Location is a place the store keeps stock at. Platforms know it by its
// ID; erpsync and the ERP by its Name.
type Location struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// AddLocation adds a location named name, unless there is one, and returns
// it. Setting stock at a new location adds it too.
func (m *Model) AddLocation(name string) (Location, error) {
	if name == "" {
		return Location{}, fmt.Errorf("location needs a name: %w", ErrInvalid)
	}
	m.mu.Lock()
	defer m.mu.Unlock()

	id, ok := m.locations[name]
	if !ok {
		id = m.nextID()
		m.locations[name] = id
	}
	return Location{ID: id, Name: name}, nil
}

// Locations returns every location in id order.
func (m *Model) Locations() []Location {
	m.mu.Lock()
	defer m.mu.Unlock()

	out := make([]Location, 0, len(m.locations))
	for name, id := range m.locations {
		out = append(out, Location{ID: id, Name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ErrStale reports a compare-and-set write whose compare value no longer
// holds.
var ErrStale = fmt.Errorf("stale compare value: %w", ErrInvalid)

// Stock returns the available quantity of sku at location, and whether a
// level is stored there.
func (m *Model) Stock(sku, location string) (int64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	s, ok := m.stock[stockKey{sku, location}]
	if !ok {
		return 0, false
	}
	return s.Available, true
}

// StockLevels returns every level, by SKU and then location.
func (m *Model) StockLevels() []StockLevel {
	m.mu.Lock()
	defer m.mu.Unlock()

	out := make([]StockLevel, 0, len(m.stock))
	for _, s := range m.stock {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].SKU != out[j].SKU {
			return out[i].SKU < out[j].SKU
		}
		return out[i].Location < out[j].Location
	})
	return out
}
