package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// currentStockSQL reads the product and the stored quantity of each (sku,
// location) asked for, locking the products for the rest of the
// transaction so that stock writes of one product take turns. Each lookup
// is its own index probe (the lateral subqueries cannot be merged into a
// join), so the cost follows the levels asked for, not the size of the
// catalog, whatever the planner's statistics say.
const currentStockSQL = `
SELECT i.n, p.id, s.quantity
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS i(sku, location, n)
LEFT JOIN LATERAL (
    SELECT id FROM storefront.products WHERE sku = i.sku FOR UPDATE
) p ON true
LEFT JOIN LATERAL (
    SELECT quantity FROM storefront.stock_levels
    WHERE product_id = p.id AND location = i.location OFFSET 0
) s ON true
ORDER BY i.n`

const writeStockSQL = `
INSERT INTO storefront.stock_levels AS s (product_id, location, quantity)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[])
ON CONFLICT (product_id, location) DO UPDATE
SET quantity = EXCLUDED.quantity, updated_at = now()
WHERE s.quantity <> EXCLUDED.quantity`

// current is the stored state of one level of a stock update.
type current struct {
	productID *int64
	quantity  *int64
}

// SetStock sets the levels of u in one transaction of two statements,
// whatever their count. A level whose SKU the catalog lacks, whose
// quantity is out of range, or whose Previous differs from the stored
// quantity (a level never stored holds 0) is refused and reported in a
// [*store.PartialError]; the others are written. A level that already
// holds its quantity is left alone, so that a retry of an applied update
// succeeds. Key is not needed: setting absolute quantities is idempotent.
func (s *Store) SetStock(ctx context.Context, u store.StockUpdate) error {
	var refused []store.ItemError
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := currentStock(ctx, tx, u.Levels)
		if err != nil {
			return err
		}

		var ids []int64
		var locations []string
		var quantities []int64
		for i, l := range u.Levels {
			if err := checkLevel(l, cur[i]); err != nil {
				refused = append(refused, store.ItemError{Index: i, Err: err})
				continue
			}
			ids, locations = append(ids, *cur[i].productID), append(locations, l.Location)
			quantities = append(quantities, l.Available)
		}
		_, err = tx.Exec(ctx, writeStockSQL, ids, locations, quantities)
		return err
	})
	if err != nil {
		return fmt.Errorf("set %d stock levels: %w", len(u.Levels), classify(err))
	}
	if len(refused) > 0 {
		return &store.PartialError{Items: refused}
	}
	return nil
}

// currentStock reads the stored state of each level, in the order given.
func currentStock(ctx context.Context, tx pgx.Tx, levels []store.StockLevel) ([]current,
	error) {
	skus := make([]string, len(levels))
	locations := make([]string, len(levels))
	for i, l := range levels {
		skus[i], locations[i] = l.SKU, l.Location
	}

	rows, _ := tx.Query(ctx, currentStockSQL, skus, locations)
	cur := make([]current, 0, len(levels))
	var n int64
	var c current
	_, err := pgx.ForEachRow(rows, []any{&n, &c.productID, &c.quantity}, func() error {
		cur = append(cur, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stock: %w", err)
	}
	return cur, nil
}

// checkLevel returns why level l cannot be written over its stored state c,
// or nil.
func checkLevel(l store.StockLevel, c current) error {
	stored := int64(0)
	if c.quantity != nil {
		stored = *c.quantity
	}
	switch {
	case c.productID == nil:
		return syncerr.Invalid("sku", "sku %q is not a product of the storefront", l.SKU)
	case l.Location == "":
		return syncerr.Invalid("location", "is empty")
	case l.Available < 0 || l.Available > math.MaxInt32:
		return syncerr.Invalid("available", "%d is out of range", l.Available)
	case l.Previous != nil && *l.Previous != stored && stored != l.Available:
		return syncerr.Invalid("previous", "%q at %q holds %d, not %d", l.SKU, l.Location,
			stored, *l.Previous)
	}
	return nil
}

// readStockSQL reads every stored level of the SKUs asked for.
const readStockSQL = `
SELECT p.sku, l.location, l.quantity
FROM storefront.products p
JOIN storefront.stock_levels l ON l.product_id = p.id
WHERE p.sku = ANY($1::text[])
ORDER BY p.sku, l.location`

// ReadStock returns the stored quantity of each of skus at every location
// that holds a level of it, by SKU and then location, in one query. The
// locations are named as [Store.SetStock] takes them. SKUs that the
// catalog lacks are left out; drafts are not, since their stock is kept
// for when they are published.
func (s *Store) ReadStock(ctx context.Context, skus []string) ([]store.StockLevel, error) {
	rows, _ := s.pool.Query(ctx, readStockSQL, skus)
	levels, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.StockLevel,
		error) {
		var l store.StockLevel
		return l, row.Scan(&l.SKU, &l.Location, &l.Available)
	})
	if err != nil {
		return nil, fmt.Errorf("read stock of %d SKUs: %w", len(skus), classify(err))
	}
	return levels, nil
}
