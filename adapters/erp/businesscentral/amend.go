package businesscentral

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// shippedRefusal is the start of Business Central's (English) refusal to
// delete a sales order line that was shipped and not invoiced.
const shippedRefusal = "Qty. Shipped Not Invoiced must be equal to '0'"

// CancelSalesOrder cancels sales order id as Business Central does: it has
// no cancelled state, so an order that has not shipped is deleted (DELETE
// salesOrders({id}) with its ETag in If-Match). Business Central keeps no
// reason for a deletion, so reason is not recorded.
//
// An order with a posted shipment is left as it is and the error wraps
// [erp.ErrShipped]: the adapter looks for its salesShipments first, and
// Business Central refuses to delete a line shipped and not invoiced. When
// the answer to the delete is lost, the order is read again: gone means
// deleted. An order this client deleted before counts as cancelled; any
// other id Business Central does not hold wraps [syncerr.ErrNotFound].
//
// TODO: a deleted order leaves no trace in API v2.0, so a retry by another
// process after a delete whose answer and re-read were both lost reports
// ErrNotFound; telling "deleted" from "never existed" needs a custom API
// page over the Sales Header Archive (with Archive Orders on). Likewise an
// order Business Central deleted after posting it in full reports
// ErrNotFound rather than ErrShipped; a look-up of salesInvoices by orderId
// would tell.
func (c *Client) CancelSalesOrder(ctx context.Context, id, reason string) (err error) {
	defer syncerr.Wrap(&err, "cancel business central sales order %s", id)
	if !guidPattern.MatchString(id) {
		return syncerr.Invalid("id", "%q is not a GUID", id)
	}
	id = strings.ToLower(id)

	for attempt := 1; ; attempt++ {
		order, found, err := c.salesOrderByID(ctx, id)
		if err != nil {
			return err
		}
		if !found {
			return c.alreadyDeleted(id)
		}
		if err := c.checkNotShipped(ctx, order); err != nil {
			return err
		}

		err = c.deleteSalesOrder(ctx, order)
		if !errors.Is(err, errEntityChanged) || attempt == maxUpdateAttempts {
			return err
		}
	}
}

// salesOrderByID reads sales order id, reporting false when Business
// Central does not hold it.
func (c *Client) salesOrderByID(ctx context.Context, id string) (salesOrder, bool, error) {
	var order salesOrder
	err := c.do(ctx, request{method: http.MethodGet, url: c.salesOrderURL(id) + "?$select=" +
		"id,number,externalDocumentNumber,customerId,currencyCode"}, &order)
	if nf := (*notFoundError)(nil); errors.As(err, &nf) {
		return salesOrder{}, false, nil
	}
	return order, err == nil, err
}

func (c *Client) salesOrderURL(id string) string {
	return c.company + "/salesOrders(" + id + ")"
}

// alreadyDeleted reports whether sales order id, which Business Central no
// longer holds, is one this client deleted.
func (c *Client) alreadyDeleted(id string) error {
	c.mu.Lock()
	deleted := c.deleted[id]
	c.mu.Unlock()
	if deleted {
		return nil
	}
	return fmt.Errorf("%w: business central holds no sales order %s", syncerr.ErrNotFound, id)
}

// checkNotShipped refuses an order that has a posted sales shipment.
func (c *Client) checkNotShipped(ctx context.Context, order salesOrder) error {
	var col collection[salesShipment]
	err := c.do(ctx, request{method: http.MethodGet, url: c.entityURL("salesShipments",
		url.Values{"$filter": {"orderNumber eq " + quote(order.Number)}, "$top": {"1"},
			"$select": {"id,number"}})}, &col)
	if err != nil {
		return fmt.Errorf("find shipments of sales order %s: %w", order.Number, err)
	}
	if len(col.Value) > 0 {
		return fmt.Errorf("sales order %s has posted shipment %s: %w", order.Number,
			col.Value[0].Number, erp.ErrShipped)
	}
	return nil
}

// deleteSalesOrder deletes order with its ETag. An order gone by the time
// the delete arrives, or after a delete whose answer was lost, counts as
// deleted.
func (c *Client) deleteSalesOrder(ctx context.Context, order salesOrder) error {
	err := c.do(ctx, request{method: http.MethodDelete, url: c.salesOrderURL(order.ID),
		ifMatch: order.ETag}, nil)
	if errors.Is(err, syncerr.ErrUnavailable) {
		if _, found, recheck := c.salesOrderByID(ctx, order.ID); recheck == nil && !found {
			err = nil
		}
	}

	nf := (*notFoundError)(nil)
	switch {
	case err == nil || errors.As(err, &nf):
		c.rememberDeleted(order.ID)
		c.log.Info("business central sales order deleted as cancelled",
			zap.String(fieldOrderID, order.ID))
		return nil
	case strings.Contains(err.Error(), shippedRefusal):
		return fmt.Errorf("sales order %s: %w: %w", order.Number, erp.ErrShipped, err)
	}
	return err
}

// maxRemembered bounds the deleted orders a client remembers; past it, it
// starts afresh, since a retry comes soon after the cancel it repeats.
const maxRemembered = 10000

// rememberDeleted notes that this client deleted sales order id.
func (c *Client) rememberDeleted(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deleted == nil || len(c.deleted) >= maxRemembered {
		c.deleted = map[string]bool{}
	}
	c.deleted[strings.ToLower(id)] = true
}
