package store

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Store is everything erpsync's workflows need from a store platform. Each
// platform adapter implements all of it; each workflow's activities declare
// the smaller interface they use.
type Store interface {
	Orders
	OrderChanges
	Inventory
	Prices
	WebhookVerifier
	Customers
	Catalog
	Fulfillment
	StockReader
}

// OrderChanges lists a store's orders by modification time, for the sweep
// that finds orders whose webhook never arrived and for the initial load.
type OrderChanges interface {
	// ChangedOrders lists the orders modified at or after q.Since, oldest
	// first (ties in id order), at most q.Limit of them.
	ChangedOrders(ctx context.Context, q Changes) (Page[OrderChange], error)
}

// Changes asks for the records modified at or after Since, oldest first, at
// most Limit of them (a platform's own maximum when Limit is 0 or more than
// the platform allows). Cursor continues a listing where the previous
// [Page] ended; "" starts it. Callers give Since an overlap window before
// their watermark and must expect to see a record again.
type Changes struct {
	Since  time.Time `json:"since"`
	Cursor string    `json:"cursor,omitempty"`
	Limit  int       `json:"limit"`
}

// Page is one page of a listing. Next is the cursor of the following page,
// or "" when this page is the last.
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// OrderChange names an order that changed, and when, with what the drift
// report counts of it.
type OrderChange struct {
	ID       string    `json:"id"`
	Number   string    `json:"number"`
	Modified time.Time `json:"modified"`

	PlacedAt   time.Time `json:"placed_at"`
	Currency   string    `json:"currency"`
	TotalMinor int64     `json:"total_minor"`
	Cancelled  bool      `json:"cancelled,omitempty"`

	// ERPID is the ERP id written back to the order, or "".
	ERPID string `json:"erp_id,omitempty"`
}

// Inventory writes stock levels to a store.
type Inventory interface {
	// SetStock sets the sellable quantity of each level of u, in as few
	// calls as the platform allows. Levels the store refuses (an unknown
	// SKU or location, a stale compare value) are reported in a
	// [*PartialError]; the others are applied.
	SetStock(ctx context.Context, u StockUpdate) error
}

// StockUpdate is one bulk write of stock levels. Key identifies the write:
// a retry of the same write carries the same key, so that platforms with
// idempotent writes apply it once; a new write needs a new key.
type StockUpdate struct {
	Key    string       `json:"key"`
	Levels []StockLevel `json:"levels"`
}

// StockLevel is the sellable quantity of one SKU at one store location.
// Previous is the quantity erpsync last wrote there, or nil when it wrote
// none; platforms that compare before they set refuse the write when the
// store holds another quantity.
type StockLevel struct {
	SKU       string `json:"sku"`
	Location  string `json:"location"`
	Available int64  `json:"available"`
	Previous  *int64 `json:"previous,omitempty"`
}

// Prices writes base prices to a store.
type Prices interface {
	// SetPrices sets the base price of each SKU. A SKU that the store sells
	// at a promotional price (a compare-at or sale price) keeps every price
	// it has and is listed in PriceReport.Promoted; unknown SKUs are
	// reported in a [*PartialError].
	SetPrices(ctx context.Context, prices []Price) (PriceReport, error)
}

// Price is the base price of a SKU in minor units of Currency.
type Price struct {
	SKU        string `json:"sku"`
	PriceMinor int64  `json:"price_minor"`
	Currency   string `json:"currency"`
}

// PriceReport says what SetPrices did.
type PriceReport struct {
	Updated  int      `json:"updated"`
	Promoted []string `json:"promoted,omitempty"`
}

// PartialError reports the items of a bulk write that the store refused.
type PartialError struct {
	Items []ItemError
}

// ItemError is one refused item of a bulk write: its index in the request
// and why.
type ItemError struct {
	Index int
	Err   error
}

// Error counts the refused items and names the first.
func (e *PartialError) Error() string {
	if len(e.Items) == 0 {
		return "no item refused"
	}
	return fmt.Sprintf("%d items refused; item %d: %v", len(e.Items), e.Items[0].Index,
		e.Items[0].Err)
}

// WebhookVerifier checks a webhook delivery the way its platform signs and
// sends it.
type WebhookVerifier interface {
	// VerifyWebhook checks the delivery's signature and freshness and
	// reads what it is about. It returns an error wrapping
	// [ErrBadSignature], [ErrStale] or [ErrMalformed], with the reason.
	VerifyWebhook(d WebhookDelivery) (Webhook, error)
}

// WebhookDelivery is a webhook request as it arrived: its headers, its raw
// body (read before any parsing, since signatures cover the exact bytes),
// and when it was received.
type WebhookDelivery struct {
	Header   http.Header
	Body     []byte
	Received time.Time
}

// Webhook is a delivery that a [WebhookVerifier] accepted.
type Webhook struct {
	// ID tells a repeated delivery of one event from a new event. It is
	// the same across the platform's retries of one event.
	ID string

	// Topic is the platform's name of the event, such as "orders/create".
	Topic string

	// OrderID is the id of the order the event is about, or "" for an
	// event about something else.
	OrderID string

	// OrderChanged says the event reports a change of an order that may
	// have been synced already: a cancellation, a refund, an edit.
	OrderChanged bool

	// CustomerID is the id of the customer account the event is about, or
	// "" for an event about something else.
	CustomerID string

	// Ping is set for a delivery that only checks that the endpoint
	// answers, such as the one WooCommerce sends when a webhook is saved.
	Ping bool
}

// Errors that VerifyWebhook wraps, each with the reason.
var (
	// ErrBadSignature reports a missing or wrong signature or credential.
	ErrBadSignature = errors.New("webhook signature refused")

	// ErrStale reports a delivery of an event too old to act on.
	ErrStale = errors.New("webhook delivery is stale")

	// ErrMalformed reports a body or header that cannot be read.
	ErrMalformed = errors.New("webhook delivery is malformed")
)
