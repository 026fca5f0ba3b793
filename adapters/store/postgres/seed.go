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
	return s.createOrder(ctx, o, false)
}

// CreateGuestOrder stores o as [Store.CreateOrder] does, as an order placed
// without an account. The order still needs a customer row: the one with
// the buyer's e-mail, left as it is, or a new one made from o's customer.
func (s *Store) CreateGuestOrder(ctx context.Context, o store.Order) (string, error) {
	return s.createOrder(ctx, o, true)
}

// createOrder stores o, as a guest's order or not.
func (s *Store) createOrder(ctx context.Context, o store.Order, guest bool) (string, error) {
	if err := validateOrder(o); err != nil {
		return "", fmt.Errorf("create order %q: %w", o.Number, err)
	}

	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		customerID, err := upsertCustomer(ctx, tx, o.Customer, !guest)
		if err != nil {
			return err
		}
		if id, err = insertOrder(ctx, tx, o, customerID, guest); err != nil {
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
	}
	return validateLines(o.Lines)
}

// validateLines checks what the schema would refuse of an order's lines,
// and names the field.
func validateLines(lines []store.Line) error {
	if len(lines) == 0 {
		return syncerr.Invalid("lines", "order has no lines")
	}
	for i, l := range lines {
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
     erp_order_id, erp_synced_at, discount_minor, tax_minor, taxes_included, guest)
VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, now()),
        NULLIF($7::text, ''), CASE WHEN $7::text <> '' THEN now() END, $8, $9, $10, $11)
RETURNING id`

// insertOrder inserts the order row, a guest's or not, and returns its key.
func insertOrder(ctx context.Context, tx pgx.Tx, o store.Order, customerID int64,
	guest bool) (int64, error) {
	var placedAt *time.Time
	if !o.PlacedAt.IsZero() {
		placedAt = &o.PlacedAt
	}

	var id int64
	err := tx.QueryRow(ctx, insertOrderSQL, o.Number, customerID, o.Currency, o.ShippingMinor,
		o.TotalMinor, placedAt, o.ERPID, o.DiscountMinor, o.TaxMinor, o.TaxesIncluded,
		guest).Scan(&id)
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

// CustomerByEmail returns the customer account with e-mail email, ignoring
// case, as [Store.FindCustomerByEmail] does, for demos and tests.
func (s *Store) CustomerByEmail(ctx context.Context, email string) (store.CustomerRecord,
	bool, error) {
	return s.FindCustomerByEmail(ctx, email)
}

// refundedSQL reads an order's total and what its refunds paid back so
// far. It runs after lockOrderSQL has the order's lock, as a statement of
// its own, so that it sees the refunds that the lock's previous holder
// committed.
const refundedSQL = `
SELECT o.total_minor,
       (SELECT COALESCE(sum(r.amount_minor), 0) FROM storefront.refunds r
        WHERE r.order_id = o.id)
FROM storefront.orders o
WHERE o.id = $1`

// refundableSQL reads the units of each SKU of the order, less those its
// refunds paid back.
const refundableSQL = `
SELECT l.sku, l.units - COALESCE((
    SELECT sum(rl.quantity) FROM storefront.refund_lines rl
    JOIN storefront.refunds r ON r.id = rl.refund_id
    WHERE r.order_id = $1 AND rl.sku = l.sku), 0)
