package netsuite

import (
	"context"
	"fmt"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// ChangedSalesOrders lists the sales orders modified at or after q.Since
// with SuiteQL on transaction: the external reference, the currency, the
// total in that currency (foreigntotal, service lines included) and
// whether the order is cancelled or closed.
func (c *Client) ChangedSalesOrders(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.SalesOrderSummary], err error) {
	defer syncerr.Wrap(&err, "list changed netsuite sales orders")

	rows, next, err := c.changedRows(ctx, listing{table: "transaction", keys: []string{"id"},
		columns: []string{"tranid", "otherrefnum", "externalid", "currency", "foreigntotal",
			"status", "TO_CHAR(trandate, 'YYYY-MM-DD') AS orderdate"},
		where: "type = 'SalesOrd'"}, q)
	if err != nil {
		return page, err
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.str("currency"))
	}
	codes, err := c.currencyCodes(ctx, ids)
	if err != nil {
		return page, err
	}

	for _, r := range rows {
		s, err := c.summaryOf(r, codes[r.str("currency")])
		if err != nil {
			return erp.Page[erp.SalesOrderSummary]{}, err
		}
		page.Items = append(page.Items, s)
	}
	page.Next = next
	return page, nil
}

// summaryOf maps a transaction row of a sales order in currency.
func (c *Client) summaryOf(r row, currency string) (erp.SalesOrderSummary, error) {
	s := erp.SalesOrderSummary{ID: r.str("id"), Number: r.str("tranid"),
		ExternalRef: orderReference(r), Currency: currency,
		Cancelled: r.str("status") == statusCancelled || r.str("status") == statusClosed}
	var err error
	if s.Modified, err = c.parseModified(r); err != nil {
		return erp.SalesOrderSummary{}, err
	}
	if currency == "" {
		return erp.SalesOrderSummary{}, fmt.Errorf("sales order %s: currency %q unknown: %w",
			s.ID, r.str("currency"), syncerr.ErrUnavailable)
	}
	if s.TotalMinor, err = money.ParseMinor(r.str("foreigntotal"), currency); err != nil {
		return erp.SalesOrderSummary{}, fmt.Errorf("sales order %s: foreigntotal: %w: %w",
			s.ID, err, syncerr.ErrUnavailable)
	}
	ordered, err := time.ParseInLocation("2006-01-02", r.str("orderdate"), c.tz)
	if err != nil {
		return erp.SalesOrderSummary{}, fmt.Errorf("sales order %s: trandate %q: %w",
			s.ID, r.str("orderdate"), syncerr.ErrUnavailable)
	}
	s.OrderedAt = ordered.UTC()
	return s, nil
}

// currencyCodes maps currency internal ids to their ISO codes, reading
// the ones it has not seen before.
func (c *Client) currencyCodes(ctx context.Context, ids []string) (map[string]string, error) {
	codes := map[string]string{}
	var missing []string
	for _, id := range dedupe(ids) {
		if id == "" {
			continue
		}
		if code, ok := c.currencies.get("#" + id); ok {
			codes[id] = code
			continue
		}
		missing = append(missing, id)
	}
	rows, err := c.rowsByID(ctx, "currency", []string{"symbol"}, missing)
	if err != nil {
		return nil, err
	}
	for id, r := range rows {
		codes[id] = r.str("symbol")
		c.currencies.put("#"+id, codes[id])
	}
	return codes, nil
}
