package sap

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

const (
	// serviceDelivery is version 2 of the outbound delivery API, the one
	// S/4HANA Cloud exposes.
	serviceDelivery = "API_OUTBOUND_DELIVERY_SRV;v=0002"
	setDelivery     = "A_OutbDeliveryHeader"
)

// deliveryRow is an A_OutbDeliveryHeader with its items.
type deliveryRow struct {
	DeliveryDocument        string                   `json:"DeliveryDocument"`
	BillOfLading            string                   `json:"BillOfLading"`
	ActualGoodsMovementDate sapTime                  `json:"ActualGoodsMovementDate"`
	ActualGoodsMovementTime sapDuration              `json:"ActualGoodsMovementTime"`
	LastChangeDate          sapTime                  `json:"LastChangeDate"`
	CreationDate            sapTime                  `json:"CreationDate"`
	CreationTime            sapDuration              `json:"CreationTime"`
	Items                   results[deliveryItemRow] `json:"to_DeliveryDocumentItem"`
}

type deliveryItemRow struct {
	Material               string `json:"Material"`
	ActualDeliveryQuantity string `json:"ActualDeliveryQuantity"`
	ReferenceSDDocument    string `json:"ReferenceSDDocument"`
}

// ChangedShipments lists the outbound deliveries whose goods issue is
// posted (OverallGoodsMovementStatus C) and that changed or were created
// on or after q.Since, oldest first. SAP leaves the change date of a
// delivery empty until its first change, so the listing merges two
// streams: the deliveries changed since, by LastChangeDate and number, and
// those created since and never changed, by CreationDate, CreationTime and
// number, each with keyset paging. LastChangeDate has no time, so a
// changed delivery's Modified is the start of its day, and a listing
// repeats the changed deliveries of its first day. The tracking number is
// the delivery's bill of lading; the sales order is the one its first item
// references.
//
// TODO: the carrier is the forwarding agent partner of the delivery
// (to_DeliveryDocumentPartner, function SP), which is not read yet.
func (c *Client) ChangedShipments(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Shipment], err error) {
	defer syncerr.Wrap(&err, "list changed sap deliveries")
	const issued = "OverallGoodsMovementStatus eq 'C' and "
	changed := func(pos cursor, top int) (collection[deliveryRow], error) {
		return c.deliveries(ctx, issued+dayAfter("LastChangeDate", "DeliveryDocument", pos),
			"LastChangeDate,DeliveryDocument", top)
	}
	created := func(pos cursor, top int) (collection[deliveryRow], error) {
		return c.deliveries(ctx, issued+"LastChangeDate eq null and "+
			dayTimeAfter("CreationDate", "CreationTime", "DeliveryDocument", pos),
			"CreationDate,CreationTime,DeliveryDocument", top)
	}

	stamp := func(r deliveryRow) cursor {
		return cursor{Modified: r.modified(), ID: r.DeliveryDocument}
	}
	rows, next, err := mergeStreams(q, [2]stream[deliveryRow]{changed, created}, stamp)
	if err != nil {
		return erp.Page[erp.Shipment]{}, err
	}
	for _, r := range rows {
		s, err := shipment(r)
		if err != nil {
			return erp.Page[erp.Shipment]{}, err
		}
		page.Items = append(page.Items, s)
	}
	if err := c.addExternalRefs(ctx, page.Items); err != nil {
		return erp.Page[erp.Shipment]{}, err
	}
	page.Next = next
	return page, nil
}

// deliveries reads the outbound deliveries that filter selects, with their
// items, in orderBy, at most top of them.
func (c *Client) deliveries(ctx context.Context, filter, orderBy string, top int) (
	collection[deliveryRow], error) {
	var rows collection[deliveryRow]
	err := c.odata.do(ctx, call{method: http.MethodGet, service: serviceDelivery,
		path: setDelivery, query: []param{{"$filter", filter},
			{"$expand", "to_DeliveryDocumentItem"}, {"$orderby", orderBy},
			{"$top", fmt.Sprint(top)}}}, &rows)
	return rows, err
}

// modified is the delivery's last change day, or its creation when SAP
// left the change date empty.
func (r deliveryRow) modified() time.Time {
	if !r.LastChangeDate.Time().IsZero() {
		return r.LastChangeDate.Time()
	}
	return at(r.CreationDate, r.CreationTime)
}

