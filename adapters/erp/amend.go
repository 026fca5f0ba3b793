package erp

import (
	"context"
	"errors"
	"time"
)

// Amendments changes booked sales orders as their store orders change
// after the sync: cancelled, or refunded in part or in full.
type Amendments interface {
	// CancelSalesOrder cancels sales order id, recording reason where the
	// ERP keeps one. Cancelling a cancelled order changes nothing. An
	// order the ERP has shipped, in full or in part, is left as it is and
	// the error wraps [ErrShipped].
	CancelSalesOrder(ctx context.Context, id, reason string) error

	// CreateCreditMemo books a refund as the ERP's credit document (a
	// credit memo, a credit note, a customer refund), idempotent by
	// m.ExternalRef: a second call with the same reference returns the
	// document the first created. Adapters of ERPs whose credit documents
	// erpsync cannot create return an error wrapping [ErrUnsupported].
	CreateCreditMemo(ctx context.Context, m CreditMemo) (CreditMemoRef, error)
}

// SalesOrderLister lists booked sales orders by modification time, for the
// drift report that compares them with the store's orders.
type SalesOrderLister interface {
	ChangedSalesOrders(ctx context.Context, q Changes) (Page[SalesOrderSummary], error)
}

// Errors that adapters wrap.
var (
	// ErrShipped reports a change that a shipped sales order no longer
	// allows, such as its cancellation.
	ErrShipped = errors.New("sales order has shipped")

	// ErrUnsupported reports an operation that the adapter does not offer
	// for its ERP.
	ErrUnsupported = errors.New("not supported by this ERP adapter")
)

// CreditMemo is a store refund mapped for an ERP. Amounts are integer minor
// units of Currency; Lines, at their unit prices, add up to TotalMinor. A
// refund of an amount not tied to products (a goodwill refund, returned
// shipping) is a line of that amount on the ERP's refund service item.
type CreditMemo struct {
	// ExternalRef makes the document unique in the ERP:
	// "<store>:<order number>:refund:<refund id>".
	ExternalRef  string    `json:"external_ref"`
	SalesOrderID string    `json:"sales_order_id"`
	Currency     string    `json:"currency"`
	Reason       string    `json:"reason,omitempty"`
	Lines        []Line    `json:"lines"`
	TotalMinor   int64     `json:"total_minor"`
	RefundedAt   time.Time `json:"refunded_at"`
}

// CreditMemoRef identifies a credit document in the ERP.
type CreditMemoRef struct {
	ID     string `json:"id"`
	Number string `json:"number,omitempty"`
}

// SalesOrderSummary is a booked sales order as the drift report counts it.
type SalesOrderSummary struct {
	ID          string    `json:"id"`
	Number      string    `json:"number,omitempty"`
	ExternalRef string    `json:"external_ref,omitempty"`
	Currency    string    `json:"currency"`
	TotalMinor  int64     `json:"total_minor"`
	Cancelled   bool      `json:"cancelled,omitempty"`
	OrderedAt   time.Time `json:"ordered_at"`
	Modified    time.Time `json:"modified"`
}
