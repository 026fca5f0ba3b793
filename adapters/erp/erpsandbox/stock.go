package erpsandbox

import (
	"fmt"
	"slices"
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

// A Location is a place that holds stock, named by its path such as
// "WH/Stock". It gets an id from the model's sequence when a stock level
// first names it.
type Location struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// SetStock sets the stock of sku at location, creating the level the first
// time, and returns it as stored. Quantities may not be negative and
// reserved may not exceed on hand.
func (m *Model) SetStock(sku, location string, onHand, reserved int64) (StockLevel, error) {
	if err := validateStock(sku, location, onHand, reserved, 0); err != nil {
		return StockLevel{}, err
	}

	m.mu.Lock()
	defer m.mu.Unlock()

	now := m.stamp()
	if pos, ok := m.stock.find(sku, location); ok {
		v := m.stock.read(pos)
		v.OnHand, v.Reserved, v.Modified = onHand, reserved, now
		m.stock.set(pos, v)
		return v, nil
	}
	return m.addLevel(StockLevel{SKU: sku, Location: location, OnHand: onHand,
		Reserved: reserved}, now), nil
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

	pos, ok := m.stock.find(sku, location)
	if !ok {
		return StockLevel{}, fmt.Errorf("stock of %q at %q: %w", sku, location, ErrNotFound)
	}
	v := m.stock.read(pos)
	v.SafetyStock, v.Modified = qty, m.stamp()
	m.stock.set(pos, v)
	return v, nil
}

// SeedStock sets on hand, reserved and safety stock of every level's SKU at
// its location, creating the levels that do not exist yet in the order
// given, as [Model.SetStock] and [Model.SetSafetyStock] would; the ids,
// location ids and times of levels are ignored. Every level is stamped with
// one time of the model's clock. It checks all levels first and changes
// nothing when one is refused. It takes the model's lock once, so that it
// loads millions of levels in time proportional to their number.
func (m *Model) SeedStock(levels []StockLevel) error {
	for i, l := range levels {
		err := validateStock(l.SKU, l.Location, l.OnHand, l.Reserved, l.SafetyStock)
		if err != nil {
			return fmt.Errorf("seed stock level %d: %w", i, err)
		}
	}

	m.mu.Lock()
	defer m.mu.Unlock()

	now := m.stamp()
	for _, l := range levels {
		pos, ok := m.stock.find(l.SKU, l.Location)
		if !ok {
			m.addLevel(l, now)
			continue
		}
		v := m.stock.read(pos)
		v.OnHand, v.Reserved, v.SafetyStock, v.Modified = l.OnHand, l.Reserved, l.SafetyStock,
			now
		m.stock.set(pos, v)
	}
	return nil
}

// UpdateStock applies change to a copy of every stock level of each of skus,
// at every location, and stores the results with one new modification time.
// change may set OnHand, Reserved and SafetyStock; the rest stays. A SKU
// named twice is changed once. Nothing changes when a SKU has no stock
// level ([ErrNotFound]), when change returns an error (returned unchanged),
// or when a result breaks a rule of [Model.SetStock] ([ErrInvalid]). It
// returns how many levels changed. change runs under the model's lock and
// must not call the model.
func (m *Model) UpdateStock(skus []string, change func(*StockLevel) error) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	type update struct {
		pos  int32
		next StockLevel
	}
	var updates []update
	seen := make(map[string]bool, len(skus))
	for _, sku := range skus {
		if seen[sku] {
			continue
		}
		seen[sku] = true
		positions := m.stock.ofSKU(sku)
		if len(positions) == 0 {
			return 0, fmt.Errorf("stock of %q: %w", sku, ErrNotFound)
		}
		for _, pos := range positions {
			v, err := changedLevel(m.stock.read(pos), change)
			if err != nil {
				return 0, err
			}
			updates = append(updates, update{pos, v})
		}
	}

	now := m.stamp()
	for _, u := range updates {
		u.next.Modified = now
		m.stock.set(u.pos, u.next)
	}
	return len(updates), nil
}

// changedLevel returns a copy of s as change leaves it, with the fields
// change may not set restored, once it is checked.
func changedLevel(s StockLevel, change func(*StockLevel) error) (StockLevel, error) {
	v := s
	if err := change(&v); err != nil {
		return StockLevel{}, err
	}

	v.ID, v.SKU, v.LocationID, v.Location, v.Modified = s.ID, s.SKU, s.LocationID,
		s.Location, s.Modified
	if err := validateStock(v.SKU, v.Location, v.OnHand, v.Reserved, v.SafetyStock); err != nil {
		return StockLevel{}, err
	}
	return v, nil
}

// StockLevels returns every stock level in ascending id order.
func (m *Model) StockLevels() []StockLevel {
	m.mu.Lock()
	defer m.mu.Unlock()

	levels := make([]StockLevel, m.stock.len())
	for i := range levels {
		levels[i] = m.stock.read(int32(i))
	}
	return levels
}

// StockLevel returns the stock level with id, and whether there is one.
func (m *Model) StockLevel(id int64) (StockLevel, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	pos, ok := m.stock.byID(id)
	if !ok {
		return StockLevel{}, false
	}
	return m.stock.read(pos), true
}

// StockOf returns the stock levels of sku, one per location that holds it,
// in ascending id order.
func (m *Model) StockOf(sku string) []StockLevel {
	m.mu.Lock()
	defer m.mu.Unlock()

	positions := m.stock.ofSKU(sku)
	levels := make([]StockLevel, len(positions))
	for i, pos := range positions {
		levels[i] = m.stock.read(pos)
	}
	return levels
}

// Locations returns every location that holds stock, in ascending id order.
func (m *Model) Locations() []Location {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.stock.locations) // numbered, and so ordered, as ids were given
}

// addLevel stores l as a new stock level modified at now and returns it,
// giving its location an id when it is new. A level of a product's SKU
// shares the product's copy of the SKU. The caller holds m.mu.
func (m *Model) addLevel(l StockLevel, now time.Time) StockLevel {
	l.ID, l.Modified = m.nextID(), now
	loc := Location{Name: l.Location}
	if n, ok := m.stock.locationNumber[l.Location]; ok {
		loc = m.stock.locations[n]
	} else {
		loc.ID = m.nextID()
	}
	if p, ok := m.productBySKU[l.SKU]; ok {
		l.SKU = p.SKU
	}
	return m.stock.read(m.stock.add(l, loc))
}

// validateStock checks the rules every stored stock level keeps.
func validateStock(sku, location string, onHand, reserved, safety int64) error {
	if sku == "" || location == "" {
		return fmt.Errorf("stock needs a sku and a location: %w", ErrInvalid)
	}
	if onHand < 0 || reserved < 0 || reserved > onHand {
		return fmt.Errorf("stock of %q at %q: on hand %d, reserved %d: %w",
			sku, location, onHand, reserved, ErrInvalid)
	}
	if safety < 0 {
		return fmt.Errorf("safety stock of %q at %q: %d: %w", sku, location, safety, ErrInvalid)
	}
	return nil
}
