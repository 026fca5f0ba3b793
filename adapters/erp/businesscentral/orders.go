package businesscentral

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxExternalRef is the length of externalDocumentNumber, the "External
// Document No." of Business Central's sales header.
const maxExternalRef = 35

// salesOrder is the part of a salesOrders entity the adapter reads; a
// request selects the fields it needs.
type salesOrder struct {
	ETag                    string  `json:"@odata.etag"`
	ID                      string  `json:"id"`
	Number                  string  `json:"number"`
	ExternalDocumentNumber  string  `json:"externalDocumentNumber"`
	CustomerID              string  `json:"customerId"`
	CurrencyCode            string  `json:"currencyCode"`
	OrderDate               string  `json:"orderDate"`
	TotalAmountIncludingTax numeric `json:"totalAmountIncludingTax"`
	LastModifiedDateTime    string  `json:"lastModifiedDateTime"`
}

// FindSalesOrder looks up the salesOrders entity whose
// externalDocumentNumber is externalRef (Business Central compares it
// without regard to case, and keeps it upper-case). When several carry it,
// the first in Business Central's order (by document number) wins and the
// duplicates are logged. A reference longer than 35 characters cannot be
// stored, so it is an InvalidError rather than "not found". An order that
// was cancelled in Business Central was deleted, so it is not found.
func (c *Client) FindSalesOrder(ctx context.Context, externalRef string) (
	ref erp.SalesOrderRef, found bool, err error) {
	defer syncerr.Wrap(&err, "find business central sales order for %q", externalRef)
	if err := checkExternalRef(externalRef); err != nil {
		return erp.SalesOrderRef{}, false, err
	}

	orders, err := getAll[salesOrder](ctx, c, c.entityURL("salesOrders", url.Values{
		"$filter": {"externalDocumentNumber eq " + quote(externalRef)},
		"$select": {"id,number,externalDocumentNumber"},
	}))
	if err != nil || len(orders) == 0 {
		return erp.SalesOrderRef{}, false, err
	}
	if len(orders) > 1 {
		c.log.Warn("business central has several sales orders for one external reference",
			zap.String(fieldExternalRef, externalRef), zap.Int(fieldCount, len(orders)))
	}
	return erp.SalesOrderRef{ID: orders[0].ID, Number: orders[0].Number}, true, nil
}

// checkExternalRef checks that ref can be stored in externalDocumentNumber.
func checkExternalRef(ref string) error {
	switch n := utf8.RuneCountInString(ref); {
	case n == 0:
		return syncerr.Invalid("external_ref", "is empty")
	case n > maxExternalRef:
		return syncerr.Invalid("external_ref", "%q has %d characters; business central's "+
			"externalDocumentNumber holds at most %d", ref, n, maxExternalRef)
	}
	return nil
}

// CreateSalesOrder creates order as a salesOrders entity with its lines in
// one deep insert: lines of type Item, by item number, for products and the
// service items of charges alike. It checks the order and resolves every
// SKU and the customer before it creates anything; an unknown SKU is a
// [syncerr.InvalidError] on "lines[<i>].sku". The customer
// is matched by e-mail and created when missing. It is not idempotent: the
// caller checks with FindSalesOrder first, under one writer per order, and
// when the answer to the create is lost, the next FindSalesOrder finds the
// order.
func (c *Client) CreateSalesOrder(ctx context.Context, order erp.SalesOrder) (
	ref erp.SalesOrderRef, err error) {
	defer syncerr.Wrap(&err, "create business central sales order for %q", order.ExternalRef)
	if err := validate(order); err != nil {
		return erp.SalesOrderRef{}, err
	}

	items, err := c.itemNumbers(ctx, order.Lines)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}
	customer, err := c.orderCustomer(ctx, order.Customer)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}

	var created salesOrder
	err = c.do(ctx, request{method: http.MethodPost, url: c.entityURL("salesOrders", nil),
		body: orderBody(order, customer.ID, items)}, &created)
	if err != nil {
		return erp.SalesOrderRef{}, err
	}
	c.log.Info("business central sales order created",
		zap.String(fieldExternalRef, order.ExternalRef), zap.String(fieldOrderID, created.ID))
	return erp.SalesOrderRef{ID: created.ID, Number: created.Number}, nil
}

