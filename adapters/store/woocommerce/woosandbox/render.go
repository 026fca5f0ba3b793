package woosandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// dateLayout is how WooCommerce writes dates: without a zone, the *_gmt
// ones in UTC and the others in the site's time zone (UTC here too).
const dateLayout = "2006-01-02T15:04:05"

// orderJSON is WooCommerce's order resource, in its order of members.
type orderJSON struct {
	ID                 int64              `json:"id"`
	ParentID           int64              `json:"parent_id"`
	Status             string             `json:"status"`
	Currency           string             `json:"currency"`
	Version            string             `json:"version"`
	PricesIncludeTax   bool               `json:"prices_include_tax"`
	DateCreated        string             `json:"date_created"`
	DateModified       string             `json:"date_modified"`
	DiscountTotal      string             `json:"discount_total"`
	DiscountTax        string             `json:"discount_tax"`
	ShippingTotal      string             `json:"shipping_total"`
	ShippingTax        string             `json:"shipping_tax"`
	CartTax            string             `json:"cart_tax"`
	Total              string             `json:"total"`
	TotalTax           string             `json:"total_tax"`
	CustomerID         int64              `json:"customer_id"`
	OrderKey           string             `json:"order_key"`
	Billing            addressJSON        `json:"billing"`
	Shipping           addressJSON        `json:"shipping"`
	PaymentMethod      string             `json:"payment_method"`
	PaymentMethodTitle string             `json:"payment_method_title"`
	TransactionID      string             `json:"transaction_id"`
	CreatedVia         string             `json:"created_via"`
	CustomerNote       string             `json:"customer_note"`
	DateCompleted      *string            `json:"date_completed"`
	DatePaid           string             `json:"date_paid"`
	Number             string             `json:"number"`
	MetaData           []metaJSON         `json:"meta_data"`
	LineItems          []lineItemJSON     `json:"line_items"`
	TaxLines           []taxLineJSON      `json:"tax_lines"`
	ShippingLines      []shippingLineJSON `json:"shipping_lines"`
	FeeLines           []any              `json:"fee_lines"`
	CouponLines        []couponLineJSON   `json:"coupon_lines"`
	Refunds            []orderRefundJSON  `json:"refunds"`
	PaymentURL         string             `json:"payment_url"`
	IsEditable         bool               `json:"is_editable"`
	NeedsPayment       bool               `json:"needs_payment"`
	NeedsProcessing    bool               `json:"needs_processing"`
	DateCreatedGMT     string             `json:"date_created_gmt"`
	DateModifiedGMT    string             `json:"date_modified_gmt"`
	DateCompletedGMT   *string            `json:"date_completed_gmt"`
	DatePaidGMT        string             `json:"date_paid_gmt"`
	CurrencySymbol     string             `json:"currency_symbol"`
	Links              links              `json:"_links"`
}

// addressJSON is a billing or shipping address; shipping has no email.
type addressJSON struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone"`
}

type metaJSON struct {
	ID    int64  `json:"id"`
	Key   string `json:"key"`
	Value string `json:"value"`
}

type taxJSON struct {
	ID       int64  `json:"id"`
	Total    string `json:"total"`
	Subtotal string `json:"subtotal,omitempty"`
}

type lineItemJSON struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	ProductID   int64       `json:"product_id"`
	VariationID int64       `json:"variation_id"`
	Quantity    int64       `json:"quantity"`
	TaxClass    string      `json:"tax_class"`
	Subtotal    string      `json:"subtotal"`
	SubtotalTax string      `json:"subtotal_tax"`
	Total       string      `json:"total"`
	TotalTax    string      `json:"total_tax"`
	Taxes       []taxJSON   `json:"taxes"`
	MetaData    []metaJSON  `json:"meta_data"`
	SKU         string      `json:"sku"`
	Price       json.Number `json:"price"`
	ParentName  *string     `json:"parent_name"`
}

type taxLineJSON struct {
	ID               int64      `json:"id"`
	RateCode         string     `json:"rate_code"`
	RateID           int64      `json:"rate_id"`
	Label            string     `json:"label"`
	Compound         bool       `json:"compound"`
	TaxTotal         string     `json:"tax_total"`
	ShippingTaxTotal string     `json:"shipping_tax_total"`
	MetaData         []metaJSON `json:"meta_data"`
}

type shippingLineJSON struct {
	ID          int64      `json:"id"`
	MethodTitle string     `json:"method_title"`
	MethodID    string     `json:"method_id"`
	InstanceID  string     `json:"instance_id"`
	Total       string     `json:"total"`
	TotalTax    string     `json:"total_tax"`
	Taxes       []taxJSON  `json:"taxes"`
	MetaData    []metaJSON `json:"meta_data"`
}

