package netsuite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// statusPendingApproval is the orderStatus of a sales order that awaits
// approval.
const statusPendingApproval = "A"

// shippedStatuses are the orderStatus values of a sales order that has an
// item fulfillment: partially fulfilled, pending billing (in part or in
// full) and billed.
var shippedStatuses = map[string]bool{"D": true, "E": true, "F": true, "G": true}

// CancelSalesOrder cancels sales order id as NetSuite does: an order
// pending approval is cancelled (orderStatus C); an approved one, pending
// fulfillment, cannot be and is closed instead, by closing every line,
// PATCH /record/v1/salesOrder/<id> with isClosed on each. The reason goes
// into the memo. A cancelled or closed order is left as it is. An order
// with an item fulfillment is refused with an error wrapping
// [erp.ErrShipped], as is one that NetSuite refuses to close once it
// turns out to have been shipped meanwhile.
func (c *Client) CancelSalesOrder(ctx context.Context, id, reason string) (err error) {
	defer syncerr.Wrap(&err, "cancel netsuite sales order %s", id)
	if _, err := numbers([]string{id}); err != nil {
		return syncerr.Invalid("id", "%q is not a netsuite internal id", id)
	}

	so, err := c.readOrder(ctx, id, true)
	if notFound(err) {
		return fmt.Errorf("sales order %s: %w", id, syncerr.ErrNotFound)
	}
	if err != nil {
		return err
	}
	status := ""
	if so.OrderStatus != nil {
		status = so.OrderStatus.ID
	}
	if status == statusCancelled || status == statusClosed {
		return nil
	}
	if err := c.refuseShipped(ctx, id, status); err != nil {
		return err
	}

	_, err = c.do(ctx, request{method: http.MethodPatch, path: "/record/v1/salesOrder/" + id,
		body: cancelBody(so, status, reason)})
	if err != nil && syncerr.IsPermanent(err) {
		if shipErr := c.refuseShipped(ctx, id, ""); errors.Is(shipErr, erp.ErrShipped) {
			return shipErr
		}
	}
	if err == nil {
		c.log.Info("netsuite sales order cancelled", zap.String(fieldOrderID, id))
	}
	return err
}

// refuseShipped returns an error wrapping erp.ErrShipped when order id,
// in status, has an item fulfillment.
func (c *Client) refuseShipped(ctx context.Context, id, status string) error {
	if shippedStatuses[status] {
		return fmt.Errorf("sales order %s is in status %s: %w", id, status, erp.ErrShipped)
	}
	page, err := c.query(ctx, "SELECT id FROM transaction WHERE type = 'ItemShip'"+
		" AND createdfrom = "+id+" ORDER BY id", 1, 0)
	if err != nil {
		return fmt.Errorf("look for item fulfillments: %w", err)
	}
	if len(page.Items) > 0 {
		return fmt.Errorf("sales order %s has item fulfillment %s: %w", id,
			page.Items[0].str("id"), erp.ErrShipped)
	}
	return nil
}

// cancelBody is the PATCH that cancels so: orderStatus C when it awaits
// approval, else every line closed. Lines are named by their line key.
func cancelBody(so salesOrderRecord, status, reason string) map[string]any {
	body := map[string]any{}
	if reason != "" {
		body["memo"] = reason
	}
	if status == statusPendingApproval {
		body["orderStatus"] = ref{ID: statusCancelled}
		return body
	}
	lines := []map[string]any{}
	if so.Item != nil {
		for _, l := range so.Item.Items {
			lines = append(lines, map[string]any{"line": l.Line, "isClosed": true})
		}
	}
	body["item"] = map[string]any{"items": lines}
	return body
}

// creditMemoRecord is the part of a creditMemo record the adapter reads.
type creditMemoRecord struct {
	ID     string `json:"id"`
	TranID string `json:"tranId"`
}