FROM (SELECT sku, sum(quantity) AS units FROM storefront.order_lines
      WHERE order_id = $1 GROUP BY sku) l`

// insertRefundSQL inserts a refund with its lines, moves the order's
// updated_at, and returns the refund's key, in one statement.
const insertRefundSQL = `
WITH r AS (
    INSERT INTO storefront.refunds (order_id, amount_minor, reason, created_at)
    VALUES ($1, $2, $3, COALESCE($4::timestamptz, now()))
    RETURNING id
), lines AS (
    INSERT INTO storefront.refund_lines (refund_id, line_no, sku, quantity, amount_minor)
    SELECT r.id, i.n, i.sku, i.quantity, i.amount
    FROM r, unnest($5::text[], $6::int[], $7::bigint[]) WITH ORDINALITY
         AS i(sku, quantity, amount, n)
), touched AS (
    UPDATE storefront.orders SET updated_at = now() WHERE id = $1
)
SELECT id FROM r`

// RefundOrder records r as a refund of order orderID, as a merchant gives
// one, and returns the refund's id; the order's updated_at moves. The
// refund's id is ignored and a zero Created means now. An amount that is
// not positive, or that would take the order's refunds beyond its total,
// and lines of SKUs the order lacks or of more units than are left to
// refund, give a [*syncerr.InvalidError] naming the field. An unknown order
// gives an error wrapping [syncerr.ErrNotFound].
func (s *Store) RefundOrder(ctx context.Context, orderID string, r store.Refund) (string,
	error) {
	id, err := parseOrderID(orderID)
	if err != nil {
		return "", err
	}
	if err := validateRefund(r); err != nil {
		return "", fmt.Errorf("refund order %d: %w", id, err)
	}

	var refundID int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkRefund(ctx, tx, id, r); err != nil {
			return err
		}
		refundID, err = insertRefund(ctx, tx, id, r)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("refund order %d: %w", id, classify(err))
	}
	return strconv.FormatInt(refundID, 10), nil
}

// validateRefund checks what the schema would refuse of a refund.
func validateRefund(r store.Refund) error {
	if r.AmountMinor <= 0 {
		return syncerr.Invalid("amount_minor", "%d is not positive", r.AmountMinor)
	}
	for i, l := range r.Lines {
		field := func(name string) string { return fmt.Sprintf("lines[%d].%s", i, name) }
		switch {
		case l.SKU == "":
			return syncerr.Invalid(field("sku"), "is empty")
		case l.Quantity <= 0 || l.Quantity > math.MaxInt32:
			return syncerr.Invalid(field("quantity"), "%d is out of range", l.Quantity)
		case l.AmountMinor < 0:
			return syncerr.Invalid(field("amount_minor"), "%d is negative", l.AmountMinor)
		}
	}
	return nil
}

// checkRefund locks order id and checks r against its total, its lines and
// its earlier refunds.
func checkRefund(ctx context.Context, tx pgx.Tx, id int64, r store.Refund) error {
	var status string
	err := tx.QueryRow(ctx, lockOrderSQL, id).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return syncerr.ErrNotFound
	}
	if err != nil {
		return err
	}

	var total, refunded int64
	if err := tx.QueryRow(ctx, refundedSQL, id).Scan(&total, &refunded); err != nil {
		return fmt.Errorf("read refunds: %w", err)
	}
	if refunded+r.AmountMinor > total {
		return syncerr.Invalid("amount_minor", "%d is more than the %d left to refund",
			r.AmountMinor, total-refunded)
	}
	return checkRefundLines(ctx, tx, id, r.Lines)
}

// checkRefundLines checks that lines name SKUs of order id, and no more
// units than its earlier refunds left.
func checkRefundLines(ctx context.Context, tx pgx.Tx, id int64, lines []store.RefundLine) error {
	rows, _ := tx.Query(ctx, refundableSQL, id)
	left := map[string]int64{}
	var sku string
	var units int64
	if _, err := pgx.ForEachRow(rows, []any{&sku, &units}, func() error {
		left[sku] = units
		return nil
	}); err != nil {
		return fmt.Errorf("read units left to refund: %w", err)
	}

	for i, l := range lines {
		units, ok := left[l.SKU]
		if !ok {
			return syncerr.Invalid(fmt.Sprintf("lines[%d].sku", i),
				"order %d has no line of sku %q", id, l.SKU)
		}
		if left[l.SKU] = units - l.Quantity; left[l.SKU] < 0 {
			return syncerr.Invalid(fmt.Sprintf("lines[%d].quantity", i),
				"%d units of sku %q are more than the %d left to refund", l.Quantity, l.SKU,
				units)
		}
	}
	return nil
}

// insertRefund inserts r as a refund of order id and returns its key.
func insertRefund(ctx context.Context, tx pgx.Tx, id int64, r store.Refund) (int64, error) {
	skus := make([]string, len(r.Lines))
	quantities := make([]int64, len(r.Lines))
	amounts := make([]int64, len(r.Lines))
	for i, l := range r.Lines {
		skus[i], quantities[i], amounts[i] = l.SKU, l.Quantity, l.AmountMinor
	}
	var created *time.Time
	if !r.Created.IsZero() {
		created = &r.Created
	}

	var refundID int64
	err := tx.QueryRow(ctx, insertRefundSQL, id, r.AmountMinor, r.Reason, created, skus,
		quantities, amounts).Scan(&refundID)
	if err != nil {
		return 0, fmt.Errorf("insert refund: %w", err)
	}
	return refundID, nil
}

// retotalSQL works an order's total out again from its lines, discount,
// shipping and tax, and moves its updated_at.
const retotalSQL = `
UPDATE storefront.orders o
SET total_minor = (
        SELECT COALESCE(sum(l.quantity::numeric * l.unit_price_minor), 0)
        FROM storefront.order_lines l WHERE l.order_id = o.id
    ) - o.discount_minor + o.shipping_minor
      + CASE WHEN o.taxes_included THEN 0 ELSE o.tax_minor END,
    updated_at = now()
