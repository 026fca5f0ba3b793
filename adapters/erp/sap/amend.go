package sap

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

const (
	setSalesOrderItem = "A_SalesOrderItem"

	// maxSalesOrder is the length of SalesOrder, maxRejectionReason that of
	// SalesDocumentRjcnReason.
	maxSalesOrder      = 10
	maxRejectionReason = 2
)

// amendRow is an A_SalesOrder with what cancelling it needs to know.
type amendRow struct {
	SalesOrder                 string           `json:"SalesOrder"`
	OverallTotalDeliveryStatus string           `json:"OverallTotalDeliveryStatus"`
	Items                      results[itemRow] `json:"to_Item"`
}

// itemRow is an A_SalesOrderItem with its rejection and delivery status.
type itemRow struct {
	Metadata                metadata `json:"__metadata"`
	SalesOrderItem          string   `json:"SalesOrderItem"`
	SalesDocumentRjcnReason string   `json:"SalesDocumentRjcnReason"`
	DeliveryStatus          string   `json:"DeliveryStatus"`
}

// delivered reports whether a delivery status says that goods went out,
// in part (B) or in full (C). Items not relevant for delivery have none.
func delivered(status string) bool {
	return status == "B" || status == "C"
}

// CancelSalesOrder cancels sales order id as SAP does: it sets the
// configured reason for rejection on every item not rejected yet, each with
// a PATCH of its A_SalesOrderItem. An order whose items are all rejected is
// left as it is. An order with a delivery, of any item, is refused with an
// error wrapping [erp.ErrShipped] before anything changes, as is a
// rejection that SAP refuses because a delivery came in meanwhile. An
// unknown id wraps [syncerr.ErrNotFound].
//
// TODO: SAP keeps a reason code on the items, not the store's reason text;
// the text could go into a header text (to_Text), which the adapter does
// not write.
func (c *Client) CancelSalesOrder(ctx context.Context, id, reason string) (err error) {
	defer syncerr.Wrap(&err, "cancel sap sales order %s", id)
	if id == "" || utf8.RuneCountInString(id) > maxSalesOrder {
		return syncerr.Invalid("id", "%q is not a sales order number", id)
	}
	row, err := c.readForAmend(ctx, id)
	if err != nil {
		return err
	}

	open := openItems(row)
	if len(open) == 0 {
		return nil
	}
	if err := refuseDelivered(row); err != nil {
		return err
	}

	for _, item := range open {
		if err := c.rejectItem(ctx, id, item); err != nil {
			return err
		}
	}
	c.log.Info("sap sales order rejected", zap.String(fieldOrderID, id),
		zap.Int(fieldCount, len(open)))
	return nil
}

// readForAmend reads sales order id with its items.
func (c *Client) readForAmend(ctx context.Context, id string) (amendRow, error) {
	var row amendRow
	err := c.odata.do(ctx, call{method: http.MethodGet, service: serviceSalesOrder,
		path: keyPath(setSalesOrder, id), query: []param{{"$expand", "to_Item"}}}, &row)
	return row, err
}

// openItems returns the items of row that are not rejected.
func openItems(row amendRow) []itemRow {
	var open []itemRow
	for _, item := range row.Items.Results {
		if item.SalesDocumentRjcnReason == "" {
			open = append(open, item)
		}
	}
	return open
}

// refuseDelivered returns an error wrapping [erp.ErrShipped] when the order
// or one of its items has a delivery.
func refuseDelivered(row amendRow) error {
	if delivered(row.OverallTotalDeliveryStatus) {
		return fmt.Errorf("delivery status %s: %w", row.OverallTotalDeliveryStatus,
			erp.ErrShipped)
	}
	for _, item := range row.Items.Results {
		if delivered(item.DeliveryStatus) {
			return fmt.Errorf("item %s has delivery status %s: %w", item.SalesOrderItem,
				item.DeliveryStatus, erp.ErrShipped)
		}
	}
	return nil
}

// rejectItem sets the configured reason for rejection on one item. When
// SAP refuses it, the order is read again: a delivery that came in since
// turns the refusal into [erp.ErrShipped].
func (c *Client) rejectItem(ctx context.Context, id string, item itemRow) error {
	path := fmt.Sprintf("%s(SalesOrder=%s,SalesOrderItem=%s)", setSalesOrderItem, quote(id),
		quote(item.SalesOrderItem))
	err := c.odata.do(ctx, call{method: http.MethodPatch, service: serviceSalesOrder,
		path: path, body: map[string]any{"SalesDocumentRjcnReason": c.rejection},
		ifMatch: item.Metadata.ifMatch()}, nil)

	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) {
		return err
	}
	row, readErr := c.readForAmend(ctx, id)
	if readErr != nil {
		return errors.Join(err, readErr)
	}
	if shipped := refuseDelivered(row); shipped != nil {
		return fmt.Errorf("reject item %s: %w: %w", item.SalesOrderItem, shipped, err)
	}
	return fmt.Errorf("reject item %s: %w", item.SalesOrderItem, err)
}

// CreateCreditMemo does not book credit documents in SAP yet: it returns an
// error wrapping [erp.ErrUnsupported] without calling SAP.
//
// TODO: credit memo requests (API_CREDIT_MEMO_REQUEST_SRV) need the
// merchant's order reason and billing setup.
func (c *Client) CreateCreditMemo(_ context.Context, m erp.CreditMemo) (erp.CreditMemoRef,
	error) {
	return erp.CreditMemoRef{}, fmt.Errorf("book sap credit memo %q against sales order %s: "+
		"credit memo requests (API_CREDIT_MEMO_REQUEST_SRV) need the merchant's order "+
		"reason and billing setup: %w", m.ExternalRef, m.SalesOrderID, erp.ErrUnsupported)
}