// validate checks what Business Central cannot be asked to fix: the fields every order
// needs, and a reference that fits.
func validate(o erp.SalesOrder) error {
	if err := o.Check(); err != nil {
		return err
	}
	return checkExternalRef(o.ExternalRef)
}

// orderBody builds the deep insert of a sales order. Charges (shipping, a
// discount, tax) are Item lines on the merchant's service items, a discount
// at a negative unit price, so that Business Central's total is the sum of
// all lines; ShippingMinor is informational and not sent. Prices are JSON
// numbers written from the decimal text of their minor units, never through
// a float.
func orderBody(o erp.SalesOrder, customerID string, items map[string]string) map[string]any {
	body := map[string]any{
		"customerId":             customerID,
		"externalDocumentNumber": o.ExternalRef,
		"currencyCode":           o.Currency,
		"salesOrderLines":        itemLines(o.Lines, o.Currency, items),
	}
	if !o.OrderedAt.IsZero() {
		body["orderDate"] = o.OrderedAt.UTC().Format("2006-01-02")
	}
	return body
}

// itemLines builds the lines of a deep insert: each an Item line by the
// item number of its SKU in items.
func itemLines(lines []erp.Line, currency string, items map[string]string) []map[string]any {
	out := make([]map[string]any, len(lines))
	for i, l := range lines {
		line := map[string]any{
			"lineType":         "Item",
			"lineObjectNumber": items[strings.ToUpper(l.SKU)],
			"quantity":         l.Quantity,
			"unitPrice":        json.Number(money.Decimal(l.UnitPriceMinor, currency)),
		}
		if l.Description != "" {
			line["description"] = l.Description
		}
		out[i] = line
	}
	return out
}

// item is the part of an items entity the adapter reads.
type item struct {
	ID                   string      `json:"id"`
	Number               string      `json:"number"`
	DisplayName          string      `json:"displayName"`
	Type                 string      `json:"type"`
	Blocked              bool        `json:"blocked"`
	Inventory            numeric     `json:"inventory"`
	UnitPrice            json.Number `json:"unitPrice"`
	LastModifiedDateTime string      `json:"lastModifiedDateTime"`
}

// skusPerQuery bounds the SKUs of one items look-up, keeping URLs short.
const skusPerQuery = 20

// itemNumbers resolves the SKUs of lines to item numbers, keyed by the SKU
// in upper case (item numbers are upper-case Code fields in Business
// Central). The first line with an unknown SKU is a [syncerr.InvalidError]
// on "lines[<i>].sku".
func (c *Client) itemNumbers(ctx context.Context, lines []erp.Line) (map[string]string, error) {
	var skus []string
	seen := map[string]bool{}
	for _, l := range lines {
		if sku := strings.ToUpper(l.SKU); !seen[sku] {
			seen[sku] = true
			skus = append(skus, l.SKU)
		}
	}

	numbers := map[string]string{}
	for start := 0; start < len(skus); start += skusPerQuery {
		chunk := skus[start:min(start+skusPerQuery, len(skus))]
		items, err := getAll[item](ctx, c, c.entityURL("items", url.Values{
			"$filter": {anyOf("number", chunk)}, "$select": {"id,number"},
		}))
		if err != nil {
			return nil, fmt.Errorf("resolve skus: %w", err)
		}
		for _, it := range items {
			numbers[strings.ToUpper(it.Number)] = it.Number
		}
	}

	for i, l := range lines {
		if _, ok := numbers[strings.ToUpper(l.SKU)]; !ok {
			return nil, syncerr.Invalid(fmt.Sprintf("lines[%d].sku", i),
				"sku %q is not an item in business central", l.SKU)
		}
	}
	return numbers, nil
}

// orderCustomer finds the customer of an order by e-mail, or creates it.
// Two calls for one new customer at the same moment would both create it:
// the caller makes the calls for one e-mail take turns.
func (c *Client) orderCustomer(ctx context.Context, cust erp.Customer) (customer, error) {
	found, ok, err := c.findCustomer(ctx, "email eq "+quote(cust.Email))
	if err != nil || ok {
		return found, err
	}

	// An external id too long for the customer number is left out here,
	// rather than failing the order over a customer field.
	if utf8.RuneCountInString(cust.ExternalID) > maxCustomerNumber {
		cust.ExternalID = ""
	}
	created, err := c.createCustomer(ctx, cust)
	if err != nil {
		return customer{}, fmt.Errorf("create customer: %w", err)
	}
	return created, nil
}
