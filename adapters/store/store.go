// Package store holds the platform-neutral shape of a store order, and the
// interface that each store adapter implements for order sync. Adapters live
// in subpackages, one per platform.
package store

import (
	"context"
	"time"
)

// Orders is what order sync needs from a store. LoadOrder returns an error
// wrapping [syncerr.ErrNotFound] for an order the store does not have.
//
// [syncerr.ErrNotFound]: github.com/erpsync/erpsync/internal/syncerr#ErrNotFound
type Orders interface {
	// LoadOrder returns the order with its lines and customer.
	LoadOrder(ctx context.Context, orderID string) (Order, error)

	// SetERPID records the ERP's id for the order on the store side. It is
	// idempotent: writing the same id again changes nothing.
	SetERPID(ctx context.Context, orderID, erpID string) error
}

// Order is a store order. Amounts are integer minor units of Currency. The
// lines at their unit prices, less DiscountMinor, plus ShippingMinor, plus
// TaxMinor unless TaxesIncluded, add up to TotalMinor.
type Order struct {
	ID       string    `json:"id"`
	Number   string    `json:"number"`
	Currency string    `json:"currency"`
	PlacedAt time.Time `json:"placed_at"`
	Customer Customer  `json:"customer"`
	Lines    []Line    `json:"lines"`

	ShippingMinor int64 `json:"shipping_minor"`
	TotalMinor    int64 `json:"total_minor"`

	// DiscountMinor is the sum of the order's and its lines' discounts.
	DiscountMinor int64 `json:"discount_minor,omitempty"`

	// TaxMinor is the tax charged on lines and shipping; TaxesIncluded says
	// that the prices already include it.
	TaxMinor      int64 `json:"tax_minor,omitempty"`
	TaxesIncluded bool  `json:"taxes_included,omitempty"`

	// ERPID is the ERP's id once the order has been synced, or "".
	ERPID     string    `json:"erp_id,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`

	// Status is [OrderOpen] or [OrderCancelled]; "" reads as open.
	Status       string `json:"status,omitempty"`
	CancelReason string `json:"cancel_reason,omitempty"`

	// Refunds are the order's refunds, oldest first.
	Refunds []Refund `json:"refunds,omitempty"`
}

// Line is one product line of an [Order].
type Line struct {
	SKU            string `json:"sku"`
	Name           string `json:"name"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor int64  `json:"unit_price_minor"`
}

// Customer is the buyer of an [Order].
type Customer struct {
	ID         string `json:"id"`
	Email      string `json:"email"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	Phone      string `json:"phone,omitempty"`
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Region     string `json:"region,omitempty"`
	Country    string `json:"country,omitempty"`
}
