package bigcommerce

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxPage is the most records a V2 page holds.
const maxPage = 250

// V2 order statuses that erpsync tells apart: an incomplete order's
// checkout did not finish (its payment failed, say), and a cancelled order
// is not to be fulfilled.
const (
	statusIncomplete = 0
	statusCancelled  = 5
)

// v2Order is the part of a V2 order that erpsync reads.
type v2Order struct {
	ID                  int64   `json:"id"`
	CustomerID          int64   `json:"customer_id"`
	DateCreated         string  `json:"date_created"`
	DateModified        string  `json:"date_modified"`
	StatusID            int     `json:"status_id"`
	StaffNotes          string  `json:"staff_notes"`
	CurrencyCode        string  `json:"currency_code"`
	DefaultCurrencyCode string  `json:"default_currency_code"`
	TaxInclusive        bool    `json:"is_tax_inclusive_pricing"`
	ShippingExTax       decimal `json:"shipping_cost_ex_tax"`
	ShippingIncTax      decimal `json:"shipping_cost_inc_tax"`
	HandlingExTax       decimal `json:"handling_cost_ex_tax"`
	HandlingIncTax      decimal `json:"handling_cost_inc_tax"`
	DiscountAmount      decimal `json:"discount_amount"`
	CouponDiscount      decimal `json:"coupon_discount"`
	TotalTax            decimal `json:"total_tax"`
	TotalIncTax         decimal `json:"total_inc_tax"`
	BillingAddress      address `json:"billing_address"`
}

// v2Product is the part of an order's line that erpsync reads.
type v2Product struct {
	ID              int64   `json:"id"`
	OrderAddressID  int64   `json:"order_address_id"`
	QuantityShipped int64   `json:"quantity_shipped"`
	SKU             string  `json:"sku"`
	Name            string  `json:"name"`
	Quantity        int64   `json:"quantity"`
	PriceExTax      decimal `json:"price_ex_tax"`
	PriceIncTax     decimal `json:"price_inc_tax"`
}

