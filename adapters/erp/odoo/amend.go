package odoo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// noCancelWizard is the context in which action_cancel cancels at once:
// from Odoo 17 on it otherwise answers the window action of the cancel
// wizard, which offers to e-mail the customer, for any order past draft.
var noCancelWizard = map[string]any{"disable_cancel_warning": true}

// CancelSalesOrder cancels sale.order id with action_cancel. A cancelled
// order is left as it is. An order with a done delivery (an outgoing
// stock.picking in state done) is refused with [erp.ErrShipped] before
// anything is sent: Odoo itself would cancel the order and leave the done
// delivery as it is. A UserError of the cancel is [erp.ErrShipped] as well
// when a delivery was done meanwhile. Odoo keeps no cancellation reason on
// the order.
//
// TODO: reason is not posted to the order's chatter (message_post), where
// Odoo's cancel wizard leaves its note.
func (c *Client) CancelSalesOrder(ctx context.Context, id, reason string) (err error) {
	defer syncerr.Wrap(&err, "cancel sale.order %s", id)
	oid, err := parseID("id", id)
	if err != nil {
		return err
	}

	o, found, err := c.orderByID(ctx, oid)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("no such sales order: %w", syncerr.ErrNotFound)
	}
	if o.State == "cancel" {
		return nil
	}
	if err := c.refuseShipped(ctx, oid, nil); err != nil {
		return err
	}

	var answer json.RawMessage
	err = c.exec.execute(ctx, call{model: "sale.order", method: "action_cancel",
		ids: []int64{oid}, kwargs: map[string]any{"context": noCancelWizard}}, &answer)
	var invalid *syncerr.InvalidError
	if errors.As(err, &invalid) {
		return c.refuseShipped(ctx, oid, err)
	}
	if err != nil {
		return err
	}
	return checkCancelled(answer)
}

// refuseShipped returns an error wrapping [erp.ErrShipped] and cause when
// order oid has a done delivery, and cause alone when it has none.
func (c *Client) refuseShipped(ctx context.Context, oid int64, cause error) error {
	var done int64
	err := c.exec.execute(ctx, call{model: "stock.picking", method: "search_count",
		args: domain([]any{"sale_id", "=", oid}, []any{"picking_type_code", "=", "outgoing"},
			[]any{"state", "=", "done"})}, &done)
	switch {
	case err != nil && cause != nil:
		return cause
	case err != nil:
		return fmt.Errorf("look for deliveries: %w", err)
	case done > 0 && cause != nil:
		return fmt.Errorf("%d deliveries done: %w: %w", done, erp.ErrShipped, cause)
	case done > 0:
		return fmt.Errorf("%d deliveries done: %w", done, erp.ErrShipped)
	}
	return cause
}

// checkCancelled reads the answer of action_cancel: true, or a window
// action when Odoo wants its cancel wizard shown and so did not cancel.
func checkCancelled(answer json.RawMessage) error {
	var action struct {
		Model string `json:"res_model"`
	}
	if json.Unmarshal(answer, &action) == nil && action.Model != "" {
		return &syncerr.InvalidError{Reason: "odoo answered the " + action.Model +
			" wizard instead of cancelling the order"}
	}
	return nil
}

// orderHeader is a sale.order read for what amending it needs.
type orderHeader struct {
	ID       int64    `json:"id"`
	Name     text     `json:"name"`
	State    text     `json:"state"`
	Partner  many2one `json:"partner_id"`
	Currency many2one `json:"currency_id"`
}

// orderByID reads sale.order oid, and reports false when there is none.
func (c *Client) orderByID(ctx context.Context, oid int64) (orderHeader, bool, error) {
	var rows []orderHeader
	err := c.searchRead(ctx, "sale.order", domain([]any{"id", "=", oid}),
		map[string]any{"fields": []string{"id", "name", "state", "partner_id", "currency_id"}},
		&rows)
	if err != nil || len(rows) == 0 {
		return orderHeader{}, false, err
	}
	return rows[0], true, nil
}
