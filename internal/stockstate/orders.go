package stockstate

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// An OrderLine is a quantity of one SKU in a store order.
type OrderLine struct {
	SKU      string
	Quantity int64
}

// RecordOrderLines records the lines of a store order as its sync loaded
// them, replacing those recorded before (the order may have been edited).
// Quantities of one SKU on several lines add up; lines without a SKU or a
// positive quantity are left out, since they hold no stock.
func (s *State) RecordOrderLines(ctx context.Context, store, orderID string,
	lines []OrderLine) error {
	bySKU := map[string]int64{}
	var skus []string
	for _, l := range lines {
		if l.SKU == "" || l.Quantity <= 0 {
			continue
		}
		if _, ok := bySKU[l.SKU]; !ok {
			skus = append(skus, l.SKU)
		}
		bySKU[l.SKU] += l.Quantity
	}
	quantities := make([]int64, len(skus))
	for i, sku := range skus {
		quantities[i] = bySKU[sku]
	}

	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return replaceLines(ctx, tx, store, orderID, skus, quantities)
	})
	if err != nil {
		return fmt.Errorf("record lines of order %s of store %s: %w", orderID, store, err)
	}
	return nil
}

// replaceLines makes the recorded lines of an order those given, leaving
// unchanged lines as they are so that their load time stays.
func replaceLines(ctx context.Context, tx pgx.Tx, store, orderID string, skus []string,
	quantities []int64) error {
	_, err := tx.Exec(ctx, `
DELETE FROM erpsync.order_lines
WHERE store = $1 AND order_id = $2 AND NOT (sku = ANY($3::text[]))`, store, orderID, skus)
	if err != nil {
		return err
	}

	_, err = tx.Exec(ctx, `
INSERT INTO erpsync.order_lines AS l (store, order_id, sku, quantity)
SELECT $1, $2, * FROM unnest($3::text[], $4::bigint[])
ON CONFLICT (store, order_id, sku) DO UPDATE
SET quantity = EXCLUDED.quantity, loaded_at = now()
WHERE l.quantity <> EXCLUDED.quantity`, store, orderID, skus, quantities)
	return err
}

// touchedSQL lists the SKUs of the store's orders that were loaded, or
// whose sync changed state, at or after $2, and those whose safety stock
// was set then.
const touchedSQL = `
SELECT sku FROM erpsync.order_lines WHERE store = $1 AND loaded_at >= $2
UNION
SELECT l.sku
FROM erpsync.sync_log g
JOIN erpsync.order_lines l ON l.store = g.store AND l.order_id = g.external_ref
WHERE g.entity = 'order' AND g.store = $1 AND g.updated_at >= $2
UNION
SELECT sku FROM erpsync.safety_stock WHERE updated_at >= $2`

// Touched returns the SKUs whose availability in the store named store may
// have changed at or after since without a change of the ERP's stock: an
// order of them was loaded, or its sync booked, parked or skipped it, or
// their safety stock was set.
func (s *State) Touched(ctx context.Context, store string, since time.Time) ([]string,
	error) {
	rows, _ := s.pool.Query(ctx, touchedSQL, store, since.UTC())
	skus, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list skus touched in store %s: %w", store, err)
	}
	return skus, nil
}

// PruneOrderLines drops the lines of the store's orders whose sync was
// booked or skipped before the cutoff: they hold no stock any more.
func (s *State) PruneOrderLines(ctx context.Context, store string, before time.Time) (int64,
	error) {
	tag, err := s.pool.Exec(ctx, `
DELETE FROM erpsync.order_lines l
USING erpsync.sync_log g
WHERE l.store = $1 AND g.entity = 'order' AND g.store = l.store
    AND g.external_ref = l.order_id AND g.status IN ('synced', 'skipped')
    AND g.updated_at < $2`, store, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("prune order lines of store %s: %w", store, err)
	}
	return tag.RowsAffected(), nil
}

// SetSafetyStock makes erpsync hold back quantity units of sku at every
// location, in place of the default; a nil quantity returns sku to the
// default.
func (s *State) SetSafetyStock(ctx context.Context, sku string, quantity *int64) error {
	_, err := s.pool.Exec(ctx, `
INSERT INTO erpsync.safety_stock (sku, quantity) VALUES ($1, $2)
ON CONFLICT (sku) DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = now()`,
		sku, quantity)
	if err != nil {
		return fmt.Errorf("set safety stock of %s: %w", sku, err)
	}
	return nil
}
