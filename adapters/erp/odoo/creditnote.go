package odoo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// noteRow is an account.move read for its state and number.
type noteRow struct {
	ID    int64 `json:"id"`
	Name  text  `json:"name"`
	State text  `json:"state"`
}

// CreateCreditMemo books m as a customer credit note: an account.move of
// move_type out_refund for the customer of sale.order m.SalesOrderID, in its
// currency, with m.ExternalRef in ref, the order's name in invoice_origin,
// m.Reason in narration, one invoice line per line of m on the product of
// its SKU (the refund service item for a refund line), and the refund's day
// as invoice_date; then it posts it with action_post.
//
// It is idempotent by ref: a credit note found with m.ExternalRef is
// returned, posted first when it is still a draft, so that a create or a
// post whose answer was lost is completed rather than repeated. It looks
// again after a create that failed without an answer. Two calls for one
// reference at the same moment could both create it: the caller makes the
// calls for one refund take turns.
//
// TODO: the lines are not linked to the order's lines (sale_line_ids), so
// Odoo's invoiced quantities of the order do not count the refund.
func (c *Client) CreateCreditMemo(ctx context.Context, m erp.CreditMemo) (
	ref erp.CreditMemoRef, err error) {
	defer syncerr.Wrap(&err, "create credit note account.move for %q", m.ExternalRef)
	if err := m.Check(); err != nil {
		return erp.CreditMemoRef{}, err
	}
	oid, err := parseID("sales_order_id", m.SalesOrderID)
	if err != nil {
		return erp.CreditMemoRef{}, err
	}

	if row, found, err := c.findCreditNote(ctx, m.ExternalRef); err != nil || found {
		if err != nil {
			return erp.CreditMemoRef{}, err
		}
		return c.postCreditNote(ctx, row)
	}

	vals, err := c.creditNoteVals(ctx, m, oid)
	if err != nil {
		return erp.CreditMemoRef{}, err
	}
	id, err := c.create(ctx, "account.move", vals)
	if errors.Is(err, syncerr.ErrUnavailable) {
		return c.recheckCreditNote(ctx, m.ExternalRef, err)
	}
	if err != nil {
		return erp.CreditMemoRef{}, err
	}
	return c.postCreditNote(ctx, noteRow{ID: id, State: "draft"})
}

// creditNoteVals builds the values of account.move create for m against
// sale.order oid, resolving its SKUs and checking the order.
func (c *Client) creditNoteVals(ctx context.Context, m erp.CreditMemo, oid int64) (
	map[string]any, error) {
	o, found, err := c.orderByID(ctx, oid)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("sales order %d: %w", oid, syncerr.ErrNotFound)
	}
	if o.Currency.name != m.Currency {
		return nil, syncerr.Invalid("currency", "%s is not the currency of sales order %s, %s",
			m.Currency, o.Name, o.Currency.name)
	}
	products, err := c.productIDs(ctx, m.Lines)
	if err != nil {
		return nil, err
	}

	lines := make([]any, len(m.Lines))
	for i, l := range m.Lines {
		line := map[string]any{
			"product_id": products[l.SKU],
			"quantity":   l.Quantity,
			"price_unit": json.Number(money.Decimal(l.UnitPriceMinor, m.Currency)),
		}
		if l.Description != "" {
			line["name"] = l.Description
		}
		lines[i] = []any{0, 0, line}
	}
	vals := map[string]any{
		"move_type": "out_refund", "partner_id": o.Partner.id, "currency_id": o.Currency.id,
		"ref": m.ExternalRef, "invoice_origin": string(o.Name), "invoice_line_ids": lines,
	}
	if m.Reason != "" {
		vals["narration"] = m.Reason
	}
	if !m.RefundedAt.IsZero() {
		vals["invoice_date"] = m.RefundedAt.UTC().Format("2006-01-02")
	}
	return vals, nil
}

// findCreditNote looks up the credit note whose ref is ref, the lowest id
// when several carry it (duplicates are logged).
func (c *Client) findCreditNote(ctx context.Context, ref string) (noteRow, bool, error) {
	var rows []noteRow
	err := c.searchRead(ctx, "account.move",
		domain([]any{"move_type", "=", "out_refund"}, []any{"ref", "=", ref}),
		map[string]any{"fields": []string{"id", "name", "state"}, "order": "id asc"}, &rows)
	if err != nil {
		return noteRow{}, false, fmt.Errorf("find credit note: %w", err)
	}
	if len(rows) == 0 {
		return noteRow{}, false, nil
	}
	if len(rows) > 1 {
		c.log.Warn("odoo has several credit notes for one external reference",
			zap.String(fieldExternalRef, ref), zap.Int(fieldCount, len(rows)))
	}
	return rows[0], true, nil
}

// recheckCreditNote looks for the credit note of ref after a create that
// failed with cause and no answer, and completes it when the create went
// through; otherwise it returns cause.
func (c *Client) recheckCreditNote(ctx context.Context, ref string, cause error) (
	erp.CreditMemoRef, error) {
	row, found, err := c.findCreditNote(ctx, ref)
	if err != nil || !found {
		return erp.CreditMemoRef{}, cause
	}
	c.log.Info("odoo credit note found after a lost answer", zap.String(fieldExternalRef, ref))
	return c.postCreditNote(ctx, row)
}

// postCreditNote posts the credit note of row when it is a draft, and
// returns its id and number. When the post fails without an answer, the
// state is read again: a post that went through counts.
func (c *Client) postCreditNote(ctx context.Context, row noteRow) (erp.CreditMemoRef, error) {
	if row.State == "draft" {
		err := c.exec.execute(ctx, call{model: "account.move", method: "action_post",
			ids: []int64{row.ID}}, nil)
		if err != nil && !errors.Is(err, syncerr.ErrUnavailable) {
			return erp.CreditMemoRef{}, fmt.Errorf("post account.move %d: %w", row.ID, err)
		}
		posted, rerr := c.readMove(ctx, row.ID)
		if rerr != nil || posted.State == "draft" {
			return erp.CreditMemoRef{}, fmt.Errorf("post account.move %d: %w", row.ID,
				errors.Join(err, rerr, syncerr.ErrUnavailable))
		}
		row = posted
	}
	return erp.CreditMemoRef{ID: formatID(row.ID), Number: string(row.Name)}, nil
}

// readMove reads account.move id for its state and number.
func (c *Client) readMove(ctx context.Context, id int64) (noteRow, error) {
	var rows []noteRow
	err := c.exec.execute(ctx, call{model: "account.move", method: "read", ids: []int64{id},
		kwargs: map[string]any{"fields": []string{"name", "state"}}}, &rows)
	if err != nil {
		return noteRow{}, fmt.Errorf("read account.move %d: %w", id, err)
	}
	if len(rows) != 1 {
		return noteRow{}, fmt.Errorf("read account.move %d: %d records: %w", id, len(rows),
			syncerr.ErrUnavailable)
	}
	return rows[0], nil
}