// address is a billing or shipping address of an order.
type address struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Street1     string `json:"street_1"`
	Street2     string `json:"street_2"`
	City        string `json:"city"`
	State       string `json:"state"`
	Zip         string `json:"zip"`
	CountryISO2 string `json:"country_iso2"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
}

// LoadOrder reads the order with its lines, its refunds (from the V3
// payment actions) and the ERP id written back to it. The shipping
// addresses are read too when the billing address lacks the e-mail or the
// street, as orders created through the API may. An order in status 5 is
// cancelled, with its staff notes as the reason, since BigCommerce keeps no
// reason of its own; every other status reads as open. An order BigCommerce
// does not have gives an error wrapping [syncerr.ErrNotFound]; an
// incomplete order (status 0, its checkout not finished) gives a
// [syncerr.InvalidError], since it must not reach the ERP.
func (s *Store) LoadOrder(ctx context.Context, orderID string) (o store.Order, err error) {
	defer syncerr.Wrap(&err, "load bigcommerce order %s", orderID)
	id, err := parseOrderID(orderID)
	if err != nil {
		return store.Order{}, err
	}

	var head v2Order
	if _, err := s.do(ctx, call{method: http.MethodGet, path: "/v2/orders/" + id},
		&head); err != nil {
		return store.Order{}, err
	}
	if head.ID == 0 {
		return store.Order{}, syncerr.Invalid("id", "bigcommerce answered an order without id")
	}
	lines, err := s.orderProducts(ctx, id)
	if err != nil {
		return store.Order{}, err
	}
	erp, err := s.erpMetafield(ctx, id)
	if err != nil {
		return store.Order{}, err
	}

	var ship *address
	if b := head.BillingAddress; b.Email == "" || b.Street1 == "" {
		if ship, err = s.shippingAddress(ctx, id); err != nil {
			return store.Order{}, err
		}
	}
	if o, err = mapOrder(head, lines, ship); err != nil {
		return store.Order{}, err
	}
	o.ERPID = erp.Value
	if o.Refunds, err = s.orderRefunds(ctx, id, o.Currency, lines, o.Lines); err != nil {
		return store.Order{}, err
	}
	return o, nil
}

// parseOrderID checks that id is a BigCommerce order id: a positive number.
func parseOrderID(id string) (string, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return "", syncerr.Invalid("order_id", "%q is not a bigcommerce order id", id)
	}
	return strconv.FormatInt(n, 10), nil
}

// orderProducts reads every line of the order, a page at a time until a
// short page or a 204.
func (s *Store) orderProducts(ctx context.Context, id string) ([]v2Product, error) {
	var all []v2Product
	for page := 1; ; page++ {
		var lines []v2Product
		q := url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(maxPage)}}
		status, err := s.do(ctx, call{method: http.MethodGet,
			path: "/v2/orders/" + id + "/products", query: q}, &lines)
		if err != nil {
			return nil, err
		}
		all = append(all, lines...)
		if status == http.StatusNoContent || len(lines) < maxPage {
			return all, nil
		}
	}
}

// shippingAddress reads the order's first shipping address, or nil when it
// has none.
func (s *Store) shippingAddress(ctx context.Context, id string) (*address, error) {
	var addrs []address
	_, err := s.do(ctx, call{method: http.MethodGet,
		path: "/v2/orders/" + id + "/shipping_addresses"}, &addrs)
	if err != nil || len(addrs) == 0 {
		return nil, err
	}
	return &addrs[0], nil
}

// mapOrder converts an order. Unit prices and shipping are taken with tax
// when the store's prices include it and without otherwise; the discount is
// the order's own (discount_amount) and its coupons' (coupon_discount),
// which BigCommerce also spreads over the lines' applied_discounts; handling
// counts as shipping. Amounts that cannot be read give an InvalidError
// naming the field; totals that do not add up are left to the caller.
//
// TODO: gift wrapping (wrapping_cost_*) and order fees have no place in
// store.Order, so an order that has them does not add up to its total and
// parks for a person to look at.
func mapOrder(h v2Order, lines []v2Product, ship *address) (store.Order, error) {
	cur := h.DefaultCurrencyCode
	if cur == "" {
		cur = h.CurrencyCode
	}
	if !money.ValidCurrency(cur) {
		return store.Order{}, syncerr.Invalid("currency_code", "%q is not a currency", cur)
	}
	if h.StatusID == statusIncomplete {
		return store.Order{}, syncerr.Invalid("status_id",
			"order %d is incomplete: its checkout did not finish", h.ID)
	}

	a := amounts{currency: cur}
	shipping, handling := h.ShippingExTax, h.HandlingExTax
	if h.TaxInclusive {
		shipping, handling = h.ShippingIncTax, h.HandlingIncTax
	}
	o := store.Order{
		ID: strconv.FormatInt(h.ID, 10), Number: strconv.FormatInt(h.ID, 10), Currency: cur,
		PlacedAt:  a.date("date_created", h.DateCreated),
		UpdatedAt: a.date("date_modified", h.DateModified),
		Customer:  mapCustomer(h, ship),
		ShippingMinor: a.read("shipping_cost", shipping) +
			a.read("handling_cost", handling),
		DiscountMinor: a.read("discount_amount", h.DiscountAmount) +
			a.read("coupon_discount", h.CouponDiscount),
		TaxMinor: a.read("total_tax", h.TotalTax), TaxesIncluded: h.TaxInclusive,
		TotalMinor: a.read("total_inc_tax", h.TotalIncTax),
		Status:     store.OrderOpen,
	}
	if h.StatusID == statusCancelled {
		o.Status, o.CancelReason = store.OrderCancelled, strings.TrimSpace(h.StaffNotes)
	}
	for i, l := range lines {
		price := l.PriceExTax
		if h.TaxInclusive {
			price = l.PriceIncTax
		}
		o.Lines = append(o.Lines, store.Line{SKU: strings.TrimSpace(l.SKU), Name: l.Name,
			Quantity: l.Quantity, UnitPriceMinor: a.read(lineField(i), price)})
	}
	return o, a.err
}

// lineField names the unit price of line i in errors.
func lineField(i int) string { return "products[" + strconv.Itoa(i) + "].price" }

// mapCustomer reads the buyer from the billing address, taking what it
// lacks from the shipping address. A guest (customer id 0) has no id.
func mapCustomer(h v2Order, ship *address) store.Customer {
	b := h.BillingAddress
	if ship != nil {
		fill := func(dst *string, v string) {
			if strings.TrimSpace(*dst) == "" {
				*dst = v
			}
		}
		fill(&b.Email, ship.Email)
		fill(&b.Phone, ship.Phone)
		if strings.TrimSpace(b.Street1) == "" {
			b.Street1, b.Street2, b.City = ship.Street1, ship.Street2, ship.City
			b.State, b.Zip, b.CountryISO2 = ship.State, ship.Zip, ship.CountryISO2
		}
	}

	c := store.Customer{Email: strings.TrimSpace(b.Email), FirstName: b.FirstName,
		LastName: b.LastName, Phone: b.Phone, Line1: b.Street1, Line2: b.Street2,
		City: b.City, PostalCode: b.Zip, Region: b.State, Country: b.CountryISO2}
	if h.CustomerID > 0 {
		c.ID = strconv.FormatInt(h.CustomerID, 10)
	}
	return c
}

// decimal is an amount as BigCommerce gives it: a string such as
// "225.0000", or a number.
type decimal string

// UnmarshalJSON reads a string, a number or null.
func (d *decimal) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*d = decimal(s)
		return nil
	}
	var n *json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	if n != nil {
		*d = decimal(n.String())
	}
	return nil
}

// amounts reads the amounts and dates of one record, keeping the first
// error, so that a mapping reads as a list of fields.
type amounts struct {
	currency string
	err      error
}

// read returns d in minor units; an empty amount is 0.
func (a *amounts) read(field string, d decimal) int64 {
	if strings.TrimSpace(string(d)) == "" {
		return 0
	}
	n, err := money.ParseMinor(string(d), a.currency)
	if err != nil && a.err == nil {
		a.err = syncerr.Invalid(field, "%q is not an amount in %s: %v", string(d),
			a.currency, err)
	}
	return n
}

// date reads a V2 date: RFC 2822, such as "Tue, 05 Mar 2019 21:40:11 +0000".
func (a *amounts) date(field, s string) time.Time {
	t, err := time.Parse(time.RFC1123Z, s)
	if err != nil && a.err == nil {
		a.err = syncerr.Invalid(field, "%q is not an RFC 2822 date", s)
	}
	return t.UTC()
}