type couponLineJSON struct {
	ID          int64      `json:"id"`
	Code        string     `json:"code"`
	Discount    string     `json:"discount"`
	DiscountTax string     `json:"discount_tax"`
	MetaData    []metaJSON `json:"meta_data"`
}

type link struct {
	Href string `json:"href"`
}

type links struct {
	Self       []link `json:"self"`
	Collection []link `json:"collection"`
}

// sandboxTaxRate is the id of the one tax rate the sandbox charges.
const sandboxTaxRate = 1

// renderOrder returns o as WooCommerce shows it. WooCommerce keeps line
// amounts without tax and spreads an order's coupons over its lines, so
// the model's order discount is shared out over the lines by their gross
// amounts, and when prices include tax the tax is taken out of the lines
// and the shipping; the tax beyond the lines' is the shipping's.
func (s *Sandbox) renderOrder(o storesandbox.Order, site string) orderJSON {
	cur := o.Currency
	dec := func(minor int64) string { return money.Decimal(minor, cur) }
	created, modified := o.Created.Format(dateLayout), o.Modified.Format(dateLayout)

	discounts := shareDiscount(o)
	var lines []lineItemJSON
	var lineTax, discount int64
	for i, l := range o.Lines {
		lines = append(lines, s.renderLine(l, discounts[i], o.TaxesIncluded, cur))
		lineTax += l.TaxMinor
		discount += discounts[i]
	}
	shipTax := max(0, o.TaxMinor-lineTax)
	shipping := o.ShippingMinor
	if o.TaxesIncluded {
		shipping -= shipTax
	}

	out := orderJSON{
		ID: o.ID, Status: s.status(o), Currency: cur, Version: WooCommerceVersion,
		PricesIncludeTax: o.TaxesIncluded, DateCreated: created, DateModified: modified,
		DiscountTotal: dec(discount), DiscountTax: dec(0), ShippingTotal: dec(shipping),
		ShippingTax: dec(shipTax), CartTax: dec(lineTax), Total: dec(o.TotalMinor),
		TotalTax: dec(lineTax + shipTax), CustomerID: o.Customer.ID, OrderKey: orderKey(o.ID),
		Billing: billing(o.Customer), Shipping: shippingAddress(o.Customer),
		PaymentMethod: "bacs", PaymentMethodTitle: "Direct bank transfer",
		CreatedVia: "checkout", DatePaid: created, Number: strconv.FormatInt(o.Number, 10),
		MetaData: s.renderMeta(o.ID, o.Metafields), LineItems: lines, FeeLines: []any{},
		Refunds:         orderRefunds(o),
		NeedsProcessing: true, DateCreatedGMT: created, DateModifiedGMT: modified,
		DatePaidGMT: created, CurrencySymbol: currencyOf(cur).symbol,
		Links: itemLinks(site, "orders", o.ID),
	}
	out.TaxLines, out.ShippingLines, out.CouponLines = s.orderItems(o.ID, lineTax, shipTax,
		shipping, discount, cur)
	return out
}

// renderLine returns one line item with its share of the discounts.
func (s *Sandbox) renderLine(l storesandbox.Line, discount int64, taxIncluded bool,
	cur string) lineItemJSON {
	subtotal := l.Quantity * l.UnitPriceMinor
	if taxIncluded {
		subtotal -= l.TaxMinor
	}
	total := subtotal - discount
	tax := money.Decimal(l.TaxMinor, cur)

	var productID int64
	if p, ok := s.model.ProductBySKU(l.SKU); ok {
		productID = p.ID
	}
	item := lineItemJSON{
		ID: l.ID, Name: l.Name, ProductID: productID, Quantity: l.Quantity,
		Subtotal: money.Decimal(subtotal, cur), SubtotalTax: tax,
		Total: money.Decimal(total, cur), TotalTax: tax, Taxes: []taxJSON{},
		MetaData: []metaJSON{}, SKU: l.SKU, Price: unitPrice(total, l.Quantity, cur),
	}
	if l.TaxMinor != 0 {
		item.Taxes = []taxJSON{{ID: sandboxTaxRate, Total: tax, Subtotal: tax}}
	}
	return item
}

// shareDiscount returns each line's discount: its own, and its share of
// the order's by its gross amount, the cents left over going to the first
// lines.
func shareDiscount(o storesandbox.Order) []int64 {
	out := make([]int64, len(o.Lines))
	var gross int64
	for _, l := range o.Lines {
		gross += l.Quantity * l.UnitPriceMinor
	}
	left := o.DiscountMinor
	for i, l := range o.Lines {
		out[i] = l.DiscountMinor
		if gross > 0 {
			share := o.DiscountMinor * (l.Quantity * l.UnitPriceMinor) / gross
			out[i] += share
			left -= share
		}
	}
	for i := 0; left > 0 && len(out) > 0; i = (i + 1) % len(out) {
		out[i]++
		left--
	}
	return out
}