// CreateCreditMemo books m as a creditMemo against its sales order,
// upserted by the external id derived from m.ExternalRef, PUT
// /record/v1/creditMemo/eid:<id>, with createdFrom the sales order and the
// order's customer. A memo NetSuite holds already under that external id
// is returned as it is, without a write; so is one whose upsert's answer
// was lost but that NetSuite has. Product lines name their items by SKU, a
// refund not tied to products is a line on the merchant's refund item.
//
// TODO: NetSuite sets createdFrom itself when a credit memo is transformed
// from an invoice or a return authorization; that the record API accepts
// a sales order there is not confirmed against a live account, and where
// it does not the memo must be transformed from the order's invoice.
func (c *Client) CreateCreditMemo(ctx context.Context, m erp.CreditMemo) (
	ref erp.CreditMemoRef, err error) {
	defer syncerr.Wrap(&err, "create netsuite credit memo %q", m.ExternalRef)
	if err := checkMemo(m); err != nil {
		return erp.CreditMemoRef{}, err
	}

	eid := "eid:" + externalID(m.ExternalRef)
	if found, ok, err := c.findCreditMemo(ctx, eid); err != nil || ok {
		return found, err
	}
	body, err := c.memoBody(ctx, m)
	if err != nil {
		return erp.CreditMemoRef{}, err
	}

	resp, err := c.do(ctx, request{method: http.MethodPut,
		path: "/record/v1/creditMemo/" + url.PathEscape(eid), body: body})
	if err != nil && !syncerr.IsPermanent(err) {
		if found, ok, findErr := c.findCreditMemo(ctx, eid); findErr == nil && ok {
			return found, nil
		}
	}
	if err != nil {
		return erp.CreditMemoRef{}, err
	}
	id, err := locationID(resp.header)
	if err != nil {
		return erp.CreditMemoRef{}, err
	}
	c.log.Info("netsuite credit memo upserted", zap.String(fieldExternalRef, m.ExternalRef),
		zap.String(fieldOrderID, m.SalesOrderID), zap.String("credit_memo_id", id))
	return c.readCreditMemo(ctx, id)
}

// checkMemo checks m as every adapter does, and its order id as a NetSuite
// internal id.
func checkMemo(m erp.CreditMemo) error {
	if err := m.Check(); err != nil {
		return err
	}
	if _, err := numbers([]string{m.SalesOrderID}); err != nil {
		return syncerr.Invalid("sales_order_id", "%q is not a netsuite internal id",
			m.SalesOrderID)
	}
	return nil
}

// memoBody builds the creditMemo of m against its sales order, which it
// reads for the customer and the currency.
func (c *Client) memoBody(ctx context.Context, m erp.CreditMemo) (map[string]any, error) {
	so, err := c.readSalesOrder(ctx, m.SalesOrderID)
	if notFound(err) {
		return nil, fmt.Errorf("sales order %s: %w", m.SalesOrderID, syncerr.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	currency, err := c.currencyID(ctx, m.Currency)
	if err != nil {
		return nil, err
	}
	if so.Currency != nil && so.Currency.ID != currency {
		return nil, syncerr.Invalid("currency", "%s is not the currency of sales order %s",
			m.Currency, m.SalesOrderID)
	}
	items, err := c.itemIDs(ctx, m.Lines)
	if err != nil {
		return nil, err
	}

	body := map[string]any{
		"createdFrom": ref{ID: m.SalesOrderID},
		"currency":    ref{ID: currency},
		"otherRefNum": m.ExternalRef,
		"item":        map[string]any{"items": itemLines(m.Lines, m.Currency, items)},
	}
	if so.Entity != nil {
		body["entity"] = ref{ID: so.Entity.ID}
	}
	if m.Reason != "" {
		body["memo"] = m.Reason
	}
	if !m.RefundedAt.IsZero() {
		body["tranDate"] = m.RefundedAt.UTC().Format("2006-01-02")
	}
	return body, nil
}

// findCreditMemo reads the creditMemo key, reporting false when NetSuite
// has none.
func (c *Client) findCreditMemo(ctx context.Context, key string) (
	erp.CreditMemoRef, bool, error) {
	ref, err := c.readCreditMemo(ctx, key)
	if notFound(err) {
		return erp.CreditMemoRef{}, false, nil
	}
	return ref, err == nil, err
}

// readCreditMemo reads the creditMemo key, an internal id or "eid:...".
func (c *Client) readCreditMemo(ctx context.Context, key string) (erp.CreditMemoRef, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet,
		path: "/record/v1/creditMemo/" + url.PathEscape(key)})
	if err != nil {
		return erp.CreditMemoRef{}, err
	}
	var cm creditMemoRecord
	if err := json.Unmarshal(resp.body, &cm); err != nil || cm.ID == "" {
		return erp.CreditMemoRef{}, fmt.Errorf("unreadable credit memo: %w",
			syncerr.ErrUnavailable)
	}
	return erp.CreditMemoRef{ID: cm.ID, Number: cm.TranID}, nil
}