func shipment(r deliveryRow) (erp.Shipment, error) {
	s := erp.Shipment{ID: r.DeliveryDocument, TrackingNumber: r.BillOfLading,
		ShippedAt: at(r.ActualGoodsMovementDate, r.ActualGoodsMovementTime),
		Modified:  r.modified()}
	for _, item := range r.Items.Results {
		qty, err := wholeUnits(item.ActualDeliveryQuantity)
		if err != nil {
			return erp.Shipment{}, fmt.Errorf("delivery %s: %w: %w", r.DeliveryDocument,
				syncerr.ErrUnavailable, err)
		}
		if s.SalesOrderID == "" {
			s.SalesOrderID = item.ReferenceSDDocument
		}
		if qty > 0 {
			s.Lines = append(s.Lines, erp.ShipmentLine{SKU: item.Material, Quantity: qty})
		}
	}
	return s, nil
}

// addExternalRefs fills in the external reference of each shipment's
// sales order, reading the orders in one query.
func (c *Client) addExternalRefs(ctx context.Context, shipments []erp.Shipment) error {
	var terms []string
	seen := map[string]bool{}
	for _, s := range shipments {
		if s.SalesOrderID != "" && !seen[s.SalesOrderID] {
			seen[s.SalesOrderID] = true
			terms = append(terms, "SalesOrder eq "+quote(s.SalesOrderID))
		}
	}
	if len(terms) == 0 {
		return nil
	}

	var rows collection[orderRow]
	err := c.odata.do(ctx, call{method: http.MethodGet, service: serviceSalesOrder,
		path: setSalesOrder, query: []param{{"$filter", strings.Join(terms, " or ")},
			{"$select", "SalesOrder,PurchaseOrderByCustomer"},
			{"$top", fmt.Sprint(len(terms))}}}, &rows)
	if err != nil {
		return fmt.Errorf("read sales orders of deliveries: %w", err)
	}
	refs := map[string]string{}
	for _, o := range rows.Results {
		refs[o.SalesOrder] = o.PurchaseOrderByCustomer
	}
	for i := range shipments {
		shipments[i].ExternalRef = refs[shipments[i].SalesOrderID]
	}
	return nil
}

// cancelledRow is a rejected A_SalesOrder with its items.
type cancelledRow struct {
	SalesOrder              string  `json:"SalesOrder"`
	PurchaseOrderByCustomer string  `json:"PurchaseOrderByCustomer"`
	LastChangeDateTime      sapTime `json:"LastChangeDateTime"`
	Items                   results[struct {
		SalesDocumentRjcnReason string `json:"SalesDocumentRjcnReason"`
	}] `json:"to_Item"`
}

// ChangedCancellations lists the sales orders whose items are all rejected
// (OverallSDDocumentRejectionSts C), as SAP cancels an order, changed at
// or after q.Since, by LastChangeDateTime and order number, with keyset
// paging on the two. The reason is the rejection reason code of the first
// item that has one.
func (c *Client) ChangedCancellations(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Cancellation], err error) {
	defer syncerr.Wrap(&err, "list cancelled sap sales orders")
	filter, err := keysetFilter("LastChangeDateTime", "SalesOrder", q)
	if err != nil {
		return erp.Page[erp.Cancellation]{}, err
	}

	var rows collection[cancelledRow]
	err = c.odata.do(ctx, call{method: http.MethodGet, service: serviceSalesOrder,
		path: setSalesOrder, query: []param{
			{"$filter", "OverallSDDocumentRejectionSts eq 'C' and " + filter},
			{"$expand", "to_Item"},
			{"$orderby", "LastChangeDateTime,SalesOrder"},
			{"$top", fmt.Sprint(q.PageSize())}}}, &rows)
	if err != nil {
		return erp.Page[erp.Cancellation]{}, err
	}

	for _, r := range rows.Results {
		cn := erp.Cancellation{SalesOrderID: r.SalesOrder, ExternalRef: r.PurchaseOrderByCustomer,
			Modified: r.LastChangeDateTime.Time()}
		for _, item := range r.Items.Results {
			if cn.Reason == "" {
				cn.Reason = item.SalesDocumentRjcnReason
			}
		}
		page.Items = append(page.Items, cn)
	}
	if n := len(rows.Results); rows.more(q.PageSize()) {
		last := rows.Results[n-1]
		page.Next = cursor{Modified: last.LastChangeDateTime.Time(), ID: last.SalesOrder}.encode()
	}
	return page, nil
}
