package odoo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// summaryFields are the sale.order fields a sales order summary is read
// from.
var summaryFields = []string{"id", "name", "client_order_ref", "currency_id", "amount_total",
	"state", "date_order", "write_date"}

// summaryRow is a sale.order as the sales order listing reads it.
type summaryRow struct {
	ID          int64       `json:"id"`
	Name        text        `json:"name"`
	OrderRef    text        `json:"client_order_ref"`
	Currency    many2one    `json:"currency_id"`
	AmountTotal json.Number `json:"amount_total"`
	State       text        `json:"state"`
	DateOrder   stamp       `json:"date_order"`
	WriteDate   stamp       `json:"write_date"`
}

func (r summaryRow) key() key { return key{written: timeOf(r.WriteDate), id: r.ID} }

// ChangedSalesOrders lists the sale.order records written since q.Since,
// drafts and cancelled ones too, with amount_total as the total: the sum of
// every line, service lines (shipping, discounts, tax) included.
func (c *Client) ChangedSalesOrders(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.SalesOrderSummary], err error) {
	defer syncerr.Wrap(&err, "list changed sale.order")
	rows, next, err := listChanges(ctx, q, summaryRow.key,
		searchChanged[summaryRow](c, "sale.order", summaryFields))
	if err != nil {
		return page, err
	}

	page.Items, page.Next = make([]erp.SalesOrderSummary, len(rows)), next
	for i, r := range rows {
		total, err := minorUnits(r.AmountTotal, r.Currency.name)
		if err != nil {
			return erp.Page[erp.SalesOrderSummary]{}, fmt.Errorf("sale.order %d: %w", r.ID, err)
		}
		page.Items[i] = erp.SalesOrderSummary{
			ID: formatID(r.ID), Number: string(r.Name), ExternalRef: string(r.OrderRef),
			Currency: r.Currency.name, TotalMinor: total, Cancelled: r.State == "cancel",
			OrderedAt: timeOf(r.DateOrder), Modified: timeOf(r.WriteDate),
		}
	}
	return page, nil
}
