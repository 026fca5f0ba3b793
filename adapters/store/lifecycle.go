package store

import (
	"context"
	"time"
)

// Customers reads and writes a store's customer accounts.
type Customers interface {
	// LoadCustomer returns the customer with id, or an error wrapping
	// [syncerr.ErrNotFound].
	//
	// [syncerr.ErrNotFound]: github.com/erpsync/erpsync/internal/syncerr#ErrNotFound
	LoadCustomer(ctx context.Context, id string) (CustomerRecord, error)

	// FindCustomerByEmail looks a customer account up by e-mail, ignoring
	// case. It reports false when there is none.
	FindCustomerByEmail(ctx context.Context, email string) (CustomerRecord, bool, error)

	// UpdateCustomer writes every field of c but its ID and Modified to
	// customer id, and returns the account as stored. The terms go where
	// the platform keeps an app's data on a customer (metafields, meta
	// data, attributes).
	UpdateCustomer(ctx context.Context, id string, c CustomerRecord) (CustomerRecord, error)
}

// CustomerRecord is a customer account as a store holds it: the contact
// fields of [Customer], the commercial terms that the ERP grants, and when
// the account last changed.
type CustomerRecord struct {
	Customer
	Terms    Terms     `json:"terms,omitzero"`
	Modified time.Time `json:"modified"`
}

// Terms are a customer's commercial terms as a store keeps them for the
// ERP. CreditLimitMinor is in minor units of the ERP's company currency;
// nil means no limit is set.
type Terms struct {
	CreditLimitMinor *int64 `json:"credit_limit_minor,omitempty"`
	PaymentTerms     string `json:"payment_terms,omitempty"`
	PriceGroup       string `json:"price_group,omitempty"`
}

// Catalog creates a store's products from the ERP's.
type Catalog interface {
	// CreateDrafts creates each product whose SKU the store does not sell,
	// unpublished (a draft that shoppers cannot see), at its base price,
	// and returns the SKUs it created. SKUs the store has are left alone,
	// so a retry creates nothing twice.
	CreateDrafts(ctx context.Context, products []Product) ([]string, error)
}

// Product is a product that the ERP sells, with its base price in minor
// units of Currency.
type Product struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	PriceMinor int64  `json:"price_minor"`
	Currency   string `json:"currency"`
}

// Fulfillment tells a store what the ERP did with its orders.
type Fulfillment interface {
	// Ship records s as a shipment of order orderID: the lines it ships
	// (part of the order, or all of it), with carrier and tracking. It is
	// idempotent per s.ID, which the store keeps with the shipment: a
	// second call with the same id changes nothing. Lines of SKUs the
	// order does not hold, or more units than are left to ship, give a
	// [*syncerr.InvalidError] naming the line.
	//
	// [*syncerr.InvalidError]: github.com/erpsync/erpsync/internal/syncerr#InvalidError
	Ship(ctx context.Context, orderID string, s Shipment) error

	// CancelOrder marks order orderID cancelled, as the ERP cancelled its
	// sales order, with reason. Cancelling a cancelled order changes
	// nothing. It does not refund the payment: that stays the merchant's
	// decision.
	CancelOrder(ctx context.Context, orderID, reason string) error
}

// Shipment is goods of an order handed to a carrier. ID is the ERP's id of
// the shipment.
type Shipment struct {
	ID             string         `json:"id"`
	Carrier        string         `json:"carrier,omitempty"`
	TrackingNumber string         `json:"tracking_number,omitempty"`
	TrackingURL    string         `json:"tracking_url,omitempty"`
	Lines          []ShipmentLine `json:"lines"`
	ShippedAt      time.Time      `json:"shipped_at"`
}

// ShipmentLine is a quantity of one SKU in a [Shipment].
type ShipmentLine struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// StockReader reads what a store offers for sale, for the drift report.
type StockReader interface {
	// ReadStock returns the sellable quantity of each of skus at every
	// location that stocks it. SKUs the store does not sell are left out.
	ReadStock(ctx context.Context, skus []string) ([]StockLevel, error)
}

// Order statuses.
const (
	OrderOpen      = "open"
	OrderCancelled = "cancelled"
)

// Refund is money a store gave back on an order: for units of its lines, or
// an amount of its own (AmountMinor beyond the lines, such as shipping or
// goodwill). AmountMinor is the whole refund in minor units of the order's
// currency.
type Refund struct {
	ID          string       `json:"id"`
	AmountMinor int64        `json:"amount_minor"`
	Reason      string       `json:"reason,omitempty"`
	Lines       []RefundLine `json:"lines,omitempty"`
	Created     time.Time    `json:"created"`
}

// RefundLine is units of one SKU that a [Refund] pays back, at the amount
// refunded for them.
type RefundLine struct {
	SKU         string `json:"sku"`
	Quantity    int64  `json:"quantity"`
	AmountMinor int64  `json:"amount_minor"`
}
