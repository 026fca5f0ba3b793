package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// Product is a catalog entry for [Store.UpsertProducts].
type Product struct {
	SKU        string
	Name       string
	PriceMinor int64  // in minor units of Currency
	Currency   string // ISO 4217 code, such as "EUR"

	// SalePriceMinor, when not 0, is the promotional price the product
	// sells at instead of PriceMinor.
	SalePriceMinor int64
}

// StockLevel is the quantity of one product at one location, for
// [Store.SeedStock].
type StockLevel struct {
	SKU      string
	Location string
	Quantity int64
}

const upsertProductsSQL = `
INSERT INTO storefront.products AS p (sku, name, price_minor, currency, sale_price_minor)
SELECT i.sku, i.name, i.price, i.currency, NULLIF(i.sale, 0)
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[])
     AS i(sku, name, price, currency, sale)
ON CONFLICT (sku) DO UPDATE
SET name = EXCLUDED.name, price_minor = EXCLUDED.price_minor,
    currency = EXCLUDED.currency, sale_price_minor = EXCLUDED.sale_price_minor,
    updated_at = now()
WHERE (p.name, p.price_minor, p.currency, p.sale_price_minor)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.price_minor, EXCLUDED.currency,
                        EXCLUDED.sale_price_minor)`

// UpsertProducts inserts the products, or updates those whose SKU exists,
// in one statement. Products that do not change keep their updated_at. A
// product that is not valid, or a SKU given twice, gives a
// [*syncerr.InvalidError] and nothing is written.
func (s *Store) UpsertProducts(ctx context.Context, products []Product) error {
	skus := make([]string, len(products))
	names := make([]string, len(products))
	prices := make([]int64, len(products))
	currencies := make([]string, len(products))
	sales := make([]int64, len(products))
	seen := make(map[string]bool, len(products))
	for i, p := range products {
		if err := validateProduct(i, p, seen); err != nil {
			return err
		}
		skus[i], names[i], prices[i], currencies[i] = p.SKU, p.Name, p.PriceMinor, p.Currency
		sales[i] = p.SalePriceMinor
	}

	_, err := s.pool.Exec(ctx, upsertProductsSQL, skus, names, prices, currencies, sales)
	if err != nil {
		return fmt.Errorf("upsert %d products: %w", len(products), classify(err))
	}
	return nil
}

// validateProduct checks the i-th product, and that its SKU is not in seen.
func validateProduct(i int, p Product, seen map[string]bool) error {
	field := func(name string) string { return fmt.Sprintf("products[%d].%s", i, name) }
	switch {
	case p.SKU == "":
		return syncerr.Invalid(field("sku"), "is empty")
	case seen[p.SKU]:
		return syncerr.Invalid(field("sku"), "%q is given twice", p.SKU)
	case p.PriceMinor < 0:
		return syncerr.Invalid(field("price_minor"), "%d is negative", p.PriceMinor)
	case p.SalePriceMinor < 0:
		return syncerr.Invalid(field("sale_price_minor"), "%d is negative", p.SalePriceMinor)
	case !money.ValidCurrency(p.Currency):
		return syncerr.Invalid(field("currency"), "%q is not a three-letter code", p.Currency)
	}
	seen[p.SKU] = true
	return nil
}

const unknownSKUsSQL = `
SELECT DISTINCT i.sku
FROM unnest($1::text[]) AS i(sku)
WHERE NOT EXISTS (SELECT 1 FROM storefront.products p WHERE p.sku = i.sku)
ORDER BY 1`

const setStockSQL = `
INSERT INTO storefront.stock_levels AS s (product_id, location, quantity)
SELECT p.id, i.location, i.quantity
FROM unnest($1::text[], $2::text[], $3::int[]) AS i(sku, location, quantity)
JOIN storefront.products p ON p.sku = i.sku
ON CONFLICT (product_id, location) DO UPDATE
SET quantity = EXCLUDED.quantity, updated_at = now()
WHERE s.quantity <> EXCLUDED.quantity`

