package sapsandbox

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// Fixed organisational values of the sandbox's sales documents, and the
// condition types of its pricing: PPR0 is the item's price, RB00 a
// discount of a fixed amount on the item.
const (
	salesOrgSandbox    = "1010"
	distChannelSandbox = "10"
	divisionSandbox    = "00"
	unitPiece          = "PC"
	conditionPrice     = "PPR0"
	conditionDiscount  = "RB00"
)

// etagOf writes an ETag from a modification time, as SAP Gateway derives
// one from a last-change timestamp.
func etagOf(t time.Time) string {
	return fmt.Sprintf(`W/"datetimeoffset'%s'"`, t.UTC().Format("2006-01-02T15:04:05Z"))
}

// itemNumber is the number of the i-th item of a sales document: 10, 20, …
func itemNumber(i int) string { return strconv.Itoa((i + 1) * 10) }

// salesOrders lists every sales order of the model as A_SalesOrder.
func (s *Server) salesOrders() []entity {
	orders := s.model.SalesOrders()
	shipped := s.shippedQuantities()
	out := make([]entity, 0, len(orders))
	for _, o := range orders {
		out = append(out, s.salesOrderEntity(o, shipped[o.ID]))
	}
	return out
}

// salesOrderEntity renders o with the quantities shipped of each of its
// products. Its statuses follow its items: delivered in part or in full,
// rejected in part or in full (a cancelled order has every item rejected).
// As in SAP, the net amount of the order leaves rejected items out.
func (s *Server) salesOrderEntity(o erpsandbox.SalesOrder, shipped map[int64]int64) entity {
	created, _ := dayOf(o.Created)
	changed, _ := dayOf(o.Modified)
	ordered, _ := dayOf(o.OrderedAt)
	id := strconv.FormatInt(o.ID, 10)

	items := s.salesOrderItems(o, shipped)
	e := entity{etag: etagOf(o.Modified), props: map[string]any{
		"SalesOrder":                    id,
		"SalesOrderType":                "OR",
		"SalesOrganization":             salesOrgSandbox,
		"DistributionChannel":           distChannelSandbox,
		"OrganizationDivision":          divisionSandbox,
		"SoldToParty":                   strconv.FormatInt(o.CustomerID, 10),
		"PurchaseOrderByCustomer":       o.ExternalRef,
		"CustomerPurchaseOrderDate":     ordered,
		"TransactionCurrency":           o.Currency,
		"TotalNetAmount":                decimal(money.Decimal(openTotal(o, items), o.Currency)),
		"OverallSDProcessStatus":        overallStatus(items, "SDProcessStatus"),
		"OverallSDDocumentRejectionSts": rejectionStatus(items),
		"OverallTotalDeliveryStatus":    overallStatus(items, "DeliveryStatus"),
		"CreationDate":                  created,
		"LastChangeDate":                changed,
		"LastChangeDateTime":            dateTimeOffset(o.Modified),
	}}
	e.navs = map[string][]entity{"to_Item": items}
	return e
}

// salesOrderItems renders the lines of o, handing the shipped quantities
// of each product out to its lines in order.
func (s *Server) salesOrderItems(o erpsandbox.SalesOrder, shipped map[int64]int64) []entity {
	left := map[int64]int64{}
	maps.Copy(left, shipped)
	items := make([]entity, 0, len(o.Lines))
	for i, l := range o.Lines {
		delivered := min(left[l.ProductID], l.Quantity)
		left[l.ProductID] -= delivered
		items = append(items, s.salesOrderItem(o, i, l, delivered))
	}
	return items
}

func (s *Server) salesOrderItem(o erpsandbox.SalesOrder, i int, l erpsandbox.OrderLine,
	delivered int64) entity {
	id := strconv.FormatInt(o.ID, 10)
	p, _ := s.model.Product(l.ProductID)
	reason := s.rejected.reason(o.ID, itemNumber(i))
	if reason == "" && o.State == erpsandbox.OrderCancelled {
		reason = reasonCode(o.CancelReason)
	}
	net, _ := multiply(l.Quantity, l.UnitPriceMinor)

	delivery := progress(delivered, l.Quantity)
	process := delivery
	if reason != "" {
		process = "C"
	}
	return entity{etag: etagOf(o.Modified), props: map[string]any{
		"SalesOrder":              id,
		"SalesOrderItem":          itemNumber(i),
		"Material":                p.SKU,
		"SalesOrderItemText":      l.Description,
		"RequestedQuantity":       decimal(strconv.FormatInt(l.Quantity, 10)),
		"RequestedQuantityUnit":   unitPiece,
		"NetAmount":               decimal(money.Decimal(net, o.Currency)),
		"TransactionCurrency":     o.Currency,
		"SalesDocumentRjcnReason": reason,
		"SDProcessStatus":         process,
		"DeliveryStatus":          delivery,
	}, navs: map[string][]entity{"to_PricingElement": pricingElements(o, i, l, net)}}
}

