package sapsandbox

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// Fixed organisational values of the sandbox's sales documents.
const (
	salesOrgSandbox    = "1010"
	distChannelSandbox = "10"
	divisionSandbox    = "00"
	unitPiece          = "PC"
	conditionPrice     = "PPR0"
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
	out := make([]entity, 0, len(orders))
	for _, o := range orders {
		out = append(out, s.salesOrderEntity(o))
	}
	return out
}

func (s *Server) salesOrderEntity(o erpsandbox.SalesOrder) entity {
	status, rejection := "A", "A"
	if o.State == erpsandbox.OrderCancelled {
		status, rejection = "C", "C"
	}
	created, _ := dayOf(o.Created)
	changed, _ := dayOf(o.Modified)
	ordered, _ := dayOf(o.OrderedAt)
	id := strconv.FormatInt(o.ID, 10)

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
		"TotalNetAmount":                decimal(money.Decimal(o.TotalMinor, o.Currency)),
		"OverallSDProcessStatus":        status,
		"OverallSDDocumentRejectionSts": rejection,
		"CreationDate":                  created,
		"LastChangeDate":                changed,
		"LastChangeDateTime":            dateTimeOffset(o.Modified),
	}}

	items := make([]entity, 0, len(o.Lines))
	for i, l := range o.Lines {
		items = append(items, s.salesOrderItem(o, i, l))
	}
	e.navs = map[string][]entity{"to_Item": items}
	return e
}

func (s *Server) salesOrderItem(o erpsandbox.SalesOrder, i int, l erpsandbox.OrderLine) entity {
	id := strconv.FormatInt(o.ID, 10)
	p, _ := s.model.Product(l.ProductID)
	reason := ""
	if o.State == erpsandbox.OrderCancelled {
		reason = o.CancelReason
	}
	net, _ := multiply(l.Quantity, l.UnitPriceMinor)

	price := entity{props: map[string]any{
		"SalesOrder":              id,
		"SalesOrderItem":          itemNumber(i),
		"PricingProcedureStep":    "010",
		"PricingProcedureCounter": "001",
		"ConditionType":           conditionPrice,
		"ConditionRateValue":      decimal(money.Decimal(l.UnitPriceMinor, o.Currency)),
		"ConditionCurrency":       o.Currency,
		"ConditionQuantity":       decimal("1"),
	}}
	return entity{props: map[string]any{
		"SalesOrder":              id,
		"SalesOrderItem":          itemNumber(i),
		"Material":                p.SKU,
		"SalesOrderItemText":      l.Description,
		"RequestedQuantity":       decimal(strconv.FormatInt(l.Quantity, 10)),
		"RequestedQuantityUnit":   unitPiece,
		"NetAmount":               decimal(money.Decimal(net, o.Currency)),
		"TransactionCurrency":     o.Currency,
		"SalesDocumentRjcnReason": reason,
	}, navs: map[string][]entity{"to_PricingElement": {price}}}
}

func multiply(q, unit int64) (int64, bool) {
	if q != 0 && (q*unit)/q != unit {
		return 0, false
	}
	return q * unit, true
}

// createSalesOrder books a deep insert of A_SalesOrder with its to_Item.
// Item prices come from a PPR0 pricing element when the item has one, else
// from the product's price, as SAP's pricing would determine it.
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
	return s.salesOrderEntity(stored), nil
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

	price := p.PriceMinor
	elements, _ := item["to_PricingElement"].([]any)
	for _, raw := range elements {
		el := raw.(map[string]any)
		if str(el["ConditionType"]) != conditionPrice {
			continue
		}
		if price, err = money.ParseMinor(str(el["ConditionRateValue"]), currency); err != nil {
			return erpsandbox.OrderLine{}, badRequest("Invalid condition amount %q for item %s",
				str(el["ConditionRateValue"]), itemNumber(i))
		}
	}
	return erpsandbox.OrderLine{ProductID: p.ID, Quantity: qty, UnitPriceMinor: price,
		Description: str(item["SalesOrderItemText"])}, nil
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
