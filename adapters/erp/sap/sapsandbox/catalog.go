package sapsandbox

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// defaultPlant is the plant of model locations that name no plant, and the
// valuation area of every product.
const defaultPlant = "1010"

// products lists the products of the model that have a SKU as A_Product,
// the SKU being the product number. The price is the standard price of
// the product's valuation in the plant.
func (s *Server) products() []entity {
	var out []entity
	for _, p := range s.model.Products() {
		if p.SKU == "" {
			continue
		}
		out = append(out, productEntity(p))
	}
	return out
}

func productEntity(p erpsandbox.Product) entity {
	created, _ := dayOf(p.Created)
	changed, _ := dayOf(p.Modified)
	etag := etagOf(p.Modified)
	return entity{etag: etag, props: map[string]any{
		"Product": p.SKU, "ProductType": "HAWA", "BaseUnit": unitPiece,
		"IsMarkedForDeletion": false, "CreationDate": created, "LastChangeDate": changed,
		"LastChangeDateTime": dateTimeOffset(p.Modified),
	}, navs: map[string][]entity{
		"to_Description": {{etag: etag, props: map[string]any{"Product": p.SKU,
			"Language": "EN", "ProductDescription": p.Name}}},
		"to_Valuation": {{etag: etag, props: map[string]any{"Product": p.SKU,
			"ValuationArea": defaultPlant, "ValuationType": "",
			"StandardPrice": decimal(money.Decimal(p.PriceMinor, p.Currency)),
			"PriceUnitQty":  decimal("1"), "Currency": p.Currency}}},
	}}
}

// productChildren lists the entities that nav of every product leads to.
func (s *Server) productChildren(nav string) func() []entity {
	return func() []entity {
		var out []entity
		for _, p := range s.products() {
			out = append(out, p.navs[nav]...)
		}
		return out
	}
}

// stock lists the stock of the model as A_MatlStkInAcctMod, all of it
// unrestricted-use (stock type 01). A location "PLANT/SLOC" of the model
// names a plant and a storage location; any other name is a storage
// location of plant 1010. Reserved units are sales order stock (special
// stock type E) and the rest plain stock, so the two rows of one location
// add up to its stock on hand. Safety stock is planning data that SAP does
// not keep in stock records, so the sandbox does not show it here.
func (s *Server) stock() []entity {
	var out []entity
	for _, l := range s.model.StockLevels() {
		plant, sloc := splitLocation(l.Location)
		row := func(special string, qty int64) entity {
			return entity{props: map[string]any{
				"Material": l.SKU, "Plant": plant, "StorageLocation": sloc, "Batch": "",
				"Supplier": "", "Customer": "", "WBSElementInternalID": "00000000",
				"SDDocument": "", "SDDocumentItem": "000000",
				"InventorySpecialStockType": special, "InventoryStockType": "01",
				"MaterialBaseUnit":             unitPiece,
				"MatlWrhsStkQtyInMatlBaseUnit": decimal(strconv.FormatInt(qty, 10) + ".000"),
			}}
		}
		out = append(out, row("", l.OnHand-l.Reserved))
		if l.Reserved > 0 {
			out = append(out, row("E", l.Reserved))
		}
	}
	return out
}

func splitLocation(name string) (string, string) {
	if plant, sloc, ok := strings.Cut(name, "/"); ok {
		return plant, sloc
	}
	return defaultPlant, name
}

// deliveries lists the shipments of the model as outbound deliveries whose
// goods issue is posted, with the tracking number as the bill of lading.
// The change date stays empty until the first change, as in SAP.
func (s *Server) deliveries() []entity {
	shipments := s.model.Shipments()
	out := make([]entity, 0, len(shipments))
	for _, sh := range shipments {
		out = append(out, s.deliveryEntity(sh))
	}
	return out
}

