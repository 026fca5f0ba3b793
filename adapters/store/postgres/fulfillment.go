package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// lockOrderSQL locks an order and reads its status.
const lockOrderSQL = `SELECT status FROM storefront.orders WHERE id = $1 FOR UPDATE`

// shippedSQL reads whether the order has a fulfillment with the
// shipment's ref. It runs after lockOrderSQL has the order's lock, as
// a statement of its own, so that it sees a fulfillment that the lock's
// previous holder committed.
const shippedSQL = `
SELECT EXISTS (SELECT 1 FROM storefront.fulfillments WHERE order_id = $1 AND ref = $2)`

// unitsLeftSQL reads each line of the order with the units not yet in a
// fulfillment.
const unitsLeftSQL = `
SELECT l.line_no, l.sku, l.quantity, l.quantity - COALESCE(sum(fl.quantity), 0)
FROM storefront.order_lines l
LEFT JOIN (storefront.fulfillment_lines fl
           JOIN storefront.fulfillments f ON f.id = fl.fulfillment_id)
       ON f.order_id = l.order_id AND fl.line_no = l.line_no
WHERE l.order_id = $1
GROUP BY l.line_no, l.sku, l.quantity
ORDER BY l.line_no`

// insertFulfillmentSQL inserts a fulfillment with its lines in one
// statement.
const insertFulfillmentSQL = `
WITH f AS (
    INSERT INTO storefront.fulfillments
        (order_id, ref, carrier, tracking_number, tracking_url, created_at)
    VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, now()))
    RETURNING id
)
INSERT INTO storefront.fulfillment_lines (fulfillment_id, line_no, quantity)
SELECT f.id, i.line_no, i.quantity
FROM f, unnest($7::int[], $8::int[]) AS i(line_no, quantity)`

// openLine is a line of an order with its units and those left to ship.
type openLine struct {
	lineNo   int32
	sku      string
	quantity int64
	left     int64
}

// unitsLeft reads the lines of order id with the units left to ship.
func unitsLeft(ctx context.Context, tx pgx.Tx, id int64) ([]openLine, error) {
	rows, _ := tx.Query(ctx, unitsLeftSQL, id)
	open, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (openLine, error) {
		var l openLine
		return l, row.Scan(&l.lineNo, &l.sku, &l.quantity, &l.left)
	})
	if err != nil {
		return nil, fmt.Errorf("read units left to ship: %w", err)
	}
	return open, nil
}

// Ship records s as a fulfillment of order orderID, keyed by s.ID, in one
// transaction that holds the order's row lock. An order that already has a
// fulfillment with that key is left as it is, so that a retry after a lost
// answer records nothing twice. Each line ships units of the order's lines
// of its SKU, the first with units left first. A shipment without an id or
// lines, a line of a SKU the order lacks, a quantity that is not positive
// or more than is left to ship, and a cancelled order give a
// [*syncerr.InvalidError] naming the field, such as "lines[1].quantity".
// An unknown order gives an error wrapping [syncerr.ErrNotFound]. The
// order's updated_at stays, as it tracks the merchant's changes.
func (s *Store) Ship(ctx context.Context, orderID string, sh store.Shipment) error {
	id, err := parseOrderID(orderID)
	if err != nil {
		return err
	}
	switch {
	case sh.ID == "":
		return syncerr.Invalid("id", "shipment of order %d has no id", id)
	case len(sh.Lines) == 0:
		return syncerr.Invalid("lines", "shipment %q of order %d has no lines", sh.ID, id)
	}

	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return ship(ctx, tx, id, sh) })
	if err != nil {
		return fmt.Errorf("ship %q of order %d: %w", sh.ID, id, classify(err))
	}
	return nil
}

// ship records the shipment in tx, unless the order has it.
func ship(ctx context.Context, tx pgx.Tx, id int64, sh store.Shipment) error {
	var status string
	err := tx.QueryRow(ctx, lockOrderSQL, id).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return syncerr.ErrNotFound
	}
	if err != nil {
		return err
	}
	var done bool
	if err := tx.QueryRow(ctx, shippedSQL, id, sh.ID).Scan(&done); err != nil || done {
		return err
	}
	if status == store.OrderCancelled {
		return syncerr.Invalid("status", "order %d is cancelled", id)
	}

	open, err := unitsLeft(ctx, tx, id)
	if err != nil {
		return err
	}
	lineNos, quantities, err := allocate(id, open, sh.Lines)
	if err != nil {
		return err
	}

	var shippedAt *time.Time
	if !sh.ShippedAt.IsZero() {
		shippedAt = &sh.ShippedAt
	}
	_, err = tx.Exec(ctx, insertFulfillmentSQL, id, sh.ID, sh.Carrier, sh.TrackingNumber,
		sh.TrackingURL, shippedAt, lineNos, quantities)
	return err
}

// allocate spreads the shipment's lines over the order's open lines of
// their SKUs, each line's units over the first lines with units left, and
// returns the units shipped per line number, in line order.
func allocate(orderID int64, open []openLine, lines []store.ShipmentLine) ([]int32, []int64,
	error) {
	shipped := make(map[int32]int64)
	for i, sl := range lines {
		field := func(name string) string { return fmt.Sprintf("lines[%d].%s", i, name) }
		if sl.Quantity <= 0 {
			return nil, nil, syncerr.Invalid(field("quantity"), "%d is not positive",
				sl.Quantity)
		}

		need, known := sl.Quantity, false
		for j := range open {
			if open[j].sku != sl.SKU || need == 0 {
				continue
			}
			known = true
			take := min(need, open[j].left)
			open[j].left, need = open[j].left-take, need-take
			shipped[open[j].lineNo] += take
		}

		switch {
		case !known:
			return nil, nil, syncerr.Invalid(field("sku"), "order %d has no line of sku %q",
				orderID, sl.SKU)
		case need > 0:
			return nil, nil, syncerr.Invalid(field("quantity"),
				"%d units of sku %q are more than the %d left to ship on order %d",
				sl.Quantity, sl.SKU, sl.Quantity-need, orderID)
		}
	}

	var lineNos []int32
	var quantities []int64
	for _, l := range open {
		if n := shipped[l.lineNo]; n > 0 {
			lineNos, quantities = append(lineNos, l.lineNo), append(quantities, n)
		}
	}
	return lineNos, quantities, nil
}

// cancelOrderSQL locks the order, cancels it when it is open, and returns
// its status before, in one statement. No row means no order.
const cancelOrderSQL = `
WITH existing AS (
    SELECT id, status FROM storefront.orders WHERE id = $1 FOR UPDATE
), cancelled AS (
    UPDATE storefront.orders o
    SET status = 'cancelled', cancel_reason = $2, updated_at = now()
    FROM existing
    WHERE o.id = existing.id AND existing.status = 'open'
)
SELECT status FROM existing`

// CancelOrder marks an open order cancelled with reason, and moves its
// updated_at. A cancelled order is left as it is, reason and all. Nothing
// is refunded. An unknown order gives an error wrapping
// [syncerr.ErrNotFound].
func (s *Store) CancelOrder(ctx context.Context, orderID, reason string) error {
	id, err := parseOrderID(orderID)
	if err != nil {
		return err
	}

	var before string
	err = s.pool.QueryRow(ctx, cancelOrderSQL, id, reason).Scan(&before)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("cancel order %d: %w", id, syncerr.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("cancel order %d: %w", id, classify(err))
	}
	return nil
}