WHERE o.id = $1`

// EditOrderLines replaces the lines of an open order with lines, as a
// merchant's order edit does, works its total out again and moves its
// updated_at, in one transaction. Lines keep their place: a line with
// units shipped must keep its SKU and at least those units. A cancelled
// order, lines that are not valid or that drop shipped units give a
// [*syncerr.InvalidError] naming the field; an unknown order gives an
// error wrapping [syncerr.ErrNotFound].
func (s *Store) EditOrderLines(ctx context.Context, orderID string, lines []store.Line) error {
	id, err := parseOrderID(orderID)
	if err != nil {
		return err
	}
	if err := validateLines(lines); err != nil {
		return fmt.Errorf("edit order %d: %w", id, err)
	}

	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkEdit(ctx, tx, id, lines); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM storefront.order_lines WHERE order_id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete lines: %w", err)
		}
		if err := insertLines(ctx, tx, id, lines); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, retotalSQL, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("edit order %d: %w", id, classify(err))
	}
	return nil
}

// checkEdit locks order id and checks that it is open and that lines keep
// every unit it shipped.
func checkEdit(ctx context.Context, tx pgx.Tx, id int64, lines []store.Line) error {
	var status string
	err := tx.QueryRow(ctx, lockOrderSQL, id).Scan(&status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return syncerr.ErrNotFound
	case err != nil:
		return err
	case status != store.OrderOpen:
		return syncerr.Invalid("status", "order %d is %s", id, status)
	}

	old, err := unitsLeft(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, l := range old {
		shipped, i := l.quantity-l.left, int(l.lineNo)-1
		if shipped == 0 {
			continue
		}
		if i >= len(lines) || lines[i].SKU != l.sku || lines[i].Quantity < shipped {
			return syncerr.Invalid(fmt.Sprintf("lines[%d]", i),
				"line %d has %d units of sku %q shipped", l.lineNo, shipped, l.sku)
		}
	}
	return nil
}

// setSaleSQL sets a product's sale price and window; a sale price of 0
// ends the sale.
const setSaleSQL = `
UPDATE storefront.products
SET sale_price_minor = NULLIF($2::bigint, 0),
    sale_starts_at = CASE WHEN $2::bigint <> 0 THEN $3::timestamptz END,
    sale_ends_at = CASE WHEN $2::bigint <> 0 THEN $4::timestamptz END,
    updated_at = now()
WHERE sku = $1`

// SetSalePrice puts the product with sku on sale at saleMinor from from
// until to, either of which may be nil for no bound; a window that has not
// started yet schedules the sale. A saleMinor of 0 ends the sale and its
// window. A negative price, or a window that ends before it starts, gives a
// [*syncerr.InvalidError]; an unknown SKU gives an error wrapping
// [syncerr.ErrNotFound].
func (s *Store) SetSalePrice(ctx context.Context, sku string, saleMinor int64,
	from, to *time.Time) error {
	switch {
	case saleMinor < 0:
		return syncerr.Invalid("sale_price_minor", "%d is negative", saleMinor)
	case from != nil && to != nil && !from.Before(*to):
		return syncerr.Invalid("sale_ends_at", "the sale of %q ends before it starts", sku)
	}

	tag, err := s.pool.Exec(ctx, setSaleSQL, sku, saleMinor, from, to)
	if err != nil {
		return fmt.Errorf("set sale price of %q: %w", sku, classify(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set sale price of %q: %w", sku, syncerr.ErrNotFound)
	}
	return nil
}

// fulfillmentsSQL reads an order's fulfillments with their lines and the
// SKU of each line's order line.
const fulfillmentsSQL = `
SELECT f.id, f.ref, f.carrier, f.tracking_number, f.tracking_url, f.created_at,
       COALESCE(l.sku, ''), fl.quantity
FROM storefront.fulfillments f
JOIN storefront.fulfillment_lines fl ON fl.fulfillment_id = f.id
LEFT JOIN storefront.order_lines l ON l.order_id = f.order_id AND l.line_no = fl.line_no
WHERE f.order_id = $1
ORDER BY f.id, fl.line_no`

// Fulfillments returns the shipments recorded for order orderID, oldest
// first, each with its ref as ID and a line per order line it ships. An
// unknown order has none.
func (s *Store) Fulfillments(ctx context.Context, orderID string) ([]store.Shipment, error) {
	id, err := parseOrderID(orderID)
	if err != nil {
		return nil, err
	}

	rows, _ := s.pool.Query(ctx, fulfillmentsSQL, id)
	var shipments []store.Shipment
	var key, last int64
	var sh store.Shipment
	var line store.ShipmentLine
	scans := []any{&key, &sh.ID, &sh.Carrier, &sh.TrackingNumber, &sh.TrackingURL,
		&sh.ShippedAt, &line.SKU, &line.Quantity}
	_, err = pgx.ForEachRow(rows, scans, func() error {
		if len(shipments) == 0 || key != last {
			sh.ShippedAt, sh.Lines = sh.ShippedAt.UTC(), nil
			shipments, last = append(shipments, sh), key
		}
		n := len(shipments) - 1
		shipments[n].Lines = append(shipments[n].Lines, line)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list fulfillments of order %d: %w", id, classify(err))
	}
	return shipments, nil
}