// SeedStock sets the quantity of each product at each location, all or
// nothing, for demos and tests. A SKU the
// catalog does not have gives an error wrapping [syncerr.ErrNotFound] that
// names it; a level that is not valid gives a [*syncerr.InvalidError]. In
// both cases nothing is written.
func (s *Store) SeedStock(ctx context.Context, levels []StockLevel) error {
	skus := make([]string, len(levels))
	locations := make([]string, len(levels))
	quantities := make([]int64, len(levels))
	seen := make(map[[2]string]bool, len(levels))
	for i, l := range levels {
		if err := validateStock(i, l, seen); err != nil {
			return err
		}
		skus[i], locations[i], quantities[i] = l.SKU, l.Location, l.Quantity
	}

	rows, _ := s.pool.Query(ctx, unknownSKUsSQL, skus)
	unknown, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("check SKUs of %d stock levels: %w", len(levels), classify(err))
	}
	if len(unknown) > 0 {
		return fmt.Errorf("set stock of SKUs %s: %w", strings.Join(unknown, ", "),
			syncerr.ErrNotFound)
	}

	if _, err := s.pool.Exec(ctx, setStockSQL, skus, locations, quantities); err != nil {
		return fmt.Errorf("set %d stock levels: %w", len(levels), classify(err))
	}
	return nil
}

// validateStock checks the i-th level, and that its SKU and location are not
// in seen.
func validateStock(i int, l StockLevel, seen map[[2]string]bool) error {
	field := func(name string) string { return fmt.Sprintf("levels[%d].%s", i, name) }
	key := [2]string{l.SKU, l.Location}
	switch {
	case l.SKU == "":
		return syncerr.Invalid(field("sku"), "is empty")
	case l.Location == "":
		return syncerr.Invalid(field("location"), "is empty")
	case seen[key]:
		return syncerr.Invalid(field("location"), "%q is given twice for SKU %q",
			l.Location, l.SKU)
	case l.Quantity < 0 || l.Quantity > math.MaxInt32:
		return syncerr.Invalid(field("quantity"), "%d is out of range", l.Quantity)
	}
	seen[key] = true
	return nil
}

// CreateOrder stores o as a new order and returns its id. The customer is
// matched by e-mail, case-insensitively, and updated with what o says, or
// created. The customer, order and lines are written in one transaction,
// the lines in one statement whatever their count. The order and customer
// ids in o are ignored; a zero PlacedAt means now; a non-empty ERPID marks
// the order as synced. An order that is not valid, or whose number exists,
// gives a [*syncerr.InvalidError] naming the field.
func (s *Store) CreateOrder(ctx context.Context, o store.Order) (string, error) {
	if err := validateOrder(o); err != nil {
		return "", fmt.Errorf("create order %q: %w", o.Number, err)
	}

	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		customerID, err := upsertCustomer(ctx, tx, o.Customer)
		if err != nil {
			return err
		}
		if id, err = insertOrder(ctx, tx, o, customerID); err != nil {
			return err
		}
		return insertLines(ctx, tx, id, o.Lines)
	})
	if err != nil {
		return "", fmt.Errorf("create order %q: %w", o.Number, classify(err))
	}
	return strconv.FormatInt(id, 10), nil
}

// validateOrder checks what the schema would refuse, and names the field.
// Reasons never quote customer data.
func validateOrder(o store.Order) error {
	switch {
	case o.Number == "":
		return syncerr.Invalid("number", "is empty")
	case !money.ValidCurrency(o.Currency):
		return syncerr.Invalid("currency", "%q is not a three-letter code", o.Currency)
	case !strings.Contains(o.Customer.Email, "@"):
		return syncerr.Invalid("customer.email", "is not an e-mail address")
	case o.ShippingMinor < 0:
		return syncerr.Invalid("shipping_minor", "%d is negative", o.ShippingMinor)
	case o.DiscountMinor < 0:
		return syncerr.Invalid("discount_minor", "%d is negative", o.DiscountMinor)
	case o.TaxMinor < 0:
		return syncerr.Invalid("tax_minor", "%d is negative", o.TaxMinor)
	case o.TotalMinor < 0:
		return syncerr.Invalid("total_minor", "%d is negative", o.TotalMinor)
	case len(o.Lines) == 0:
		return syncerr.Invalid("lines", "order has no lines")
	}

	for i, l := range o.Lines {
		field := func(name string) string { return fmt.Sprintf("lines[%d].%s", i, name) }
		switch {
		case l.SKU == "":
			return syncerr.Invalid(field("sku"), "is empty")
		case l.Quantity <= 0 || l.Quantity > math.MaxInt32:
			return syncerr.Invalid(field("quantity"), "%d is out of range", l.Quantity)
		case l.UnitPriceMinor < 0:
			return syncerr.Invalid(field("unit_price_minor"), "%d is negative", l.UnitPriceMinor)
		}
	}
	return nil
}

