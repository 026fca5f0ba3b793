package erpsandbox

import (
	"cmp"
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
	if s := m.levelAt(sku, location); s != nil {
		v := *s
		v.OnHand, v.Reserved, v.Modified = onHand, reserved, now
		m.stock.set(s, v)
		return *s, nil
	}
	s := m.addLevel(StockLevel{SKU: sku, Location: location, OnHand: onHand,
		Reserved: reserved}, now)
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

	s := m.levelAt(sku, location)
	if s == nil {
		return StockLevel{}, fmt.Errorf("stock of %q at %q: %w", sku, location, ErrNotFound)
	}
	v := *s
	v.SafetyStock, v.Modified = qty, m.stamp()
	m.stock.set(s, v)
	return *s, nil
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
		s := m.levelAt(l.SKU, l.Location)
		if s == nil {
			m.addLevel(l, now)
			continue
		}
		v := *s
		v.OnHand, v.Reserved, v.SafetyStock, v.Modified = l.OnHand, l.Reserved, l.SafetyStock,
			now
		m.stock.set(s, v)
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
		level *StockLevel
		next  StockLevel
	}
	var updates []update
	seen := make(map[string]bool, len(skus))
	for _, sku := range skus {
		if seen[sku] {
			continue
		}
		seen[sku] = true
		levels := m.stockBySKU[sku]
		if len(levels) == 0 {
			return 0, fmt.Errorf("stock of %q: %w", sku, ErrNotFound)
		}
		for _, s := range levels {
			v, err := changedLevel(s, change)
			if err != nil {
				return 0, err
			}
			updates = append(updates, update{s, v})
		}
	}

	now := m.stamp()
	for _, u := range updates {
		u.next.Modified = now
		m.stock.set(u.level, u.next)
	}
	return len(updates), nil
}

// changedLevel returns a copy of s as change leaves it, with the fields
// change may not set restored, once it is checked.
func changedLevel(s *StockLevel, change func(*StockLevel) error) (StockLevel, error) {
	v := *s
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

	levels := make([]StockLevel, 0, len(m.stock.all()))
	for _, s := range m.stock.all() {
		levels = append(levels, *s)
	}
	return levels
}

// StockLevel returns the stock level with id, and whether there is one.
func (m *Model) StockLevel(id int64) (StockLevel, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()

	s, ok := m.stock.get(id)
	if !ok {
		return StockLevel{}, false
	}
	return *s, true
}

// StockOf returns the stock levels of sku, one per location that holds it,
// in ascending id order.
func (m *Model) StockOf(sku string) []StockLevel {
	m.mu.Lock()
	defer m.mu.Unlock()

	levels := make([]StockLevel, len(m.stockBySKU[sku]))
	for i, s := range m.stockBySKU[sku] {
		levels[i] = *s
	}
	return levels
}

// Locations returns every location that holds stock, in ascending id order.
func (m *Model) Locations() []Location {
	m.mu.Lock()
	defer m.mu.Unlock()

	locations := make([]Location, 0, len(m.locations))
	for _, l := range m.locations {
		locations = append(locations, l)
	}
	slices.SortFunc(locations, func(a, b Location) int { return cmp.Compare(a.ID, b.ID) })
	return locations
}

// levelAt returns the stock level of sku at location, or nil. The caller
// holds m.mu.
func (m *Model) levelAt(sku, location string) *StockLevel {
	for _, s := range m.stockBySKU[sku] {
		if s.Location == location {
			return s
		}
	}
	return nil
}

// addLevel stores l as a new stock level modified at now and returns it. It
// keeps one copy of each location name, and of the SKU of a product, however
// many levels name them. The caller holds m.mu.
func (m *Model) addLevel(l StockLevel, now time.Time) *StockLevel {
	s := &StockLevel{ID: m.nextID(), SKU: l.SKU, OnHand: l.OnHand, Reserved: l.Reserved,
		SafetyStock: l.SafetyStock, Modified: now}
	loc := m.location(l.Location)
	s.LocationID, s.Location = loc.ID, loc.Name
	if p, ok := m.productBySKU[l.SKU]; ok {
		s.SKU = p.SKU
	}

	m.stock.add(s)
	m.stockBySKU[s.SKU] = append(m.stockBySKU[s.SKU], s)
	return s
}

// location returns the location named name, giving it an id the first time.
// The caller holds m.mu.
func (m *Model) location(name string) Location {
	if l, ok := m.locations[name]; ok {
		return l
	}
	l := Location{ID: m.nextID(), Name: name}
	m.locations[name] = l
	return l
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
