// Package postgres is the store adapter for a custom (headless) storefront
// whose data lives in the storefront schema of a Postgres database, as
// created by internal/schema. [Store] implements the whole [store.Store]
// interface, with erpsync's own webhook signature (see [Sign]), and has
// seeding and inspection methods for demos and tests.
//
// Order and customer ids are the decimal form of the tables' bigint keys.
// Money stays in integer minor units throughout.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// A Store reads and writes the storefront schema through a pgx pool. It is
// safe for concurrent use.
type Store struct {
	pool          *pgxpool.Pool
	webhookSecret string
}

var _ store.Store = (*Store)(nil)

// An Option configures a [Store].
type Option func(*Store)

// WithWebhookSecret sets the key that the storefront signs its webhooks
// with, which [Store.VerifyWebhook] checks.
func WithWebhookSecret(secret string) Option {
	return func(s *Store) { s.webhookSecret = secret }
}

// New returns a Store that uses pool. The caller keeps ownership of pool.
func New(pool *pgxpool.Pool, opts ...Option) *Store {
	s := &Store{pool: pool}
	for _, o := range opts {
		o(s)
	}
	return s
}

// orderRow is an order joined with its customer, as loadOrderSQL returns it.
type orderRow struct {
	ID            int64
	Number        string
	Currency      string
	PlacedAt      time.Time
	ShippingMinor int64
	TotalMinor    int64
	DiscountMinor int64
	TaxMinor      int64
	TaxesIncluded bool
	ERPOrderID    *string
	UpdatedAt     time.Time
	Status        string
	CancelReason  string

	CustomerID int64
	customerRow
}

const loadOrderSQL = `
SELECT o.id, o.number, o.currency, o.placed_at, o.shipping_minor, o.total_minor,
       o.discount_minor, o.tax_minor, o.taxes_included, o.erp_order_id, o.updated_at,
       o.status, o.cancel_reason,
       c.id AS customer_id, c.email, c.first_name, c.last_name, c.phone,
       c.line1, c.line2, c.city, c.postal_code, c.region, c.country
FROM storefront.orders o
JOIN storefront.customers c ON c.id = o.customer_id
WHERE o.id = $1`

const loadLinesSQL = `
SELECT sku, name, quantity, unit_price_minor
FROM storefront.order_lines
WHERE order_id = $1
ORDER BY line_no`

// LoadOrder returns the order with its lines, in line order, its customer,
// its status and its refunds, oldest first, in one round trip. An unknown
// id gives an error wrapping [syncerr.ErrNotFound]; an id that is not a
// positive integer gives a [*syncerr.InvalidError] for field "order_id".
func (s *Store) LoadOrder(ctx context.Context, orderID string) (store.Order, error) {
	id, err := parseOrderID(orderID)
	if err != nil {
		return store.Order{}, err
	}

	var row orderRow
	var lines []store.Line
	var refunds []store.Refund
	b := &pgx.Batch{}
	b.Queue(loadOrderSQL, id).Query(func(rows pgx.Rows) error {
		var err error
		row, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[orderRow])
		return err
	})
	b.Queue(loadLinesSQL, id).Query(func(rows pgx.Rows) error {
		var err error
		lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[store.Line])
		return err
	})
	b.Queue(loadRefundsSQL, id).Query(func(rows pgx.Rows) error {
		var err error
		refunds, err = collectRefunds(rows)
		return err
	})

	err = s.pool.SendBatch(ctx, b).Close()
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Order{}, fmt.Errorf("load order %d: %w", id, syncerr.ErrNotFound)
	}
	if err != nil {
		return store.Order{}, fmt.Errorf("load order %d: %w", id, classify(err))
	}
	o := row.order(lines)
	o.Refunds = refunds
	return o, nil
}

