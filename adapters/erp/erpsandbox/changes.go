package erpsandbox

import (
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

// ChangedCustomers returns the customers modified at or after since whose
// key comes after after, in key order, at most limit of them (all when limit
// is not positive). The zero Key starts a listing.
func (m *Model) ChangedCustomers(since time.Time, after Key, limit int) []Customer {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.customers.changed(since, after, limit, nil)
}

// ChangedProducts lists products as [Model.ChangedCustomers] lists
// customers.
func (m *Model) ChangedProducts(since time.Time, after Key, limit int) []Product {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.products.changed(since, after, limit, nil)
}

// ChangedStock lists stock levels as [Model.ChangedCustomers] lists
// customers.
func (m *Model) ChangedStock(since time.Time, after Key, limit int) []StockLevel {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stock.changed(since, after, limit)
}

// ChangedShipments lists shipments as [Model.ChangedCustomers] lists
// customers.
func (m *Model) ChangedShipments(since time.Time, after Key, limit int) []Shipment {
	m.mu.Lock()
	defer m.mu.Unlock()
	shipments := m.shipments.changed(since, after, limit, nil)
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

	var keep func(*SalesOrder) bool
	if cancelledOnly {
		keep = func(o *SalesOrder) bool { return o.State == OrderCancelled }
	}
	orders := m.orders.changed(since, after, limit, keep)
	for i := range orders {
		orders[i] = copyOrder(&orders[i])
	}
	return orders
}
