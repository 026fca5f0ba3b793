package bcsandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// decimal is an Edm.Decimal, written as a JSON number from its exact
// decimal text.
type decimal string

// MarshalJSON writes the number as it is.
func (d decimal) MarshalJSON() ([]byte, error) { return []byte(d), nil }

// entity is one record of an entity set: its model id, its properties, and
// the entities of its navigation properties.
type entity struct {
	id     int64
	fields map[string]any
	nav    map[string][]entity
}

// entitySet describes one entity set of the API.
type entitySet struct {
	name     string // as in the URL: "salesOrders"
	typeName string // the entity type: "salesOrder"
	props    []string
	navs     map[string]*entitySet
	list     func(s *sandbox) []entity
}

// known returns the properties of the set, for $filter and $select.
func (es *entitySet) known() map[string]bool {
	k := make(map[string]bool, len(es.props))
	for _, p := range es.props {
		k[p] = true
	}
	return k
}

var salesOrderLineSet = &entitySet{
	name: "salesOrderLines", typeName: "salesOrderLine",
	props: []string{"id", "documentId", "sequence", "itemId", "lineType", "lineObjectNumber",
		"description", "quantity", "unitPrice", "amountExcludingTax", "amountIncludingTax"},
}

var salesShipmentLineSet = &entitySet{
	name: "salesShipmentLines", typeName: "salesShipmentLine",
	props: []string{"id", "documentId", "documentNo", "sequence", "lineType",
		"lineObjectNumber", "description", "quantity", "unitOfMeasureCode"},
}

// entitySets are the company-scoped entity sets the sandbox serves.
var entitySets = map[string]*entitySet{
	"salesOrders": {
		name: "salesOrders", typeName: "salesOrder",
		props: []string{"id", "number", "externalDocumentNumber", "orderDate", "postingDate",
			"customerId", "customerNumber", "customerName", "currencyCode", "pricesIncludeTax",
			"status", "totalAmountExcludingTax", "totalTaxAmount", "totalAmountIncludingTax",
			"lastModifiedDateTime"},
		navs: map[string]*entitySet{"salesOrderLines": salesOrderLineSet},
		list: (*sandbox).salesOrders,
	},
	"customers": {
		name: "customers", typeName: "customer",
		props: []string{"id", "number", "displayName", "type", "addressLine1", "addressLine2",
			"city", "state", "country", "postalCode", "phoneNumber", "email", "website",
			"creditLimit", "taxLiable", "currencyCode", "paymentTermsId", "blocked",
			"lastModifiedDateTime"},
		list: (*sandbox).customers,
	},
	"paymentTerms": {
		name: "paymentTerms", typeName: "paymentTerm",
		props: []string{"id", "code", "displayName", "dueDateCalculation",
			"discountDateCalculation", "discountPercent", "calculateDiscountOnCreditMemos",
			"lastModifiedDateTime"},
		list: (*sandbox).paymentTerms,
	},
	"salesCreditMemos": {
		name: "salesCreditMemos", typeName: "salesCreditMemo",
		props: []string{"id", "number", "externalDocumentNumber", "creditMemoDate",
			"postingDate", "customerId", "customerNumber", "customerName", "currencyCode",
			"pricesIncludeTax", "totalAmountExcludingTax", "totalTaxAmount",
			"totalAmountIncludingTax", "status", "invoiceId", "invoiceNumber",
			"lastModifiedDateTime"},
		navs: map[string]*entitySet{"salesCreditMemoLines": salesCreditMemoLineSet},
		list: (*sandbox).salesCreditMemos,
	},
	"items": {
		name: "items", typeName: "item",
		props: []string{"id", "number", "displayName", "type", "blocked", "gtin", "inventory",
			"unitPrice", "priceIncludesTax", "baseUnitOfMeasureCode", "lastModifiedDateTime"},
		list: (*sandbox).items,
	},
	"locations": {
		name: "locations", typeName: "location",
		props: []string{"id", "code", "displayName", "lastModifiedDateTime"},
		list:  (*sandbox).locations,
	},
	"salesShipments": {
		name: "salesShipments", typeName: "salesShipment",
		props: []string{"id", "number", "externalDocumentNumber", "orderNumber", "postingDate",
			"customerNumber", "customerName", "currencyCode", "shipmentMethodCode",
			"lastModifiedDateTime"},
		navs: map[string]*entitySet{"salesShipmentLines": salesShipmentLineSet},
		list: (*sandbox).salesShipments,
	},
}

// salesOrders lists the model's orders that are not cancelled: Business
// Central has no cancelled state, a cancelled order is a deleted one.
func (s *sandbox) salesOrders() []entity {
	orders := s.model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return o.State != erpsandbox.OrderCancelled
	})
	out := make([]entity, 0, len(orders))
	for _, o := range orders {
		out = append(out, s.salesOrder(o))
	}
	return out
}

// salesOrder renders one order with its lines.
func (s *sandbox) salesOrder(o erpsandbox.SalesOrder) entity {
	c, _ := s.model.Customer(o.CustomerID)
	status := "Open"
	if o.State == erpsandbox.OrderDraft {
		status = "Draft"
	}
	total := decimal(money.Decimal(o.TotalMinor, o.Currency))
	e := entity{id: o.ID, fields: map[string]any{
		"id": guidOf(o.ID), "number": o.Number,
		"externalDocumentNumber": strings.ToUpper(o.ExternalRef),
		"orderDate":              dateOf(o.OrderedAt), "postingDate": dateOf(o.OrderedAt),
		"customerId": guidOf(c.ID), "customerNumber": customerNumber(c),
		"customerName": c.Name, "currencyCode": o.Currency, "pricesIncludeTax": false,
		"status": status, "totalAmountExcludingTax": total, "totalTaxAmount": decimal("0"),
		"totalAmountIncludingTax": total, "lastModifiedDateTime": o.Modified,
	}}

	e.nav = map[string][]entity{"salesOrderLines": s.documentLines(o.ID, o.Lines, o.Currency)}
	return e
}

