package netsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// statusPendingFulfillment is the orderStatus of an approved sales order.
const statusPendingFulfillment = "B"

// ref is a reference to another record in a REST body.
type ref struct {
	ID      string `json:"id,omitempty"`
	RefName string `json:"refName,omitempty"`
}

// salesOrderRecord is the part of a salesOrder record the adapter reads.
// Item lines are there when the record is read with its sublists.
type salesOrderRecord struct {
	ID          string      `json:"id"`
	TranID      string      `json:"tranId"`
	ExternalID  string      `json:"externalId"`
	OtherRefNum string      `json:"otherRefNum"`
	OrderStatus *ref        `json:"orderStatus"`
	Entity      *ref        `json:"entity"`
	Currency    *ref        `json:"currency"`
	Total       json.Number `json:"total"`
	Item        *struct {
		Items []struct {
			Line     json.Number `json:"line"`
			IsClosed bool        `json:"isClosed"`
		} `json:"items"`
	} `json:"item"`
}

// FindSalesOrder reads the salesOrder whose external id is derived from
// externalRef, GET /record/v1/salesOrder/eid:<id>. It reports false when
// NetSuite has none.
func (c *Client) FindSalesOrder(ctx context.Context, externalRef string) (
	ref erp.SalesOrderRef, found bool, err error) {
	defer syncerr.Wrap(&err, "find netsuite sales order %q", externalRef)
	if externalRef == "" {
		return erp.SalesOrderRef{}, false, syncerr.Invalid("external_ref", "is empty")
	}

	so, err := c.readSalesOrder(ctx, "eid:"+externalID(externalRef))
	if notFound(err) {
		return erp.SalesOrderRef{}, false, nil
	}
	if err != nil {
		return erp.SalesOrderRef{}, false, err
	}
	return erp.SalesOrderRef{ID: so.ID, Number: so.TranID}, true, nil
}

// CreateSalesOrder upserts order as a salesOrder by its external id, PUT
// /record/v1/salesOrder/eid:<id>, approved (pending fulfillment). Sending
// it again updates the same order rather than making a second one, so a
// retry after a lost answer is safe. It resolves every SKU and the
// currency first; an unknown SKU is a [syncerr.InvalidError] on
// "lines[<i>].sku". The customer is matched by e-mail and created when
// missing.
func (c *Client) CreateSalesOrder(ctx context.Context, order erp.SalesOrder) (
	ref erp.SalesOrderRef, err error) {
	defer syncerr.Wrap(&err, "create netsuite sales order %q", order.ExternalRef)
	if err := order.Check(); err != nil {
		return erp.SalesOrderRef{}, err
	}
	if err := checkSigns(order.Lines); err != nil {
		return erp.SalesOrderRef{}, err
	}

	items, err := c.itemIDs(ctx, order.Lines)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}
	currency, err := c.currencyID(ctx, order.Currency)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}
	customer, err := c.customerFor(ctx, order.Customer)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}

	eid := externalID(order.ExternalRef)
	resp, err := c.do(ctx, request{method: http.MethodPut,
		path: "/record/v1/salesOrder/eid:" + url.PathEscape(eid),
		body: orderBody(order, customer, currency, items)})
	if err != nil {
		return erp.SalesOrderRef{}, err
	}
	id, err := locationID(resp.header)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}
	c.log.Info("netsuite sales order upserted", zap.String(fieldExternalRef, order.ExternalRef),
		zap.String(fieldOrderID, id))

	so, err := c.readSalesOrder(ctx, id)
	if err != nil {
		return erp.SalesOrderRef{}, fmt.Errorf("read sales order %s: %w", id, err)
	}
	c.checkTotal(so, order)
	return erp.SalesOrderRef{ID: so.ID, Number: so.TranID}, nil
}

// checkSigns refuses a discount line with a positive unit price and any
// other line with a negative one.
func checkSigns(lines []erp.Line) error {
	for i, l := range lines {
		if (l.Kind == erp.LineDiscount) != (l.UnitPriceMinor < 0) && l.UnitPriceMinor != 0 {
			return syncerr.Invalid(fmt.Sprintf("lines[%d].unit_price_minor", i),
				"%d has the wrong sign for a line of kind %q", l.UnitPriceMinor, l.Kind)
		}
	}
	return nil
}

