package odoo

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// dateTimeLayout is how Odoo reads and writes datetimes: UTC, no zone.
const dateTimeLayout = "2006-01-02 15:04:05"

// text is a char field as Odoo reads it: a string, or false when empty.
type text string

// UnmarshalJSON accepts a string, or false for the empty string.
func (t *text) UnmarshalJSON(b []byte) error {
	if string(b) == "false" || string(b) == "null" {
		*t = ""
		return nil
	}
	if s, ok := plainString(b); ok {
		*t = text(s)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*t = text(s)
	return nil
}

// orderRow is the part of a sale.order the adapter reads.
type orderRow struct {
	ID    int64 `json:"id"`
	Name  text  `json:"name"`
	State text  `json:"state"`
}

// FindSalesOrder looks up the sale.order whose client_order_ref is
// externalRef, taking the lowest id when several carry it (duplicates are
// logged). A draft order found this way was left by a create whose confirm
// did not finish; FindSalesOrder confirms it with action_confirm before
// returning, so that a found order is always a booked one. A cancelled
// order is returned as found, unchanged: an operator cancelled it.
func (c *Client) FindSalesOrder(ctx context.Context, externalRef string) (
	ref erp.SalesOrderRef, found bool, err error) {
	defer syncerr.Wrap(&err, "find sale.order for %q", externalRef)
	if externalRef == "" {
		return erp.SalesOrderRef{}, false, syncerr.Invalid("external_ref", "is empty")
	}

	var rows []orderRow
	err = c.exec.execute(ctx, call{
		model: "sale.order", method: "search_read",
		args: domain([]any{"client_order_ref", "=", externalRef}),
		kwargs: map[string]any{
			"fields": []string{"id", "name", "state"}, "order": "id asc",
		},
	}, &rows)
	if err != nil || len(rows) == 0 {
		return erp.SalesOrderRef{}, false, err
	}
	if len(rows) > 1 {
		c.log.Warn("odoo has several sales orders for one external reference",
			zap.String(fieldExternalRef, externalRef), zap.Int(fieldCount, len(rows)))
	}

	o := rows[0]
	if o.State == "draft" || o.State == "sent" {
		c.log.Info("odoo draft sales order found, confirming it",
			zap.String(fieldExternalRef, externalRef), zap.Int64(fieldOrderID, o.ID))
		if err := c.confirm(ctx, o.ID); err != nil {
			return erp.SalesOrderRef{}, false, err
		}
	}
	return orderRef(o), true, nil
}

// CreateSalesOrder creates order as a sale.order and confirms it. It
// checks the order and resolves every SKU and the currency before it
// creates anything; an unknown SKU is a [syncerr.InvalidError] on
// "lines[<i>].sku". The customer is matched by e-mail (case-insensitive)
// and created when missing. It is not idempotent by itself: the caller
// checks with FindSalesOrder first, under one writer per order. When the
// create succeeds but the confirm does not, the error is returned and the
// next FindSalesOrder confirms the draft.
func (c *Client) CreateSalesOrder(ctx context.Context, order erp.SalesOrder) (
	ref erp.SalesOrderRef, err error) {
	defer syncerr.Wrap(&err, "create sale.order for %q", order.ExternalRef)
	if err := order.Check(); err != nil {
		return erp.SalesOrderRef{}, err
	}

	products, err := c.productIDs(ctx, order.Lines)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}
	currencyID, err := c.currencyID(ctx, order.Currency)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}
	partnerID, err := c.partnerID(ctx, order.Customer)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}

	vals := orderVals(order, partnerID, currencyID, products)
	id, err := c.create(ctx, "sale.order", vals)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}
	if err := c.confirm(ctx, id); err != nil {
		return erp.SalesOrderRef{}, fmt.Errorf("confirm sale.order %d: %w", id, err)
	}

	return c.readRef(ctx, id)
}

// orderVals builds the values of sale.order create, with one order_line
// create command per line. Prices are JSON numbers written from the
// decimal string of their minor units, never through a float. Charges
// (shipping, discounts, tax) are lines like products, on the service
// products of their SKUs, a discount at a negative unit price, which is how
// Odoo books a discount product line; so amount_total is the sum of all
// lines. ShippingMinor is not sent: shipping comes as a line.
//
// TODO: Odoo adds the default sales taxes of each line's product (tax_id)
// on top of its price; the products erpsync books need no sales tax in
// Odoo, or amount_total exceeds the store's total, which carries tax as a
// line.
func orderVals(o erp.SalesOrder, partnerID, currencyID int64, products map[string]int64,
) map[string]any {
	lines := make([]any, len(o.Lines))
	for i, l := range o.Lines {
		line := map[string]any{
			"product_id":      products[l.SKU],
			"product_uom_qty": l.Quantity,
			"price_unit":      json.Number(money.Decimal(l.UnitPriceMinor, o.Currency)),
		}
		if l.Description != "" {
			line["name"] = l.Description
		}
		lines[i] = []any{0, 0, line}
	}

	vals := map[string]any{
		"partner_id":       partnerID,
		"client_order_ref": o.ExternalRef,
		"currency_id":      currencyID,
		"order_line":       lines,
	}
	if !o.OrderedAt.IsZero() {
		vals["date_order"] = o.OrderedAt.UTC().Format(dateTimeLayout)
	}
	return vals
}

func (c *Client) confirm(ctx context.Context, id int64) error {
	return c.exec.execute(ctx, call{model: "sale.order", method: "action_confirm",
		ids: []int64{id}}, nil)
}

// readRef reads the document number of order id.
func (c *Client) readRef(ctx context.Context, id int64) (erp.SalesOrderRef, error) {
	var rows []orderRow
	err := c.exec.execute(ctx, call{model: "sale.order", method: "read",
		ids: []int64{id}, kwargs: map[string]any{"fields": []string{"name", "state"}}},
		&rows)
	if err != nil {
		return erp.SalesOrderRef{}, fmt.Errorf("read sale.order %d: %w", id, err)
	}
	if len(rows) != 1 {
		return erp.SalesOrderRef{}, fmt.Errorf("read sale.order %d: %d records: %w",
			id, len(rows), syncerr.ErrUnavailable)
	}
	return orderRef(rows[0]), nil
}

func orderRef(o orderRow) erp.SalesOrderRef {
	return erp.SalesOrderRef{ID: strconv.FormatInt(o.ID, 10), Number: string(o.Name)}
}

// escapeLike escapes the wildcards of an (=)ilike pattern so that it
// matches s literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
