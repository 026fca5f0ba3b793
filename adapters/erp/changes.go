package erp

import (
	"context"
	"time"
)

// ERP is everything erpsync's workflows need from an ERP. Each adapter
// implements all of it; each workflow's activities declare the smaller
// interface they use.
type ERP interface {
	SalesOrders
	Customers
	Catalog
	Inventory
	Fulfillment
	Amendments
	SalesOrderLister
}

// Customers finds, creates, updates and lists the ERP's customers.
type Customers interface {
	// FindCustomer looks a customer up by q.ExternalID when set, else by
	// q.Email (ignoring case). It reports false when there is none; when
	// several match, the oldest wins.
	FindCustomer(ctx context.Context, q CustomerQuery) (CustomerRecord, bool, error)

	// CreateCustomer creates c, storing c.ExternalID where the ERP keeps
	// an external reference.
	CreateCustomer(ctx context.Context, c Customer) (CustomerRecord, error)

	// UpdateCustomer replaces the fields of customer id that c sets; empty
	// fields of c are left as they are.
	UpdateCustomer(ctx context.Context, id string, c Customer) (CustomerRecord, error)

	// ChangedCustomers lists the customers changed since a watermark.
	ChangedCustomers(ctx context.Context, q Changes) (Page[CustomerRecord], error)
}

// Catalog lists the ERP's sellable products with their base prices.
type Catalog interface {
	ChangedProducts(ctx context.Context, q Changes) (Page[Product], error)
}

// Inventory lists the ERP's stock per SKU and location.
type Inventory interface {
	ChangedStock(ctx context.Context, q Changes) (Page[StockLevel], error)
}

// Fulfillment lists what happened to sales orders after they were booked.
type Fulfillment interface {
	ChangedShipments(ctx context.Context, q Changes) (Page[Shipment], error)
	ChangedCancellations(ctx context.Context, q Changes) (Page[Cancellation], error)
}

// Changes asks for the records modified at or after Since, oldest first
// (ties in the ERP's id order), at most Limit of them. Cursor continues a
// listing where the previous [Page] ended; "" starts it. Callers give Since
// an overlap window before their watermark, since ERPs stamp a change before
// it commits, and must expect to see a record again.
type Changes struct {
	Since  time.Time `json:"since"`
	Cursor string    `json:"cursor,omitempty"`
	Limit  int       `json:"limit"`
}

// DefaultPageSize is the page size of a [Changes] with no Limit.
const DefaultPageSize = 100

// PageSize returns q.Limit, or [DefaultPageSize] when it is not positive.
func (q Changes) PageSize() int {
	if q.Limit <= 0 {
		return DefaultPageSize
	}
	return q.Limit
}

// Page is one page of a listing. Next is the cursor of the following page,
// or "" when this page is the last.
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// CustomerQuery says how [Customers.FindCustomer] looks a customer up.
type CustomerQuery struct {
	ExternalID string `json:"external_id,omitempty"`
	Email      string `json:"email,omitempty"`
}

// CustomerRecord is a customer as the ERP holds it.
type CustomerRecord struct {
	ID string `json:"id"`
	Customer
	Modified time.Time `json:"modified"`
}

// Product is a sellable item with its base price in minor units of
// Currency. Inactive products are listed too, so that a store can hide them.
type Product struct {
	ID         string    `json:"id"`
	SKU        string    `json:"sku"`
	Name       string    `json:"name"`
	PriceMinor int64     `json:"price_minor"`
	Currency   string    `json:"currency"`
	Active     bool      `json:"active"`
	Modified   time.Time `json:"modified"`
}

// StockLevel is the stock of one SKU at one location, in whole units. What
// a store may sell is OnHand - Reserved - SafetyStock, never below zero.
type StockLevel struct {
	SKU         string    `json:"sku"`
	Location    string    `json:"location"`
	OnHand      int64     `json:"on_hand"`
	Reserved    int64     `json:"reserved"`
	SafetyStock int64     `json:"safety_stock"`
	Modified    time.Time `json:"modified"`
}

// Available returns the units a store may sell.
func (s StockLevel) Available() int64 {
	return max(0, s.OnHand-s.Reserved-s.SafetyStock)
}

// Shipment is goods of a sales order handed to a carrier.
type Shipment struct {
	ID             string         `json:"id"`
	SalesOrderID   string         `json:"sales_order_id"`
	ExternalRef    string         `json:"external_ref"`
	Carrier        string         `json:"carrier,omitempty"`
	TrackingNumber string         `json:"tracking_number,omitempty"`
	TrackingURL    string         `json:"tracking_url,omitempty"`
	Lines          []ShipmentLine `json:"lines"`
	ShippedAt      time.Time      `json:"shipped_at"`
	Modified       time.Time      `json:"modified"`
}

// ShipmentLine is a quantity of one SKU in a [Shipment].
type ShipmentLine struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// Cancellation is a sales order that the ERP cancelled.
type Cancellation struct {
	SalesOrderID string    `json:"sales_order_id"`
	ExternalRef  string    `json:"external_ref"`
	Reason       string    `json:"reason,omitempty"`
	Modified     time.Time `json:"modified"`
}
