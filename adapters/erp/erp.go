// Package erp holds the ERP-neutral shape of the records that erpsync writes
// into an ERP, and the interface that each ERP adapter implements for order
// sync. Adapters live in subpackages, one per system.
package erp

import (
	"context"
	"time"
)

// SalesOrders is what order sync needs from an ERP. Implementations translate
// vendor errors into the [syncerr] vocabulary: an unknown SKU or a validation
// error becomes a [syncerr.InvalidError] naming the field, a throttled request
// a [syncerr.RateLimitedError], anything transient wraps [syncerr.ErrUnavailable].
//
// [syncerr]: github.com/erpsync/erpsync/internal/syncerr
// [syncerr.InvalidError]: github.com/erpsync/erpsync/internal/syncerr#InvalidError
// [syncerr.RateLimitedError]: github.com/erpsync/erpsync/internal/syncerr#RateLimitedError
// [syncerr.ErrUnavailable]: github.com/erpsync/erpsync/internal/syncerr#ErrUnavailable
type SalesOrders interface {
	// FindSalesOrder looks a sales order up by the external reference that
	// CreateSalesOrder stored on it. It reports false when there is none.
	FindSalesOrder(ctx context.Context, externalRef string) (SalesOrderRef, bool, error)

	// CreateSalesOrder creates and confirms a sales order, finding or
	// creating its customer and resolving its products by SKU. ERPs that
	// offer an idempotent create (an upsert by external id) use it; the
	// others rely on the caller having checked with FindSalesOrder under a
	// one-writer-per-order guarantee.
	CreateSalesOrder(ctx context.Context, order SalesOrder) (SalesOrderRef, error)
}

// SalesOrderRef identifies a sales order in the ERP.
type SalesOrderRef struct {
	// ID is the ERP's own key, the value written back to the store.
	ID string `json:"id"`

	// Number is the document number people see, such as "S00042".
	Number string `json:"number,omitempty"`
}

// SalesOrder is a store order mapped for an ERP. Amounts are integer minor
// units of Currency.
type SalesOrder struct {
	// ExternalRef is the key that makes the order unique in the ERP:
	// "<store>:<order number>".
	ExternalRef string    `json:"external_ref"`
	Store       string    `json:"store"`
	OrderNumber string    `json:"order_number"`
	Currency    string    `json:"currency"`
	OrderedAt   time.Time `json:"ordered_at"`
	Customer    Customer  `json:"customer"`
	Lines       []Line    `json:"lines"`

	ShippingMinor int64 `json:"shipping_minor,omitempty"`
	TotalMinor    int64 `json:"total_minor"`
}

// Line is one line of a [SalesOrder] or a [CreditMemo]: a product, or a
// charge booked on a service item (shipping, a discount, tax) whose SKU the
// merchant configures. A discount line has a negative unit price.
type Line struct {
	SKU            string   `json:"sku"`
	Description    string   `json:"description,omitempty"`
	Quantity       int64    `json:"quantity"`
	UnitPriceMinor int64    `json:"unit_price_minor"`
	Kind           LineKind `json:"kind,omitempty"`
}

// LineKind tells product lines from the charges of an order.
type LineKind string

// The kinds of [Line]. Only product lines ship and hold stock.
const (
	LineProduct  LineKind = ""
	LineShipping LineKind = "shipping"
	LineDiscount LineKind = "discount"
	LineTax      LineKind = "tax"
	LineRefund   LineKind = "refund"
)

// Customer is the buyer of a [SalesOrder]. ERPs match it by e-mail.
type Customer struct {
	ExternalID string  `json:"external_id,omitempty"`
	Email      string  `json:"email"`
	Name       string  `json:"name"`
	Phone      string  `json:"phone,omitempty"`
	Address    Address `json:"address"`

	// Terms are what the ERP grants the customer. Order sync leaves them
	// out; customer sync reads and writes them.
	Terms Terms `json:"terms,omitzero"`
}

// Terms are a customer's commercial terms. CreditLimitMinor is in minor
// units of the ERP's company currency; nil means no limit is set. Payment
// terms and price group are the ERP's codes or names for them ("NET30",
// "WHOLESALE").
type Terms struct {
	CreditLimitMinor *int64 `json:"credit_limit_minor,omitempty"`
	PaymentTerms     string `json:"payment_terms,omitempty"`
	PriceGroup       string `json:"price_group,omitempty"`
}

// Address is a postal address. CountryCode is ISO 3166-1 alpha-2.
type Address struct {
	Line1       string `json:"line1,omitempty"`
	Line2       string `json:"line2,omitempty"`
	City        string `json:"city,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
	Region      string `json:"region,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
}