// pricingElements renders the conditions of a line: its PPR0 price, and
// for a line of negative amount (a discount) a zero price and an RB00
// discount of the line's amount.
func pricingElements(o erpsandbox.SalesOrder, i int, l erpsandbox.OrderLine,
	net int64) []entity {
	element := func(step, conditionType string, rate int64) entity {
		return entity{props: map[string]any{
			"SalesOrder":              strconv.FormatInt(o.ID, 10),
			"SalesOrderItem":          itemNumber(i),
			"PricingProcedureStep":    step,
			"PricingProcedureCounter": "001",
			"ConditionType":           conditionType,
			"ConditionRateValue":      decimal(money.Decimal(rate, o.Currency)),
			"ConditionCurrency":       o.Currency,
			"ConditionQuantity":       decimal("1"),
		}}
	}
	if l.UnitPriceMinor >= 0 {
		return []entity{element("010", conditionPrice, l.UnitPriceMinor)}
	}
	return []entity{element("010", conditionPrice, 0), element("100", conditionDiscount, net)}
}

// openTotal sums the net amounts of the lines of o whose items are not
// rejected.
func openTotal(o erpsandbox.SalesOrder, items []entity) int64 {
	total := int64(0)
	for i, l := range o.Lines {
		if str(items[i].props["SalesDocumentRjcnReason"]) == "" {
			net, _ := multiply(l.Quantity, l.UnitPriceMinor)
			total += net
		}
	}
	return total
}

// progress is SAP's status of a quantity done out of a whole: A for none,
// B for part, C for all.
func progress(done, whole int64) string {
	switch {
	case done <= 0:
		return "A"
	case done < whole:
		return "B"
	}
	return "C"
}

// overallStatus sums the status field of the items up: A when all are A,
// C when all are C, else B.
func overallStatus(items []entity, field string) string {
	seen := map[string]bool{}
	for _, item := range items {
		seen[str(item.props[field])] = true
	}
	switch {
	case len(seen) == 1 && seen["A"]:
		return "A"
	case len(seen) == 1 && seen["C"]:
		return "C"
	}
	return "B"
}

// rejectionStatus is A when no item is rejected, C when all are, else B.
func rejectionStatus(items []entity) string {
	rejected := 0
	for _, item := range items {
		if str(item.props["SalesDocumentRjcnReason"]) != "" {
			rejected++
		}
	}
	switch rejected {
	case 0:
		return "A"
	case len(items):
		return "C"
	}
	return "B"
}

// reasonCode is the rejection reason of the items of a cancelled order:
// the model's reason, or 00 (assigned by the system) when it has none.
func reasonCode(reason string) string {
	if reason == "" {
		return "00"
	}
	return reason
}

func multiply(q, unit int64) (int64, bool) {
	if q != 0 && (q*unit)/q != unit {
		return 0, false
	}
	return q * unit, true
}

