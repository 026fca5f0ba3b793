package sap

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

const (
	serviceSalesOrder = "API_SALES_ORDER_SRV"
	setSalesOrder     = "A_SalesOrder"

	// maxPurchaseOrderRef is the length of PurchaseOrderByCustomer.
	maxPurchaseOrderRef = 35

	// maxItemText is the length of SalesOrderItemText.
	maxItemText = 40

	// conditionPrice is the pricing condition type of a manual item price,
	// conditionDiscount that of a discount of a fixed amount on an item.
	conditionPrice    = "PPR0"
	conditionDiscount = "RB00"
)

// orderRow is the part of an A_SalesOrder the adapter reads.
type orderRow struct {
	SalesOrder              string `json:"SalesOrder"`
	PurchaseOrderByCustomer string `json:"PurchaseOrderByCustomer"`
}

// FindSalesOrder looks up the A_SalesOrder whose PurchaseOrderByCustomer is
// externalRef, taking the first in SAP's order of sales order numbers when
// several carry it (duplicates are logged). A reference longer than the
// field's 35 characters can never have been stored and is an
// [syncerr.InvalidError].
func (c *Client) FindSalesOrder(ctx context.Context, externalRef string) (
	ref erp.SalesOrderRef, found bool, err error) {
	defer syncerr.Wrap(&err, "find sap sales order for %q", externalRef)
	if err := checkExternalRef(externalRef); err != nil {
		return erp.SalesOrderRef{}, false, err
	}

	var page collection[orderRow]
	err = c.odata.do(ctx, call{method: http.MethodGet, service: serviceSalesOrder,
		path: setSalesOrder, query: []param{
			{"$filter", "PurchaseOrderByCustomer eq " + quote(externalRef)},
			{"$select", "SalesOrder,PurchaseOrderByCustomer"},
			{"$orderby", "SalesOrder"},
			{"$top", "10"},
		}}, &page)
	if err != nil {
		return erp.SalesOrderRef{}, false, err
	}

	var matches []orderRow
	for _, o := range page.Results {
		if o.PurchaseOrderByCustomer == externalRef {
			matches = append(matches, o)
		}
	}
	if len(matches) == 0 {
		return erp.SalesOrderRef{}, false, nil
	}
	if len(matches) > 1 {
		c.log.Warn("sap has several sales orders for one external reference",
			zap.String(fieldExternalRef, externalRef), zap.Int(fieldCount, len(matches)))
	}
	return orderRef(matches[0].SalesOrder), true, nil
}

func checkExternalRef(ref string) error {
	switch n := utf8.RuneCountInString(ref); {
	case n == 0:
		return syncerr.Invalid("external_ref", "is empty")
	case n > maxPurchaseOrderRef:
		return syncerr.Invalid("external_ref",
			"%q has %d characters; sap keeps it in PurchaseOrderByCustomer, "+
				"which holds at most %d", ref, n, maxPurchaseOrderRef)
	}
	return nil
}

func orderRef(id string) erp.SalesOrderRef {
	return erp.SalesOrderRef{ID: id, Number: id}
}

// CreateSalesOrder creates order as an A_SalesOrder by deep insert with
// its items, each priced by a manual PPR0 condition at the store's unit
// price. Shipping and tax lines are items on the merchant's service
// materials priced the same way; a discount line is an item on the discount
// material priced at zero with a manual RB00 condition of its (negative)
// amount, so that SAP's net amount of the order is the sum of all lines.
// It checks the order and resolves every SKU before it creates anything;
// an unknown SKU is a [syncerr.InvalidError] on "lines[<i>].sku".
// The customer is matched by e-mail and created as a business partner when
// missing. SAP has no idempotent create: the caller checks with
// FindSalesOrder first, under one writer per order, and a create whose
// answer was lost is found by the next FindSalesOrder.
func (c *Client) CreateSalesOrder(ctx context.Context, order erp.SalesOrder) (
	ref erp.SalesOrderRef, err error) {
	defer syncerr.Wrap(&err, "create sap sales order for %q", order.ExternalRef)
	if err := validateOrder(order); err != nil {
		return erp.SalesOrderRef{}, err
	}

	if err := c.checkSKUs(ctx, order.Lines); err != nil {
		return erp.SalesOrderRef{}, err
	}
	partner, err := c.partnerFor(ctx, order.Customer, order.Currency)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}

	var created orderRow
	err = c.odata.do(ctx, call{method: http.MethodPost, service: serviceSalesOrder,
		path: setSalesOrder, body: c.orderBody(order, partner)}, &created)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}
	if created.SalesOrder == "" {
		return erp.SalesOrderRef{}, fmt.Errorf("sap answered no sales order number: %w",
			syncerr.ErrUnavailable)
	}
	c.log.Info("sap sales order created", zap.String(fieldExternalRef, order.ExternalRef),
		zap.String(fieldOrderID, created.SalesOrder), zap.Int(fieldCount, len(order.Lines)))
	return orderRef(created.SalesOrder), nil
}

