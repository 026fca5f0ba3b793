package woocommerce

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// mapOrder converts WooCommerce's order into erpsync's. WooCommerce keeps
// line amounts without tax whatever the store's setting: when its prices
// include tax, the unit prices, the discount and the shipping are given
// with their tax, so that they add up to the total as [store.Order] says.
//
// TODO: fee lines (fee_lines) are not mapped: erpsync's order has no fee,
// and a fee is neither shipping nor a discount; an order with fees does
// not add up to its total, and its sync parks with that reason.
func mapOrder(o order) (store.Order, error) {
	p := amounts{currency: o.Currency}
	out := store.Order{
		ID:            strconv.FormatInt(o.ID, 10),
		Number:        orderNumber(o),
		Currency:      o.Currency,
		Customer:      customer(o),
		TotalMinor:    p.required("total", o.Total),
		TaxMinor:      p.optional("total_tax", o.TotalTax),
		DiscountMinor: p.optional("discount_total", o.DiscountTotal),
		ShippingMinor: p.optional("shipping_total", o.ShippingTotal),
		TaxesIncluded: o.PricesIncludeTax,
		ERPID:         metaValue(o.MetaData, MetaKeyERPID),
	}
	if o.PricesIncludeTax {
		out.DiscountMinor += p.optional("discount_tax", o.DiscountTax)
		out.ShippingMinor += p.optional("shipping_tax", o.ShippingTax)
	}
	for i, l := range o.LineItems {
		out.Lines = append(out.Lines, p.line(i, l, o.PricesIncludeTax))
	}
	if p.err != nil {
		return store.Order{}, p.err
	}

	var err error
	if out.PlacedAt, err = parseGMT("date_created_gmt", o.DateCreatedGMT); err != nil {
		return store.Order{}, err
	}
	if out.UpdatedAt, err = parseGMT("date_modified_gmt", o.DateModifiedGMT); err != nil {
		return store.Order{}, err
	}
	return out, nil
}

// amounts parses the decimal amounts of one order, keeping the first error.
type amounts struct {
	currency string
	err      error
}

// required parses an amount that must be given.
func (a *amounts) required(field, v string) int64 {
	if v == "" && a.err == nil {
		a.err = syncerr.Invalid(field, "is missing")
	}
	return a.optional(field, v)
}

// optional parses an amount that is 0 when not given.
func (a *amounts) optional(field, v string) int64 {
	if v == "" || a.err != nil {
		return 0
	}
	n, err := money.ParseMinor(v, a.currency)
	if err != nil {
		a.err = syncerr.Invalid(field, "%v", err)
	}
	return n
}

// line maps line item i. Its unit price is its subtotal (with its tax when
// prices include tax) over its quantity, rounded half up to a minor unit
// when it does not divide: WooCommerce's price field is a float after
// discounts.
func (a *amounts) line(i int, l line, taxIncluded bool) store.Line {
	field := fmt.Sprintf("line_items[%d]", i)
	qty, err := strconv.ParseInt(l.Quantity.String(), 10, 64)
	if err != nil && a.err == nil {
		a.err = syncerr.Invalid(field+".quantity", "%q is not a whole number", l.Quantity)
	}

	subtotal := a.required(field+".subtotal", l.Subtotal)
	if taxIncluded {
		subtotal += a.optional(field+".subtotal_tax", l.SubtotalTax)
	}
	return store.Line{SKU: l.SKU, Name: l.Name, Quantity: qty,
		UnitPriceMinor: divideRounded(subtotal, qty)}
}

// divideRounded returns n/d rounded half away from zero, or 0 when d is not
// positive (the line's quantity is then refused upstream).
func divideRounded(n, d int64) int64 {
	if d <= 0 {
		return 0
	}
	if n < 0 {
		return -divideRounded(-n, d)
	}
	return (2*n + d) / (2 * d)
}

// orderNumber returns the digits of the order's number, or its id when the
// number has none.
func orderNumber(o order) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, o.Number)
	if digits == "" {
		return strconv.FormatInt(o.ID, 10)
	}
	return digits
}

// customer maps the buyer: the billing contact and address, and the
// customer's id unless the order was placed as a guest.
func customer(o order) store.Customer {
	b := o.Billing
	c := store.Customer{
		Email: b.Email, FirstName: b.FirstName, LastName: b.LastName, Phone: b.Phone,
		Line1: b.Address1, Line2: b.Address2, City: b.City, PostalCode: b.Postcode,
		Region: b.State, Country: b.Country,
	}
	if o.CustomerID > 0 {
		c.ID = strconv.FormatInt(o.CustomerID, 10)
	}
	return c
}