// checkTotal logs a warning when NetSuite's total of so is not the total
// of order, as when the account adds tax or charges of its own.
func (c *Client) checkTotal(so salesOrderRecord, order erp.SalesOrder) {
	total, err := money.ParseMinor(so.Total.String(), order.Currency)
	if err == nil && total == order.TotalMinor {
		return
	}
	c.log.Warn("netsuite sales order total differs from the store's",
		zap.String(fieldExternalRef, order.ExternalRef), zap.String(fieldOrderID, so.ID))
}

// readSalesOrder reads the salesOrder key, an internal id or "eid:...".
func (c *Client) readSalesOrder(ctx context.Context, key string) (salesOrderRecord, error) {
	return c.readOrder(ctx, key, false)
}

// readOrder reads the salesOrder key, with its sublists when expand is
// set.
func (c *Client) readOrder(ctx context.Context, key string, expand bool) (
	salesOrderRecord, error) {
	r := request{method: http.MethodGet, path: "/record/v1/salesOrder/" + url.PathEscape(key)}
	if expand {
		r.query = url.Values{"expandSubResources": {"true"}}
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return salesOrderRecord{}, err
	}
	var so salesOrderRecord
	if err := json.Unmarshal(resp.body, &so); err != nil || so.ID == "" {
		return salesOrderRecord{}, fmt.Errorf("unreadable sales order: %w", syncerr.ErrUnavailable)
	}
	return so, nil
}

// customerFor returns the internal id of the order's customer, matched by
// e-mail, creating it when NetSuite has none.
func (c *Client) customerFor(ctx context.Context, cust erp.Customer) (string, error) {
	found, ok, err := c.FindCustomer(ctx, erp.CustomerQuery{Email: cust.Email})
	if err != nil {
		return "", err
	}
	if ok {
		return found.ID, nil
	}
	created, err := c.CreateCustomer(ctx, cust)
	if err != nil {
		return "", err
	}
	return created.ID, nil
}

// orderBody builds the salesOrder of o. Rates are JSON numbers written
// from the decimal string of their minor units, never through a float.
func orderBody(o erp.SalesOrder, customer, currency string, items map[string]string,
) map[string]any {
	body := map[string]any{
		"entity":      ref{ID: customer},
		"currency":    ref{ID: currency},
		"otherRefNum": o.ExternalRef,
		"orderStatus": ref{ID: statusPendingFulfillment},
		"item":        map[string]any{"items": itemLines(o.Lines, o.Currency, items)},
	}
	if !o.OrderedAt.IsZero() {
		body["tranDate"] = o.OrderedAt.UTC().Format("2006-01-02")
	}
	return body
}

// itemLines builds the item sublist of lines. Shipping and tax are lines
// on the merchant's service or other-charge items like any product. A
// discount is a line on a Discount item, which has no quantity: its rate
// is the (negative) amount of the whole line, so that the transaction's
// total is the sum of all lines.
//
// TODO: accounts that compute sales tax themselves (tax codes, SuiteTax)
// add tax to the tax line's item too unless that item is not taxable;
// erpsync cannot tell from here and relies on the item's setup.
func itemLines(lines []erp.Line, currency string, items map[string]string) []map[string]any {
	out := make([]map[string]any, len(lines))
	for i, l := range lines {
		out[i] = map[string]any{
			"item":     ref{ID: items[l.SKU]},
			"quantity": l.Quantity,
			"rate":     json.Number(money.Decimal(l.UnitPriceMinor, currency)),
		}
		if l.Kind == erp.LineDiscount {
			delete(out[i], "quantity")
			out[i]["rate"] = json.Number(money.Decimal(l.Quantity*l.UnitPriceMinor, currency))
		}
		if l.Description != "" {
			out[i]["description"] = l.Description
		}
	}
	return out
}