func (s *Server) deliveryEntity(sh erpsandbox.Shipment) entity {
	order, _ := s.model.SalesOrder(sh.OrderID)
	id := strconv.FormatInt(sh.ID, 10)
	customer := strconv.FormatInt(order.CustomerID, 10)
	issuedDay, issuedTime := dayOf(sh.ShippedAt)
	createdDay, createdTime := dayOf(sh.Created)
	changedDay, _ := lastChange(sh.Created, sh.Modified)

	items := make([]entity, 0, len(sh.Lines))
	for i, l := range sh.Lines {
		p, _ := s.model.Product(l.ProductID)
		items = append(items, entity{props: map[string]any{
			"DeliveryDocument": id, "DeliveryDocumentItem": fmt.Sprintf("%06d", (i+1)*10),
			"Material": p.SKU, "ActualDeliveryQuantity": decimal(strconv.FormatInt(l.Quantity,
				10)),
			"DeliveryQuantityUnit": unitPiece, "ReferenceSDDocument": strconv.FormatInt(order.ID,
				10),
			"ReferenceSDDocumentItem": orderItemOf(order, l.ProductID),
		}})
	}
	return entity{etag: etagOf(sh.Modified), props: map[string]any{
		"DeliveryDocument": id, "DeliveryDocumentType": "LF", "SDDocumentCategory": "J",
		"SoldToParty": customer, "ShipToParty": customer, "OverallGoodsMovementStatus": "C",
		"ActualGoodsMovementDate": issuedDay, "ActualGoodsMovementTime": issuedTime,
		"BillOfLading": sh.TrackingNumber, "MeansOfTransport": "",
		"CreationDate": createdDay, "CreationTime": createdTime, "LastChangeDate": changedDay,
	}, navs: map[string][]entity{"to_DeliveryDocumentItem": items}}
}

// orderItemOf returns the item number of the order's line for product.
func orderItemOf(o erpsandbox.SalesOrder, product int64) string {
	for i, l := range o.Lines {
		if l.ProductID == product {
			return itemNumber(i)
		}
	}
	return ""
}

// customerSalesAreas lists the sales areas of every customer.
func (s *Server) customerSalesAreas() []entity {
	var out []entity
	for _, c := range s.children("to_Customer")() {
		out = append(out, c.navs["to_CustomerSalesArea"]...)
	}
	return out
}

// deliveryItems lists the items of every delivery.
func (s *Server) deliveryItems() []entity {
	var out []entity
	for _, d := range s.deliveries() {
		out = append(out, d.navs["to_DeliveryDocumentItem"]...)
	}
	return out
}

// orderChildren lists the items of every sales order, or their pricing
// elements when prices is set.
func (s *Server) orderChildren(prices bool) func() []entity {
	return func() []entity {
		var out []entity
		for _, o := range s.salesOrders() {
			for _, item := range o.navs["to_Item"] {
				if prices {
					out = append(out, item.navs["to_PricingElement"]...)
				} else {
					out = append(out, item)
				}
			}
		}
		return out
	}
}

// entitySets wires every entity set of the schemas to the model.
func (s *Server) entitySets() map[string]*entitySet {
	type impl struct {
		list   func() []entity
		create func(map[string]any) (entity, error)
		update func(entity, map[string]any) error
	}
	impls := map[string]impl{
		"A_SalesOrder":              {s.salesOrders, s.createSalesOrder, nil},
		"A_SalesOrderItem":          {s.orderChildren(false), nil, s.rejectItem},
		"A_SalesOrderItemPrElement": {s.orderChildren(true), nil, nil},
		"A_BusinessPartner":         {s.businessPartners, s.createPartner, s.updatePartner},
		"A_BPAddressIndependentEmail": {s.children("to_AddressIndependentEmail"),
			s.createChild("to_AddressIndependentEmail", setEmail), s.updateChild(setEmail)},
		"A_BPAddressIndependentPhone": {s.children("to_AddressIndependentPhone"),
			s.createChild("to_AddressIndependentPhone", setPhone), s.updateChild(setPhone)},
		"A_BusinessPartnerAddress": {s.children("to_BusinessPartnerAddress"), nil,
			s.updateChild(setAddress)},
		"A_BusinessPartnerRole": {s.children("to_BusinessPartnerRole"), nil, nil},
		"A_Customer":            {s.children("to_Customer"), nil, nil},
		"A_CustomerSalesArea":   {s.customerSalesAreas, nil, s.updateSalesArea},
		"A_Product":             {s.products, nil, nil},
		"A_ProductDescription":  {s.productChildren("to_Description"), nil, nil},
		"A_ProductValuation":    {s.productChildren("to_Valuation"), nil, nil},
		"A_MatlStkInAcctMod":    {s.stock, nil, nil},
		"A_OutbDeliveryHeader":  {s.deliveries, nil, nil},
		"A_OutbDeliveryItem":    {s.deliveryItems, nil, nil},
	}

	sets := map[string]*entitySet{}
	for service, types := range s.types {
		for _, t := range types {
			i := impls[t.set]
			sets[t.set] = &entitySet{service: service, typ: t, list: i.list, create: i.create,
				update: i.update}
		}
	}
	return sets
}
