package postgres

import (
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/erpsync/erpsync/adapters/store"
)

// loadRefundsSQL reads an order's refunds with their lines, a refund
// without lines as one row of NULL line columns.
const loadRefundsSQL = `
SELECT r.id, r.amount_minor, r.reason, r.created_at, l.sku, l.quantity, l.amount_minor
FROM storefront.refunds r
LEFT JOIN storefront.refund_lines l ON l.refund_id = r.id
WHERE r.order_id = $1
ORDER BY r.id, l.line_no`

// collectRefunds reads the rows of loadRefundsSQL into refunds, oldest
// first, or nil when there are none.
func collectRefunds(rows pgx.Rows) ([]store.Refund, error) {
	var refunds []store.Refund
	var id int64
	var r store.Refund
	var sku *string
	var quantity, amount *int64
	scans := []any{&id, &r.AmountMinor, &r.Reason, &r.Created, &sku, &quantity, &amount}
	_, err := pgx.ForEachRow(rows, scans, func() error {
		ref := strconv.FormatInt(id, 10)
		if len(refunds) == 0 || refunds[len(refunds)-1].ID != ref {
			refunds = append(refunds, store.Refund{ID: ref, AmountMinor: r.AmountMinor,
				Reason: r.Reason, Created: r.Created.UTC()})
		}

		if sku != nil {
			last := &refunds[len(refunds)-1]
			last.Lines = append(last.Lines, store.RefundLine{SKU: *sku, Quantity: *quantity,
				AmountMinor: *amount})
		}
		return nil
	})
	return refunds, err
}