func lineDescription(l erpsandbox.OrderLine, p erpsandbox.Product) string {
	if l.Description != "" {
		return l.Description
	}
	return p.Name
}

// mulMinor returns q*unit and whether it fits in an int64.
func mulMinor(q, unit int64) (int64, bool) {
	if q == 0 || unit == 0 {
		return 0, true
	}
	p := q * unit
	return p, p/unit == q
}

// customerNumber is the "No." of a customer: its external reference when
// it was created with one, else a number of the sandbox's series.
func customerNumber(c erpsandbox.Customer) string {
	if c.ExternalRef != "" {
		return strings.ToUpper(c.ExternalRef)
	}
	return fmt.Sprintf("C%05d", c.ID)
}

func (s *sandbox) customers() []entity {
	cs := s.model.Customers()
	out := make([]entity, 0, len(cs))
	for _, c := range cs {
		out = append(out, s.customerEntity(c))
	}
	return out
}

// customerEntity renders a customer. Its payment terms are shown by id, and
// its credit limit in the local currency.
func (s *sandbox) customerEntity(c erpsandbox.Customer) entity {
	return entity{id: c.ID, fields: map[string]any{
		"id": guidOf(c.ID), "number": customerNumber(c), "displayName": c.Name,
		"type": "Person", "addressLine1": c.Address.Line1, "addressLine2": c.Address.Line2,
		"city": c.Address.City, "state": c.Address.Region, "country": c.Address.CountryCode,
		"postalCode": c.Address.PostalCode, "phoneNumber": c.Phone, "email": c.Email,
		"website": "", "creditLimit": s.creditLimitOf(c), "taxLiable": false,
		"currencyCode": "", "paymentTermsId": paymentTermsID(c.PaymentTerms), "blocked": " ",
		"lastModifiedDateTime": c.Modified,
	}}
}

// items lists the products, each with its stock on hand summed over all
// locations, as the inventory field of Business Central's items is.
func (s *sandbox) items() []entity {
	onHand := map[string]int64{}
	for _, l := range s.model.StockLevels() {
		onHand[l.SKU] += l.OnHand
	}

	ps := s.model.Products()
	out := make([]entity, 0, len(ps))
	for _, p := range ps {
		out = append(out, entity{id: p.ID, fields: map[string]any{
			"id": guidOf(p.ID), "number": p.SKU, "displayName": p.Name, "type": "Inventory",
			"blocked": false, "gtin": "", "inventory": units(onHand[p.SKU]),
			"unitPrice":        decimal(money.Decimal(p.PriceMinor, p.Currency)),
			"priceIncludesTax": false, "baseUnitOfMeasureCode": "PCS",
			"lastModifiedDateTime": p.Modified,
		}})
	}
	return out
}

// locations lists the locations that hold stock.
func (s *sandbox) locations() []entity {
	byID := map[int64]*entity{}
	var order []int64
	for _, l := range s.model.StockLevels() {
		e, ok := byID[l.LocationID]
		if !ok {
			e = &entity{id: l.LocationID, fields: map[string]any{
				"id": guidOf(l.LocationID), "code": l.Location, "displayName": l.Location,
				"lastModifiedDateTime": l.Modified,
			}}
			byID[l.LocationID] = e
			order = append(order, l.LocationID)
		}
		if l.Modified.After(e.fields["lastModifiedDateTime"].(time.Time)) {
			e.fields["lastModifiedDateTime"] = l.Modified
		}
	}
	out := make([]entity, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out
}

// salesShipments lists the posted shipments. Business Central's API has no
// carrier or tracking number on them, so the sandbox shows none either.
func (s *sandbox) salesShipments() []entity {
	ships := s.model.Shipments()
	out := make([]entity, 0, len(ships))
	for _, sh := range ships {
		o, _ := s.model.SalesOrder(sh.OrderID)
		c, _ := s.model.Customer(o.CustomerID)
		e := entity{id: sh.ID, fields: map[string]any{
			"id": guidOf(sh.ID), "number": sh.Number,
			"externalDocumentNumber": strings.ToUpper(o.ExternalRef), "orderNumber": o.Number,
			"postingDate": dateOf(sh.ShippedAt), "customerNumber": customerNumber(c),
			"customerName": c.Name, "currencyCode": o.Currency, "shipmentMethodCode": "",
			"lastModifiedDateTime": sh.Modified,
		}}
		lines := make([]entity, 0, len(sh.Lines))
		for i, l := range sh.Lines {
			p, _ := s.model.Product(l.ProductID)
			lines = append(lines, entity{id: sh.ID, fields: map[string]any{
				"id":         fmt.Sprintf("00000000-0000-4001-8000-%08x%04x", sh.ID, i),
				"documentId": guidOf(sh.ID),
				"documentNo": sh.Number, "sequence": (i + 1) * 10000, "lineType": "Item",
				"lineObjectNumber": p.SKU, "description": p.Name,
				"quantity": units(l.Quantity), "unitOfMeasureCode": "PCS",
			}})
		}
		e.nav = map[string][]entity{"salesShipmentLines": lines}
		out = append(out, e)
	}
	return out
}

// units writes a whole quantity as a decimal.
func units(q int64) decimal { return decimal(strconv.FormatInt(q, 10)) }

// dateOf returns the Edm.Date of t in UTC.
func dateOf(t time.Time) dateOnly {
	return dateOnly(t.UTC().Format(time.DateOnly))
}
