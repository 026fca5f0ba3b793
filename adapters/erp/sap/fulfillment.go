package sap

import (
	"context"
	"fmt"
	"net/http"
	"strings"

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
	Items                   results[deliveryItemRow] `json:"to_DeliveryDocumentItem"`
}

type deliveryItemRow struct {
	Material               string `json:"Material"`
	ActualDeliveryQuantity string `json:"ActualDeliveryQuantity"`
	ReferenceSDDocument    string `json:"ReferenceSDDocument"`
}

// ChangedShipments lists the outbound deliveries whose goods issue is
// posted (OverallGoodsMovementStatus C) and that changed on or after the
// day of q.Since, by LastChangeDate and delivery number, with keyset paging
// on the two. The tracking number is the delivery's bill of lading; the
// sales order is the one its first item references. LastChangeDate has no
// time, so Modified is the start of the day and a listing repeats the
// deliveries of its first day.
//
// TODO: the carrier is the forwarding agent partner of the delivery
// (to_DeliveryDocumentPartner, function SP), which is not read yet.
// TODO: S/4HANA may leave LastChangeDate empty on a delivery created with
// its goods issue at once; such deliveries need a query on CreationDate.
func (c *Client) ChangedShipments(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Shipment], err error) {
	defer wrap(&err, "list changed sap deliveries")
	filter, err := dayFilter("LastChangeDate", "DeliveryDocument", q)
	if err != nil {
		return erp.Page[erp.Shipment]{}, err
	}

	var rows collection[deliveryRow]
	err = c.odata.do(ctx, call{method: http.MethodGet, service: serviceDelivery,
		path: setDelivery, query: []param{
			{"$filter", "OverallGoodsMovementStatus eq 'C' and " + filter},
			{"$expand", "to_DeliveryDocumentItem"},
			{"$orderby", "LastChangeDate,DeliveryDocument"},
			{"$top", fmt.Sprint(q.PageSize())}}}, &rows)
	if err != nil {
		return erp.Page[erp.Shipment]{}, err
	}

	for _, r := range rows.Results {
		s, err := shipment(r)
		if err != nil {
			return erp.Page[erp.Shipment]{}, err
		}
		page.Items = append(page.Items, s)
	}
	if err := c.addExternalRefs(ctx, page.Items); err != nil {
		return erp.Page[erp.Shipment]{}, err
	}
	if n := len(rows.Results); rows.more(q.PageSize()) {
		last := rows.Results[n-1]
		page.Next = cursor{Modified: last.LastChangeDate.Time(), ID: last.DeliveryDocument}.encode()
	}
	return page, nil
}

func shipment(r deliveryRow) (erp.Shipment, error) {
	s := erp.Shipment{ID: r.DeliveryDocument, TrackingNumber: r.BillOfLading,
		ShippedAt: at(r.ActualGoodsMovementDate, r.ActualGoodsMovementTime),
		Modified:  r.LastChangeDate.Time()}
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

// dayFilter is the $filter of a change listing over a date field and a
// key: from the day of q.Since on the first page, after the cursor's
// record on the next ones.
func dayFilter(dayField, key string, q erp.Changes) (string, error) {
	if q.Cursor == "" {
		return dayField + " ge " + dateTimeLiteral(q.Since), nil
	}
	cur, err := decodeCursor(q.Cursor)
	if err != nil {
		return "", syncerr.Invalid("cursor", "%v", err)
	}
	day := dateTimeLiteral(cur.Modified)
	return fmt.Sprintf("(%s gt %s or (%s eq %s and %s gt %s))", dayField, day, dayField, day,
		key, quote(cur.ID)), nil
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
	defer wrap(&err, "list cancelled sap sales orders")
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