// validateOrder checks what SAP cannot be asked to fix: the fields every order
// needs, a reference that fits, and prices of the right sign: negative on
// discount lines only.
func validateOrder(o erp.SalesOrder) error {
	if err := o.Check(); err != nil {
		return err
	}
	for i, l := range o.Lines {
		if err := checkLine(i, l); err != nil {
			return err
		}
	}
	return checkExternalRef(o.ExternalRef)
}

func checkLine(i int, l erp.Line) error {
	field := fmt.Sprintf("lines[%d].unit_price_minor", i)
	switch l.Kind {
	case erp.LineProduct, erp.LineShipping, erp.LineTax:
		if l.UnitPriceMinor < 0 {
			return syncerr.Invalid(field, "%d is negative on a line of kind %q; only "+
				"discount lines take negative prices", l.UnitPriceMinor, l.Kind)
		}
	case erp.LineDiscount:
		if l.UnitPriceMinor > 0 {
			return syncerr.Invalid(field, "%d is positive on a discount line",
				l.UnitPriceMinor)
		}
		if amount := l.Quantity * l.UnitPriceMinor; l.UnitPriceMinor != 0 &&
			amount/l.UnitPriceMinor != l.Quantity {
			return syncerr.Invalid(field, "%d times %d is out of range", l.Quantity,
				l.UnitPriceMinor)
		}
	default:
		return syncerr.Invalid(fmt.Sprintf("lines[%d].kind", i), "%q is not a kind of "+
			"sales order line", l.Kind)
	}
	return nil
}

// orderBody builds the deep insert of A_SalesOrder. Amounts are decimal
// strings written from minor units, never through a float.
//
// TODO: tax arrives as an item on the merchant's tax material at the
// store's amount, and SAP's own output tax is not determined from it; the
// tax material needs a tax classification under which SAP adds no tax.
func (c *Client) orderBody(o erp.SalesOrder, partner string) map[string]any {
	items := make([]map[string]any, len(o.Lines))
	for i, l := range o.Lines {
		item := map[string]any{
			"SalesOrderItem":    strconv.Itoa((i + 1) * 10),
			"Material":          l.SKU,
			"RequestedQuantity": strconv.FormatInt(l.Quantity, 10),
			"to_PricingElement": map[string]any{"results": conditions(l, o.Currency)},
		}
		if l.Description != "" {
			item["SalesOrderItemText"] = truncate(l.Description, maxItemText)
		}
		items[i] = item
	}

	body := map[string]any{
		"SalesOrderType":          c.orderType,
		"SalesOrganization":       c.area.org,
		"DistributionChannel":     c.area.channel,
		"OrganizationDivision":    c.area.division,
		"SoldToParty":             partner,
		"PurchaseOrderByCustomer": o.ExternalRef,
		"TransactionCurrency":     o.Currency,
		"to_Item":                 map[string]any{"results": items},
	}
	if !o.OrderedAt.IsZero() {
		body["CustomerPurchaseOrderDate"] = jsonDate(o.OrderedAt)
	}
	return body
}

// conditions are the manual pricing elements of a line's item: its PPR0
// price per unit, and for a discount a zero price and an RB00 discount of
// the line's whole amount, a fixed amount for the item. The caller checked
// that the amount fits an int64.
func conditions(l erp.Line, currency string) []map[string]any {
	condition := func(kind string, minor int64) map[string]any {
		return map[string]any{"ConditionType": kind,
			"ConditionRateValue": money.Decimal(minor, currency), "ConditionCurrency": currency}
	}
	if l.Kind != erp.LineDiscount {
		return []map[string]any{condition(conditionPrice, l.UnitPriceMinor)}
	}
	return []map[string]any{condition(conditionPrice, 0),
		condition(conditionDiscount, l.Quantity*l.UnitPriceMinor)}
}

// truncate shortens s to at most n characters.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
