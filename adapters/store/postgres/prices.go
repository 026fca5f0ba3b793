package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// currentPricesSQL reads, and locks, the currency and promotion of each SKU
// asked for. A product is promoted when it has a sale price whose window has
// not ended: one without a window, one under way, and one scheduled to
// start later. A sale whose window has ended no longer sets what shoppers
// pay, so the base price is the feed's again.
const currentPricesSQL = `
SELECT i.n, p.currency,
       p.sale_price_minor IS NOT NULL AND (p.sale_ends_at IS NULL OR p.sale_ends_at > now())
FROM unnest($1::text[]) WITH ORDINALITY AS i(sku, n)
JOIN storefront.products p ON p.sku = i.sku
ORDER BY i.n
FOR UPDATE OF p`

const writePricesSQL = `
UPDATE storefront.products p
SET price_minor = i.price, updated_at = now()
FROM unnest($1::text[], $2::bigint[]) AS i(sku, price)
WHERE p.sku = i.sku AND p.price_minor <> i.price`

// pricing is what SetPrices reads of a product.
type pricing struct {
	currency string
	promoted bool
}

// SetPrices sets the base price of each SKU in one transaction of two
// statements. A product with a sale price, now or in a scheduled window,
// keeps both of its prices and is listed in the report; an unknown SKU, a
// negative price or another currency than the product's is refused in a
// [*store.PartialError].
func (s *Store) SetPrices(ctx context.Context, prices []store.Price) (store.PriceReport,
	error) {
	var report store.PriceReport
	var refused []store.ItemError
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		found, err := currentPricing(ctx, tx, prices)
		if err != nil {
			return err
		}

		var skus []string
		var amounts []int64
		for i, p := range prices {
			cur, ok := found[i]
			switch err := checkPrice(p, cur, ok); {
			case err != nil:
				refused = append(refused, store.ItemError{Index: i, Err: err})
			case cur.promoted:
				report.Promoted = append(report.Promoted, p.SKU)
			default:
				skus, amounts = append(skus, p.SKU), append(amounts, p.PriceMinor)
			}
		}
		report.Updated = len(skus)
		_, err = tx.Exec(ctx, writePricesSQL, skus, amounts)
		return err
	})
	if err != nil {
		return store.PriceReport{}, fmt.Errorf("set %d prices: %w", len(prices), classify(err))
	}
	if len(refused) > 0 {
		return report, &store.PartialError{Items: refused}
	}
	return report, nil
}

// currentPricing reads the pricing of the products of prices, by index.
func currentPricing(ctx context.Context, tx pgx.Tx, prices []store.Price) (map[int]pricing,
	error) {
	skus := make([]string, len(prices))
	for i, p := range prices {
		skus[i] = p.SKU
	}

	rows, _ := tx.Query(ctx, currentPricesSQL, skus)
	found := map[int]pricing{}
	var n int
	var p pricing
	_, err := pgx.ForEachRow(rows, []any{&n, &p.currency, &p.promoted}, func() error {
		found[n-1] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read prices: %w", err)
	}
	return found, nil
}

// checkPrice returns why p cannot be set on a product priced as cur, or
// nil; ok reports whether the product exists.
func checkPrice(p store.Price, cur pricing, ok bool) error {
	switch {
	case !ok:
		return syncerr.Invalid("sku", "sku %q is not a product of the storefront", p.SKU)
	case p.PriceMinor < 0:
		return syncerr.Invalid("price_minor", "%d is negative", p.PriceMinor)
	case p.Currency != cur.currency:
		return syncerr.Invalid("currency", "%s: the product is priced in %s", p.Currency,
			cur.currency)
	}
	return nil
}
