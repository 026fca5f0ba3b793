package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxPage is the largest page ChangedOrders returns.
const maxPage = 500

const changedOrdersSQL = `
SELECT id, number, updated_at, placed_at, currency, total_minor, status = 'cancelled',
       COALESCE(erp_order_id, '')
FROM storefront.orders
WHERE updated_at >= $1 AND (updated_at, id) > ($2, $3)
ORDER BY updated_at, id
LIMIT $4`

// ChangedOrders lists the orders modified at or after q.Since, by
// modification time and then id, with their placing time, currency, total,
// cancellation and ERP id, keyset-paged: the cursor is the last
// (time, id) seen, so orders that change during a listing neither repeat
// within it nor go missing.
func (s *Store) ChangedOrders(ctx context.Context, q store.Changes) (
	store.Page[store.OrderChange], error) {
	after, afterID, err := parseCursor(q.Cursor)
	if err != nil {
		return store.Page[store.OrderChange]{}, err
	}
	limit := q.Limit
	if limit <= 0 || limit > maxPage {
		limit = maxPage
	}

	rows, _ := s.pool.Query(ctx, changedOrdersSQL, q.Since, after, afterID, limit)
	var page store.Page[store.OrderChange]
	var id int64
	var c store.OrderChange
	scans := []any{&id, &c.Number, &c.Modified, &c.PlacedAt, &c.Currency, &c.TotalMinor,
		&c.Cancelled, &c.ERPID}
	_, err = pgx.ForEachRow(rows, scans, func() error {
		c.ID, c.Modified, c.PlacedAt = strconv.FormatInt(id, 10), c.Modified.UTC(),
			c.PlacedAt.UTC()
		page.Items = append(page.Items, c)
		return nil
	})
	if err != nil {
		return store.Page[store.OrderChange]{}, fmt.Errorf("list orders changed since %s: %w",
			q.Since.Format(time.RFC3339), classify(err))
	}

	if len(page.Items) == limit {
		last := page.Items[len(page.Items)-1]
		page.Next = strconv.FormatInt(last.Modified.UnixMicro(), 10) + ":" + last.ID
	}
	return page, nil
}

// parseCursor reads a cursor of ChangedOrders: "" or
// "<unix microseconds>:<order id>".
func parseCursor(cursor string) (time.Time, int64, error) {
	if cursor == "" {
		return time.Time{}, 0, nil
	}

	micros, id, ok := strings.Cut(cursor, ":")
	us, err1 := strconv.ParseInt(micros, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, 0, syncerr.Invalid("cursor", "%q is not a cursor of this listing",
			cursor)
	}
	return time.UnixMicro(us).UTC(), n, nil
}
