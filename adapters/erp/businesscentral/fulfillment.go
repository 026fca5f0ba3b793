package businesscentral

import (
	"context"
	"fmt"
	"net/url"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// salesShipment is the part of a salesShipments entity the adapter reads.
type salesShipment struct {
	ID                     string `json:"id"`
	Number                 string `json:"number"`
	ExternalDocumentNumber string `json:"externalDocumentNumber"`
	OrderNumber            string `json:"orderNumber"`
	PostingDate            string `json:"postingDate"`
	LastModifiedDateTime   string `json:"lastModifiedDateTime"`
	Lines                  []struct {
		LineType         string  `json:"lineType"`
		LineObjectNumber string  `json:"lineObjectNumber"`
		Quantity         numeric `json:"quantity"`
	} `json:"salesShipmentLines"`
}

// ChangedShipments lists the posted sales shipments modified at or after
// q.Since, oldest first, with their item lines. The sales order is found by
// the shipment's orderNumber; an order already deleted (fully invoiced)
// leaves SalesOrderID empty, and ExternalRef, which Business Central copies
// from the order in upper case, still links the shipment to the store's
// order.
//
// TODO: Carrier, TrackingNumber and TrackingURL stay empty: API v2.0's
// salesShipments expose neither the shipping agent nor the package tracking
// number of the posted shipment; they need a custom API page.
func (c *Client) ChangedShipments(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Shipment], err error) {
	defer syncerr.Wrap(&err, "list changed business central sales shipments")
	col, err := changedPage[salesShipment](ctx, c, "salesShipments", q, url.Values{
		"$expand": {"salesShipmentLines"},
	})
	if err != nil {
		return page, err
	}
	orders, err := c.orderIDs(ctx, col.Value)
	if err != nil {
		return page, err
	}

	for _, s := range col.Value {
		sh := erp.Shipment{
			ID: s.ID, SalesOrderID: orders[s.OrderNumber], ExternalRef: s.ExternalDocumentNumber,
			ShippedAt: parseDate(s.PostingDate), Modified: parseTime(s.LastModifiedDateTime),
			Lines: []erp.ShipmentLine{},
		}
		for _, l := range s.Lines {
			if q := wholeUnits(l.Quantity); l.LineType == "Item" && q > 0 {
				sh.Lines = append(sh.Lines, erp.ShipmentLine{SKU: l.LineObjectNumber, Quantity: q})
			}
		}
		page.Items = append(page.Items, sh)
	}
	page.Next = col.NextLink
	return page, nil
}

// orderIDs returns the ids of the sales orders the shipments name, by
// order number.
func (c *Client) orderIDs(ctx context.Context, shipments []salesShipment) (
	map[string]string, error) {
	var numbers []string
	seen := map[string]bool{}
	for _, s := range shipments {
		if s.OrderNumber != "" && !seen[s.OrderNumber] {
			seen[s.OrderNumber] = true
			numbers = append(numbers, s.OrderNumber)
		}
	}

	ids := map[string]string{}
	for start := 0; start < len(numbers); start += skusPerQuery {
		chunk := numbers[start:min(start+skusPerQuery, len(numbers))]
		orders, err := getAll[salesOrder](ctx, c, c.entityURL("salesOrders", url.Values{
			"$filter": {anyOf("number", chunk)}, "$select": {"id,number"},
		}))
		if err != nil {
			return nil, fmt.Errorf("find orders of shipments: %w", err)
		}
		for _, o := range orders {
			ids[o.Number] = o.ID
		}
	}
	return ids, nil
}

// ChangedCancellations lists nothing. Business Central has no cancelled
// state for a sales order: cancelling one deletes it (DELETE salesOrders),
// and a deleted entity is simply gone from the API, so a poll cannot see
// it.
//
// TODO: learn of deletions from a webhook subscription (POST subscriptions
// on companies({id})/salesOrders, whose notifications carry changeType
// "deleted"), or by comparing the ids of orders still open with the sync
// log; neither fits a poll by watermark.
func (c *Client) ChangedCancellations(ctx context.Context, q erp.Changes) (
	erp.Page[erp.Cancellation], error) {
	return erp.Page[erp.Cancellation]{Items: []erp.Cancellation{}}, nil
}
