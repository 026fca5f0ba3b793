package odoo

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// pickingFields are the stock.picking fields a shipment is read from.
var pickingFields = []string{"id", "name", "sale_id", "carrier_id", "carrier_tracking_ref",
	"carrier_tracking_url", "date_done", "write_date"}

// pickingRow is a stock.picking as the shipment listing reads it.
type pickingRow struct {
	ID          int64    `json:"id"`
	Name        text     `json:"name"`
	Sale        many2one `json:"sale_id"`
	Carrier     many2one `json:"carrier_id"`
	TrackingRef text     `json:"carrier_tracking_ref"`
	TrackingURL text     `json:"carrier_tracking_url"`
	DateDone    stamp    `json:"date_done"`
	WriteDate   stamp    `json:"write_date"`
}

func (p pickingRow) key() key { return key{written: timeOf(p.WriteDate), id: p.ID} }

// moveRow is a stock.move of a picking.
type moveRow struct {
	Picking  many2one    `json:"picking_id"`
	Product  many2one    `json:"product_id"`
	Quantity json.Number `json:"quantity"`
}

// ChangedShipments lists the done outgoing transfers (stock.picking of
// type outgoing, state done) of sales orders written since q.Since, with
// the carrier, its tracking reference and URL (stock_delivery's
// carrier_tracking_ref and carrier_tracking_url), and the quantities of
// their moves. It needs Odoo's sale_stock module (sale_id) and its
// delivery module (stock_delivery from Odoo 17 on) for the carrier fields.
//
// TODO: stock.move's done quantity is "quantity" from Odoo 17 on; Odoo 16
// and older call it quantity_done.
func (c *Client) ChangedShipments(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Shipment], err error) {
	defer syncerr.Wrap(&err, "list changed shipments stock.picking")
	rows, next, err := listChanges(ctx, q, pickingRow.key, searchChanged[pickingRow](c,
		"stock.picking", pickingFields, []any{"picking_type_code", "=", "outgoing"},
		[]any{"state", "=", "done"}, []any{"sale_id", "!=", false}))
	if err != nil {
		return page, err
	}
	page.Next = next
	page.Items, err = c.shipments(ctx, rows)
	return page, err
}

// shipments completes pickings with their lines and the external
// references of their sales orders.
func (c *Client) shipments(ctx context.Context, rows []pickingRow) ([]erp.Shipment, error) {
	out := make([]erp.Shipment, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	pickings, orders := map[int64]bool{}, map[int64]bool{}
	for _, r := range rows {
		pickings[r.ID], orders[r.Sale.id] = true, true
	}

	lines, err := c.shipmentLines(ctx, pickings)
	if err != nil {
		return nil, err
	}
	refs, err := c.orderRefs(ctx, orders)
	if err != nil {
		return nil, err
	}

	for i, r := range rows {
		out[i] = erp.Shipment{
			ID: formatID(r.ID), SalesOrderID: formatID(r.Sale.id), ExternalRef: refs[r.Sale.id],
			Carrier: r.Carrier.name, TrackingNumber: string(r.TrackingRef),
			TrackingURL: string(r.TrackingURL), Lines: lines[r.ID],
			ShippedAt: timeOf(r.DateDone), Modified: timeOf(r.WriteDate),
		}
		if out[i].Lines == nil {
			out[i].Lines = []erp.ShipmentLine{}
		}
	}
	return out, nil
}

// shipmentLines reads the moves of pickings as lines by SKU, by picking.
func (c *Client) shipmentLines(ctx context.Context, pickings map[int64]bool) (
	map[int64][]erp.ShipmentLine, error) {
	var moves []moveRow
	err := c.searchRead(ctx, "stock.move",
		domain([]any{"picking_id", "in", slices.Sorted(maps.Keys(pickings))}),
		map[string]any{"fields": []string{"picking_id", "product_id", "quantity"},
			"order": "id asc"}, &moves)
	if err != nil {
		return nil, fmt.Errorf("read moves: %w", err)
	}

	products := map[int64]bool{}
	for _, m := range moves {
		products[m.Product.id] = true
	}
	skus, err := c.skus(ctx, products)
	if err != nil {
		return nil, err
	}

	lines := map[int64][]erp.ShipmentLine{}
	for _, m := range moves {
		qty, err := units(m.Quantity, false)
		if err != nil {
			return nil, fmt.Errorf("stock.move of picking %d: %w", m.Picking.id, err)
		}
		if qty > 0 {
			lines[m.Picking.id] = append(lines[m.Picking.id],
				erp.ShipmentLine{SKU: skus[m.Product.id], Quantity: qty})
		}
	}
	return lines, nil
}

// refRow is a sale.order read for its external reference.
type refRow struct {
	ID        int64 `json:"id"`
	OrderRef  text  `json:"client_order_ref"`
	WriteDate stamp `json:"write_date"`
}

func (r refRow) key() key { return key{written: timeOf(r.WriteDate), id: r.ID} }

// orderRefs returns the client_order_ref of each sales order.
func (c *Client) orderRefs(ctx context.Context, orders map[int64]bool) (map[int64]string, error) {
	var rows []refRow
	err := c.searchRead(ctx, "sale.order",
		domain([]any{"id", "in", slices.Sorted(maps.Keys(orders))}),
		map[string]any{"fields": []string{"id", "client_order_ref"}}, &rows)
	if err != nil {
		return nil, fmt.Errorf("read sales orders: %w", err)
	}

	refs := make(map[int64]string, len(rows))
	for _, r := range rows {
		refs[r.ID] = string(r.OrderRef)
	}
	return refs, nil
}

// ChangedCancellations lists the sale.order records in state cancel
// written since q.Since. Odoo keeps no cancellation reason on the order
// (the cancel wizard posts it to the chatter), so Reason stays empty.
func (c *Client) ChangedCancellations(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Cancellation], err error) {
	defer syncerr.Wrap(&err, "list cancelled sale.order")
	rows, next, err := listChanges(ctx, q, refRow.key, searchChanged[refRow](c, "sale.order",
		[]string{"id", "client_order_ref", "write_date"}, []any{"state", "=", "cancel"}))
	if err != nil {
		return page, err
	}

	page.Items, page.Next = make([]erp.Cancellation, len(rows)), next
	for i, r := range rows {
		page.Items[i] = erp.Cancellation{SalesOrderID: formatID(r.ID),
			ExternalRef: string(r.OrderRef), Modified: timeOf(r.WriteDate)}
	}
	return page, nil
}