// order converts the row and its lines into a [store.Order].
func (r orderRow) order(lines []store.Line) store.Order {
	o := store.Order{
		ID:            strconv.FormatInt(r.ID, 10),
		Number:        r.Number,
		Currency:      r.Currency,
		PlacedAt:      r.PlacedAt.UTC(),
		Customer:      r.customerRow.customer(r.CustomerID),
		Lines:         lines,
		ShippingMinor: r.ShippingMinor,
		TotalMinor:    r.TotalMinor,
		DiscountMinor: r.DiscountMinor,
		TaxMinor:      r.TaxMinor,
		TaxesIncluded: r.TaxesIncluded,
		UpdatedAt:     r.UpdatedAt.UTC(),
		Status:        r.Status,
		CancelReason:  r.CancelReason,
	}
	if r.ERPOrderID != nil {
		o.ERPID = *r.ERPOrderID
	}
	return o
}

// setERPIDSQL locks the order, sets its ERP id only when it has none, and
// returns the ERP id it had before, in one statement. No row means no order.
const setERPIDSQL = `
WITH existing AS (
    SELECT id, erp_order_id FROM storefront.orders WHERE id = $1 FOR UPDATE
), updated AS (
    UPDATE storefront.orders o
    SET erp_order_id = $2, erp_synced_at = now()
    FROM existing
    WHERE o.id = existing.id AND existing.erp_order_id IS NULL
)
SELECT erp_order_id FROM existing`

// SetERPID records erpID as the order's ERP id and the time of the sync. It
// leaves updated_at alone, since that column tracks the merchant's changes.
// Writing the id the order already has changes nothing. An order that
// carries a different ERP id gives a [*syncerr.InvalidError] for field
// "erp_order_id" naming that id, and is left unchanged. An unknown order
// gives an error wrapping [syncerr.ErrNotFound].
func (s *Store) SetERPID(ctx context.Context, orderID, erpID string) error {
	id, err := parseOrderID(orderID)
	if err != nil {
		return err
	}
	if erpID == "" {
		return syncerr.Invalid("erp_order_id", "order %d: ERP id is empty", id)
	}

	var previous *string
	err = s.pool.QueryRow(ctx, setERPIDSQL, id, erpID).Scan(&previous)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("set erp id of order %d: %w", id, syncerr.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("set erp id of order %d: %w", id, classify(err))
	}

	if previous != nil && *previous != erpID {
		return syncerr.Invalid("erp_order_id", "order %d already has ERP id %q, not %q",
			id, *previous, erpID)
	}
	return nil
}

// parseOrderID returns the key of a store order id, which must be a positive
// integer in canonical decimal form.
func parseOrderID(orderID string) (int64, error) {
	return parseKey("order_id", orderID)
}

// parseKey returns the key of id, which must be a positive integer in
// canonical decimal form; otherwise it gives a [*syncerr.InvalidError] for
// field.
func parseKey(field, id string) (int64, error) {
	key, err := strconv.ParseInt(id, 10, 64)
	if err != nil || key <= 0 || strconv.FormatInt(key, 10) != id {
		return 0, syncerr.Invalid(field, "%q is not a positive integer", id)
	}
	return key, nil
}

// classify marks errors that come from reaching the database, rather than
// from the statement, with [syncerr.ErrUnavailable], so that callers can
// tell a database that is down or restarting from a query that is wrong.
func classify(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if transientSQLState(pgErr.Code) {
			return fmt.Errorf("%w: %w", syncerr.ErrUnavailable, err)
		}
		return err
	}

	var connectErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) ||
		pgconn.Timeout(err) {
		return fmt.Errorf("%w: %w", syncerr.ErrUnavailable, err)
	}
	return err
}

// transientSQLState reports whether a server error may pass on its own:
// connection exceptions, too many connections or a shutdown, serialization
// failures and deadlocks.
func transientSQLState(code string) bool {
	if len(code) != 5 {
		return false
	}
	switch code[:2] {
	case "08", "53", "57": // connection, insufficient resources, operator intervention
		return code != "57014" // a cancelled statement was ours to cancel
	case "40": // serialization failure, deadlock
		return true
	}
	return false
}
