package netsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// Sales order statuses, as SuiteQL writes transaction.status.
const (
	statusCancelled = "C"
	statusClosed    = "H"
)

// fulfillmentRecord is the part of an itemFulfillment record the adapter
// reads.
type fulfillmentRecord struct {
	ID          string `json:"id"`
	TranID      string `json:"tranId"`
	TranDate    string `json:"tranDate"`
	CreatedFrom *ref   `json:"createdFrom"`
	ShipMethod  *ref   `json:"shipMethod"`
	Package     *struct {
		Items []struct {
			TrackingNumber string `json:"packageTrackingNumber"`
		} `json:"items"`
	} `json:"package"`
	Item *struct {
		Items []struct {
			Item     ref         `json:"item"`
			Quantity json.Number `json:"quantity"`
		} `json:"items"`
	} `json:"item"`
}

// ChangedShipments lists the item fulfillments in status shipped modified
// at or after q.Since, each read as a record for its packages (tracking
// numbers) and lines.
func (c *Client) ChangedShipments(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Shipment], err error) {
	defer syncerr.Wrap(&err, "list changed netsuite item fulfillments")

	rows, next, err := c.changedRows(ctx, listing{table: "transaction", keys: []string{"id"},
		columns: []string{"createdfrom"}, where: "type = 'ItemShip' AND shipstatus = 'C'"}, q)
	if err != nil {
		return page, err
	}
	var records []fulfillmentRecord
	var orders, items []string
	for _, r := range rows {
		f, err := c.readFulfillment(ctx, r.str("id"))
		if notFound(err) {
			continue // deleted since the query
		}
		if err != nil {
			return page, err
		}
		records = append(records, f)
		orders = append(orders, r.str("createdfrom"))
		items = append(items, f.itemIDs()...)
	}

	shipments, err := c.shipmentsOf(ctx, rows, records, orders, items)
	page.Items, page.Next = shipments, next
	return page, err
}

// readFulfillment reads itemFulfillment id with its sublists.
func (c *Client) readFulfillment(ctx context.Context, id string) (fulfillmentRecord, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet,
		path:  "/record/v1/itemFulfillment/" + url.PathEscape(id),
		query: url.Values{"expandSubResources": {"true"}}})
	if err != nil {
		return fulfillmentRecord{}, err
	}
	var f fulfillmentRecord
	if err := json.Unmarshal(resp.body, &f); err != nil || f.ID == "" {
		return fulfillmentRecord{}, fmt.Errorf("unreadable item fulfillment %s: %w", id,
			syncerr.ErrUnavailable)
	}
	return f, nil
}

func (f fulfillmentRecord) itemIDs() []string {
	var ids []string
	if f.Item != nil {
		for _, l := range f.Item.Items {
			ids = append(ids, l.Item.ID)
		}
	}
	return ids
}

// shipmentsOf maps fulfillments, reading the SKUs of their items and the
// references of their sales orders.
func (c *Client) shipmentsOf(ctx context.Context, rows []row, records []fulfillmentRecord,
	orders, items []string) ([]erp.Shipment, error) {
	skus, err := c.rowsByID(ctx, "item", []string{"itemid"}, items)
	if err != nil {
		return nil, err
	}
	refs, err := c.rowsByID(ctx, "transaction", []string{"otherrefnum", "externalid"}, orders)
	if err != nil {
		return nil, err
	}

	var out []erp.Shipment
	byID := map[string]row{}
	for _, r := range rows {
		byID[r.str("id")] = r
	}
	for _, f := range records {
		s, err := c.shipmentOf(f, byID[f.ID], skus, refs)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// shipmentOf maps one fulfillment. Several packages give their tracking
// numbers joined with commas.
func (c *Client) shipmentOf(f fulfillmentRecord, r row, skus, refs map[string]row) (
	erp.Shipment, error) {
	modified, err := c.parseModified(r)
	if err != nil {
		return erp.Shipment{}, err
	}
	s := erp.Shipment{ID: f.ID, Modified: modified, ShippedAt: modified}
	if t, err := time.Parse("2006-01-02", f.TranDate); err == nil {
		s.ShippedAt = t
	}
	if f.CreatedFrom != nil {
		s.SalesOrderID = f.CreatedFrom.ID
		s.ExternalRef = orderReference(refs[f.CreatedFrom.ID])
	}
	if f.ShipMethod != nil {
		s.Carrier = f.ShipMethod.RefName
	}
	if f.Package != nil {
		var numbers []string
		for _, p := range f.Package.Items {
			if p.TrackingNumber != "" {
				numbers = append(numbers, p.TrackingNumber)
			}
		}
		s.TrackingNumber = strings.Join(numbers, ",")
	}
	return s, f.addLines(&s, skus)
}

// addLines adds the lines of f to s.
func (f fulfillmentRecord) addLines(s *erp.Shipment, skus map[string]row) error {
	if f.Item == nil {
		return nil
	}
	for _, l := range f.Item.Items {
		qty, err := wholeNumber(l.Quantity.String())
		if err != nil {
			return fmt.Errorf("item fulfillment %s: %w", f.ID, err)
		}
		s.Lines = append(s.Lines, erp.ShipmentLine{SKU: skus[l.Item.ID].str("itemid"),
			Quantity: qty})
	}
	return nil
}

// orderReference is the erpsync reference of a sales order row: its
// otherrefnum, or else what its external id encodes.
func orderReference(r row) string {
	if ref := r.str("otherrefnum"); ref != "" {
		return ref
	}
	if eid := r.str("externalid"); eid != "" {
		return referenceOf(eid)
	}
	return ""
}

// ChangedCancellations lists the sales orders that are cancelled or
// closed and were modified at or after q.Since. The reason is the order's
// memo, or its status.
func (c *Client) ChangedCancellations(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Cancellation], err error) {
	defer syncerr.Wrap(&err, "list cancelled netsuite sales orders")

	rows, next, err := c.changedRows(ctx, listing{table: "transaction", keys: []string{"id"},
		columns: []string{"otherrefnum", "externalid", "status", "memo"},
		where: "type = 'SalesOrd' AND status IN (" + quote(statusCancelled) + ", " +
			quote(statusClosed) + ")"}, q)
	if err != nil {
		return page, err
	}
	for _, r := range rows {
		modified, err := c.parseModified(r)
		if err != nil {
			return erp.Page[erp.Cancellation]{}, err
		}
		reason := r.str("memo")
		if reason == "" {
			reason = map[string]string{statusCancelled: "cancelled",
				statusClosed: "closed"}[r.str("status")]
		}
		page.Items = append(page.Items, erp.Cancellation{SalesOrderID: r.str("id"),
			ExternalRef: orderReference(r), Reason: reason, Modified: modified})
	}
	page.Next = next
	return page, nil
}