// createSalesOrder books a deep insert of A_SalesOrder with its to_Item.
// Item prices come from a PPR0 pricing element when the item has one, else
// from the product's price, as SAP's pricing would determine it; an RB00
// element takes a fixed amount off the item. The order's net amount is the
// sum of its items' net amounts.
func (s *Server) createSalesOrder(body map[string]any) (entity, error) {
	o := erpsandbox.SalesOrder{State: erpsandbox.OrderConfirmed}
	customer := str(body["SoldToParty"])
	id, err := strconv.ParseInt(customer, 10, 64)
	if _, ok := s.model.Customer(id); err != nil || !ok {
		return entity{}, &odataError{status: http.StatusBadRequest, code: "VP/112",
			message: fmt.Sprintf("Customer %s is not defined in sales area %s/%s/%s",
				customer, salesOrgSandbox, distChannelSandbox, divisionSandbox),
			target: "SoldToParty"}
	}
	o.CustomerID = id
	o.ExternalRef = str(body["PurchaseOrderByCustomer"])
	o.Currency = strings.ToUpper(str(body["TransactionCurrency"]))
	if o.Currency == "" {
		o.Currency = s.currency
	}
	if v := str(body["CustomerPurchaseOrderDate"]); v != "" {
		if o.OrderedAt, err = parseJSONDate(v); err != nil {
			return entity{}, badRequest("Invalid value of property 'CustomerPurchaseOrderDate'")
		}
	}

	items, _ := body["to_Item"].([]any)
	if len(items) == 0 {
		return entity{}, &odataError{status: http.StatusBadRequest, code: "V1/555",
			message: "The sales document is not complete: no items"}
	}
	for i, raw := range items {
		line, err := s.orderLine(i, raw.(map[string]any), o.Currency)
		if err != nil {
			return entity{}, err
		}
		o.Lines = append(o.Lines, line)
	}

	stored, err := s.model.CreateSalesOrder(o)
	if err != nil {
		return entity{}, modelError(err)
	}
	return s.salesOrderEntity(stored, nil), nil
}

// orderLine reads the i-th item of a deep insert.
func (s *Server) orderLine(i int, item map[string]any, currency string) (erpsandbox.OrderLine,
	error) {
	material := str(item["Material"])
	p, ok := s.model.ProductBySKU(material)
	if !ok {
		return erpsandbox.OrderLine{}, &odataError{status: http.StatusBadRequest, code: "M3/305",
			message: fmt.Sprintf("The material %s does not exist or is not activated", material),
			target:  fmt.Sprintf("to_Item(%d)/Material", i)}
	}
	qty, err := parseQuantity(item["RequestedQuantity"])
	if err != nil || qty <= 0 {
		return erpsandbox.OrderLine{}, &odataError{status: http.StatusBadRequest, code: "V1/331",
			message: fmt.Sprintf("Enter a positive order quantity for item %s", itemNumber(i)),
			target:  fmt.Sprintf("to_Item(%d)/RequestedQuantity", i)}
	}

	unit, err := itemPrice(i, item, p.PriceMinor, qty, currency)
	if err != nil {
		return erpsandbox.OrderLine{}, err
	}
	return erpsandbox.OrderLine{ProductID: p.ID, Quantity: qty, UnitPriceMinor: unit,
		Description: str(item["SalesOrderItemText"])}, nil
}

// itemPrice prices the i-th item of qty units from its pricing elements:
// the PPR0 price per unit (list, the product's price, when there is none),
// less the RB00 discounts, each a fixed amount for the item. It returns the
// net amount per unit, which the quantity must divide.
func itemPrice(i int, item map[string]any, list, qty int64, currency string) (int64,
	error) {
	price, discount := list, int64(0)
	elements, _ := item["to_PricingElement"].([]any)
	for _, raw := range elements {
		el := raw.(map[string]any)
		kind, rate := str(el["ConditionType"]), str(el["ConditionRateValue"])
		if kind != conditionPrice && kind != conditionDiscount {
			continue
		}
		amount, err := money.ParseMinor(rate, currency)
		if err != nil {
			return 0, badRequest("Invalid condition amount %q for item %s", rate, itemNumber(i))
		}
		switch {
		case kind == conditionPrice && amount < 0:
			return 0, pricingError(i, "Condition PPR0 may not be negative")
		case kind == conditionPrice:
			price = amount
		case amount > 0:
			return 0, pricingError(i, "Condition RB00 is a discount and must be negative")
		default:
			discount += amount
		}
	}

	net, ok := multiply(qty, price)
	if !ok || (net+discount)%qty != 0 {
		return 0, pricingError(i, "The net value does not split evenly over the quantity")
	}
	return (net + discount) / qty, nil
}

func pricingError(i int, message string) error {
	e := badRequest("Item %s: %s", itemNumber(i), message)
	e.target = fmt.Sprintf("to_Item(%d)/to_PricingElement", i)
	return e
}

// modelError turns an error of the model into an OData error.
func modelError(err error) error {
	switch {
	case errors.Is(err, erpsandbox.ErrNotFound):
		return notFound("%s", err.Error())
	case errors.Is(err, erpsandbox.ErrInvalid), errors.Is(err, erpsandbox.ErrState):
		return badRequest("%s", err.Error())
	}
	return err
}

// str reads a JSON value as a string: strings as they are, numbers in
// their decimal form, anything else empty.
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return ""
}