// unitPrice is WooCommerce's price of a line: its total over its
// quantity, a number that need not fall on a minor unit.
func unitPrice(total, qty int64, cur string) json.Number {
	if qty <= 0 {
		return "0"
	}
	r := new(big.Rat).SetFrac64(total, qty)
	r.Quo(r, new(big.Rat).SetInt64(pow10(money.Exponent(cur))))
	s := r.FloatString(money.Exponent(cur) + 4)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return json.Number(s)
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// orderItems returns the tax, shipping and coupon lines of an order.
func (s *Sandbox) orderItems(orderID, lineTax, shipTax, shipping, discount int64,
	cur string) ([]taxLineJSON, []shippingLineJSON, []couponLineJSON) {
	dec := func(minor int64) string { return money.Decimal(minor, cur) }
	taxes, ships, coupons := []taxLineJSON{}, []shippingLineJSON{}, []couponLineJSON{}

	if lineTax+shipTax != 0 {
		taxes = append(taxes, taxLineJSON{ID: s.itemID(orderID, "tax"),
			RateCode: "SANDBOX-TAX-1", RateID: sandboxTaxRate, Label: "Tax",
			TaxTotal: dec(lineTax), ShippingTaxTotal: dec(shipTax), MetaData: []metaJSON{}})
	}
	if shipping+shipTax != 0 {
		ship := shippingLineJSON{ID: s.itemID(orderID, "shipping"), MethodTitle: "Flat rate",
			MethodID: "flat_rate", InstanceID: "1", Total: dec(shipping), TotalTax: dec(shipTax),
			Taxes: []taxJSON{}, MetaData: []metaJSON{}}
		if shipTax != 0 {
			ship.Taxes = []taxJSON{{ID: sandboxTaxRate, Total: dec(shipTax)}}
		}
		ships = append(ships, ship)
	}
	if discount != 0 {
		coupons = append(coupons, couponLineJSON{ID: s.itemID(orderID, "coupon"),
			Code: "sandbox", Discount: dec(discount), DiscountTax: dec(0),
			MetaData: []metaJSON{}})
	}
	return taxes, ships, coupons
}

// itemKey names one of an order's shipping, tax or coupon lines.
type itemKey struct {
	order int64
	kind  string
}

// itemID returns the id of an order's line of kind, the same every time.
func (s *Sandbox) itemID(orderID int64, kind string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()

	k := itemKey{orderID, kind}
	if id, ok := s.items[k]; ok {
		return id
	}
	s.lastItem++
	s.items[k] = s.lastItem
	return s.lastItem
}

// metaIDs holds the ids of orders' meta entries: by order, then key.
type metaIDs map[int64]map[string]int64

// renderMeta returns the metafields of the order or customer with id as
// meta entries, in the order they were first seen. Orders and customers
// take their ids from one sequence, so their entries never mix.
func (s *Sandbox) renderMeta(id int64, fields map[string]string) []metaJSON {
	s.mu.Lock()
	defer s.mu.Unlock()

	ids := s.meta[id]
	if ids == nil {
		ids = map[string]int64{}
		s.meta[id] = ids
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	out := make([]metaJSON, 0, len(keys))
	for _, k := range keys {
		if fields[k] == "" {
			continue // a deleted entry
		}
		if ids[k] == 0 {
			s.lastItem++
			ids[k] = s.lastItem
		}
		out = append(out, metaJSON{ID: ids[k], Key: k, Value: fields[k]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// metaKey returns the key of the meta entry with id of an order or a
// customer, or "".
func (s *Sandbox) metaKey(ownerID, id int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.meta[ownerID] {
		if v == id {
			return k
		}
	}
	return ""
}

// orderKey returns a stable order key of the shape WooCommerce gives.
func orderKey(id int64) string {
	sum := sha256.Sum256([]byte("order-" + strconv.FormatInt(id, 10)))
	return "wc_order_" + hex.EncodeToString(sum[:])[:13]
}

func billing(c storesandbox.Customer) addressJSON {
	a := shippingAddress(c)
	a.Email = c.Email
	return a
}

func shippingAddress(c storesandbox.Customer) addressJSON {
	return addressJSON{FirstName: c.FirstName, LastName: c.LastName, Address1: c.Line1,
		Address2: c.Line2, City: c.City, State: c.Region, Postcode: c.PostalCode,
		Country: c.Country, Phone: c.Phone}
}

// itemLinks returns the _links of an item of a collection.
func itemLinks(site, collection string, id int64) links {
	base := site + apiPrefix + collection
	return links{Self: []link{{Href: base + "/" + strconv.FormatInt(id, 10)}},
		Collection: []link{{Href: base}}}
}