const insertOrderSQL = `
INSERT INTO storefront.orders
    (number, customer_id, currency, shipping_minor, total_minor, placed_at,
     erp_order_id, erp_synced_at, discount_minor, tax_minor, taxes_included)
VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, now()),
        NULLIF($7::text, ''), CASE WHEN $7::text <> '' THEN now() END, $8, $9, $10)
RETURNING id`

// insertOrder inserts the order row and returns its key.
func insertOrder(ctx context.Context, tx pgx.Tx, o store.Order, customerID int64) (int64, error) {
	var placedAt *time.Time
	if !o.PlacedAt.IsZero() {
		placedAt = &o.PlacedAt
	}

	var id int64
	err := tx.QueryRow(ctx, insertOrderSQL, o.Number, customerID, o.Currency, o.ShippingMinor,
		o.TotalMinor, placedAt, o.ERPID, o.DiscountMinor, o.TaxMinor, o.TaxesIncluded).Scan(&id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "orders_number_key" {
		return 0, syncerr.Invalid("number", "order number %q exists already", o.Number)
	}
	if err != nil {
		return 0, fmt.Errorf("insert order: %w", err)
	}
	return id, nil
}

// insertLinesSQL numbers the lines from 1 in the order given, in one
// statement whatever their count.
const insertLinesSQL = `
INSERT INTO storefront.order_lines (order_id, line_no, sku, name, quantity, unit_price_minor)
SELECT $1, l.line_no, l.sku, l.name, l.quantity, l.unit_price_minor
FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[])
     WITH ORDINALITY AS l(sku, name, quantity, unit_price_minor, line_no)`

// insertLines inserts the lines of order orderID.
func insertLines(ctx context.Context, tx pgx.Tx, orderID int64, lines []store.Line) error {
	skus := make([]string, len(lines))
	names := make([]string, len(lines))
	quantities := make([]int64, len(lines))
	prices := make([]int64, len(lines))
	for i, l := range lines {
		skus[i], names[i], quantities[i], prices[i] = l.SKU, l.Name, l.Quantity, l.UnitPriceMinor
	}

	_, err := tx.Exec(ctx, insertLinesSQL, orderID, skus, names, quantities, prices)
	if err != nil {
		return fmt.Errorf("insert %d lines: %w", len(lines), err)
	}
	return nil
}

// ERPIDs returns the ERP id of every order that has one, keyed by order id.
func (s *Store) ERPIDs(ctx context.Context) (map[string]string, error) {
	rows, _ := s.pool.Query(ctx, `
SELECT id, erp_order_id FROM storefront.orders WHERE erp_order_id IS NOT NULL`)
	ids := make(map[string]string)
	var id int64
	var erpID string
	_, err := pgx.ForEachRow(rows, []any{&id, &erpID}, func() error {
		ids[strconv.FormatInt(id, 10)] = erpID
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list erp ids of orders: %w", classify(err))
	}
	return ids, nil
}

// CountOrders returns how many orders the store holds.
func (s *Store) CountOrders(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM storefront.orders").Scan(&n); err != nil {
		return 0, fmt.Errorf("count orders: %w", classify(err))
	}
	return n, nil
}

// StockOf returns the stock of sku at each location that holds a level.
func (s *Store) StockOf(ctx context.Context, sku string) (map[string]int64, error) {
	rows, _ := s.pool.Query(ctx, `
SELECT l.location, l.quantity
FROM storefront.stock_levels l JOIN storefront.products p ON p.id = l.product_id
WHERE p.sku = $1`, sku)
	levels := map[string]int64{}
	var loc string
	var qty int64
	_, err := pgx.ForEachRow(rows, []any{&loc, &qty}, func() error {
		levels[loc] = qty
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stock of %s: %w", sku, classify(err))
	}
	return levels, nil
}
