package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// createDraftsSQL inserts the products whose SKU the catalog lacks, as
// drafts, and returns the SKUs it inserted.
const createDraftsSQL = `
INSERT INTO storefront.products (sku, name, price_minor, currency, draft)
SELECT i.sku, i.name, i.price, i.currency, true
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])
     WITH ORDINALITY AS i(sku, name, price, currency, n)
ORDER BY i.n
ON CONFLICT (sku) DO NOTHING
RETURNING sku`

// CreateDrafts creates the products whose SKU the catalog lacks as drafts,
// which shoppers do not see, at their base price, in one statement. It
// returns the SKUs it created in the order given; products whose SKU
// exists are left as they are. A product without a SKU, with a negative
// price or no currency code, or a SKU given twice, gives a
// [*syncerr.InvalidError] naming it, and nothing is created. A product
// without a name is named after its SKU.
func (s *Store) CreateDrafts(ctx context.Context, products []store.Product) ([]string,
	error) {
	skus := make([]string, len(products))
	names := make([]string, len(products))
	prices := make([]int64, len(products))
	currencies := make([]string, len(products))
	index := make(map[string]int, len(products))
	for i, p := range products {
		if err := checkDraft(i, p, index); err != nil {
			return nil, err
		}
		skus[i], names[i], prices[i], currencies[i] = p.SKU, cmp.Or(p.Name, p.SKU),
			p.PriceMinor, p.Currency
		index[p.SKU] = i
	}

	rows, _ := s.pool.Query(ctx, createDraftsSQL, skus, names, prices, currencies)
	created, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("create %d draft products: %w", len(products), classify(err))
	}
	slices.SortFunc(created, func(a, b string) int { return cmp.Compare(index[a], index[b]) })
	return created, nil
}

// checkDraft checks the i-th product, and that its SKU is not in seen.
func checkDraft(i int, p store.Product, seen map[string]int) error {
	field := func(name string) string { return fmt.Sprintf("products[%d].%s", i, name) }
	if _, ok := seen[p.SKU]; ok {
		return syncerr.Invalid(field("sku"), "%q is given twice", p.SKU)
	}
	switch {
	case p.SKU == "":
		return syncerr.Invalid(field("sku"), "is empty")
	case p.PriceMinor < 0:
		return syncerr.Invalid(field("price_minor"), "%d is negative", p.PriceMinor)
	case !money.ValidCurrency(p.Currency):
		return syncerr.Invalid(field("currency"), "%q is not a three-letter code", p.Currency)
	}
	return nil
}
