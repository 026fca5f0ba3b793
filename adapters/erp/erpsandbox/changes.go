package erpsandbox

import (
	"sort"
	"time"
)

// A Key places a record in the order that change listings use: by
// modification time, then by id. Keyset paging continues after the last key
// of the previous page, so that records changing during a scan neither
// repeat nor go missing the way they do with offsets.
type Key struct {
	Modified time.Time `json:"modified"`
	ID       int64     `json:"id"`
}

// Before reports whether k comes before o.
func (k Key) Before(o Key) bool {
	if !k.Modified.Equal(o.Modified) {
		return k.Modified.Before(o.Modified)
	}
	return k.ID < o.ID
}

// changed returns, in key order, the records modified at or after since
// whose key comes after after, at most limit of them (all when limit is not
// positive). The caller holds the model's lock.
func changed[T any](records map[int64]*T, key func(*T) Key, since time.Time, after Key,
	limit int) []T {
	var found []T
	for _, r := range records {
		k := key(r)
		if !k.Modified.Before(since) && after.Before(k) {
			found = append(found, *r)
		}
	}
	sort.Slice(found, func(i, j int) bool { return key(&found[i]).Before(key(&found[j])) })
	if limit > 0 && len(found) > limit {
		found = found[:limit]
	}
	return found
}

// ChangedCustomers returns the customers modified at or after since whose
// key comes after after, in key order, at most limit of them (all when limit
// is not positive). The zero Key starts a listing.
func (m *Model) ChangedCustomers(since time.Time, after Key, limit int) []Customer {
	m.mu.Lock()
	defer m.mu.Unlock()
	return changed(m.customers, func(c *Customer) Key { return Key{c.Modified, c.ID} },
		since, after, limit)
}

// ChangedProducts lists products as [Model.ChangedCustomers] lists
// customers.
func (m *Model) ChangedProducts(since time.Time, after Key, limit int) []Product {
	m.mu.Lock()
	defer m.mu.Unlock()
	return changed(m.products, func(p *Product) Key { return Key{p.Modified, p.ID} },
		since, after, limit)
}

// ChangedStock lists stock levels as [Model.ChangedCustomers] lists
// customers.
func (m *Model) ChangedStock(since time.Time, after Key, limit int) []StockLevel {
	m.mu.Lock()
	defer m.mu.Unlock()
	return changed(m.stock, func(s *StockLevel) Key { return Key{s.Modified, s.ID} },
		since, after, limit)
}

// ChangedShipments lists shipments as [Model.ChangedCustomers] lists
// customers.
func (m *Model) ChangedShipments(since time.Time, after Key, limit int) []Shipment {
	m.mu.Lock()
	defer m.mu.Unlock()
	shipments := changed(m.shipments, func(s *Shipment) Key { return Key{s.Modified, s.ID} },
		since, after, limit)
	for i := range shipments {
		shipments[i].Lines = append([]ShipmentLine(nil), shipments[i].Lines...)
	}
	return shipments
}

// ChangedSalesOrders lists sales orders as [Model.ChangedCustomers] lists
// customers; with cancelledOnly set, only the cancelled ones.
func (m *Model) ChangedSalesOrders(since time.Time, after Key, limit int,
	cancelledOnly bool) []SalesOrder {
	m.mu.Lock()
	defer m.mu.Unlock()

	records := m.orders
	if cancelledOnly {
		records = map[int64]*SalesOrder{}
		for id, o := range m.orders {
			if o.State == OrderCancelled {
				records[id] = o
			}
		}
	}
	orders := changed(records, func(o *SalesOrder) Key { return Key{o.Modified, o.ID} },
		since, after, limit)
	for i := range orders {
		orders[i] = copyOrder(&orders[i])
	}
	return orders
}
