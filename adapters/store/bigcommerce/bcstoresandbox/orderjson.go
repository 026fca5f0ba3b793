package bcstoresandbox

import (
	"strconv"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// v2Order is an order as GET /v2/orders/{id} answers it. Money is in
// decimal strings with four places; "discount_amount" is the order's own
// discount and "coupon_discount" the coupons' on its lines.
type v2Order struct {
	ID           int64  `json:"id"`
	CustomerID   int64  `json:"customer_id"`
	DateCreated  string `json:"date_created"`
	DateModified string `json:"date_modified"`
	DateShipped  string `json:"date_shipped"`
	StatusID     int    `json:"status_id"`
	Status       string `json:"status"`
	CustomStatus string `json:"custom_status"`

	SubtotalExTax  string `json:"subtotal_ex_tax"`
	SubtotalIncTax string `json:"subtotal_inc_tax"`
	SubtotalTax    string `json:"subtotal_tax"`

	BaseShippingCost   string `json:"base_shipping_cost"`
	ShippingCostExTax  string `json:"shipping_cost_ex_tax"`
	ShippingCostIncTax string `json:"shipping_cost_inc_tax"`
	ShippingCostTax    string `json:"shipping_cost_tax"`
	BaseHandlingCost   string `json:"base_handling_cost"`
	HandlingCostExTax  string `json:"handling_cost_ex_tax"`
	HandlingCostIncTax string `json:"handling_cost_inc_tax"`
	HandlingCostTax    string `json:"handling_cost_tax"`
	BaseWrappingCost   string `json:"base_wrapping_cost"`
	WrappingCostExTax  string `json:"wrapping_cost_ex_tax"`
	WrappingCostIncTax string `json:"wrapping_cost_inc_tax"`
	WrappingCostTax    string `json:"wrapping_cost_tax"`

	TotalExTax            string `json:"total_ex_tax"`
	TotalIncTax           string `json:"total_inc_tax"`
	TotalTax              string `json:"total_tax"`
	IsTaxInclusivePricing bool   `json:"is_tax_inclusive_pricing"`
	DiscountAmount        string `json:"discount_amount"`
	CouponDiscount        string `json:"coupon_discount"`
	RefundedAmount        string `json:"refunded_amount"`
	StoreCreditAmount     string `json:"store_credit_amount"`
	GiftCertificateAmount string `json:"gift_certificate_amount"`

	ItemsTotal           int64  `json:"items_total"`
	ItemsShipped         int64  `json:"items_shipped"`
	PaymentMethod        string `json:"payment_method"`
	PaymentStatus        string `json:"payment_status"`
	OrderIsDigital       bool   `json:"order_is_digital"`
	CurrencyCode         string `json:"currency_code"`
	CurrencyExchangeRate string `json:"currency_exchange_rate"`
	DefaultCurrencyCode  string `json:"default_currency_code"`
	StaffNotes           string `json:"staff_notes"`
	CustomerMessage      string `json:"customer_message"`
	ShippingAddressCount int    `json:"shipping_address_count"`
	IsEmailOptIn         bool   `json:"is_email_opt_in"`
	OrderSource          string `json:"order_source"`
	ChannelID            int    `json:"channel_id"`
	ExternalSource       any    `json:"external_source"`
	ExternalID           any    `json:"external_id"`
	ExternalOrderID      string `json:"external_order_id"`
	CustomerLocale       string `json:"customer_locale"`

	BillingAddress    v2Address    `json:"billing_address"`
	Products          resourceLink `json:"products"`
	ShippingAddresses resourceLink `json:"shipping_addresses"`
	Coupons           resourceLink `json:"coupons"`
}

// v2Address is an order's billing or shipping address.
type v2Address struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Company     string `json:"company"`
	Street1     string `json:"street_1"`
	Street2     string `json:"street_2"`
	City        string `json:"city"`
	State       string `json:"state"`
	Zip         string `json:"zip"`
	Country     string `json:"country"`
	CountryISO2 string `json:"country_iso2"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
	FormFields  []any  `json:"form_fields"`
}

// resourceLink points at a sub-resource of an order.
type resourceLink struct {
	URL      string `json:"url"`
	Resource string `json:"resource"`
}

// v2Product is an order's line as GET /v2/orders/{id}/products answers it.
type v2Product struct {
	ID                    int64             `json:"id"`
	OrderID               int64             `json:"order_id"`
	ProductID             int64             `json:"product_id"`
	VariantID             int64             `json:"variant_id"`
	OrderAddressID        int64             `json:"order_address_id"`
	Name                  string            `json:"name"`
	NameCustomer          string            `json:"name_customer"`
	NameMerchant          string            `json:"name_merchant"`
	SKU                   string            `json:"sku"`
	Type                  string            `json:"type"`
	BasePrice             string            `json:"base_price"`
	PriceExTax            string            `json:"price_ex_tax"`
	PriceIncTax           string            `json:"price_inc_tax"`
	PriceTax              string            `json:"price_tax"`
	BaseTotal             string            `json:"base_total"`
	TotalExTax            string            `json:"total_ex_tax"`
	TotalIncTax           string            `json:"total_inc_tax"`
	TotalTax              string            `json:"total_tax"`
	Quantity              int64             `json:"quantity"`
	IsRefunded            bool              `json:"is_refunded"`
	QuantityRefunded      int64             `json:"quantity_refunded"`
	RefundAmount          string            `json:"refund_amount"`
	QuantityShipped       int64             `json:"quantity_shipped"`
	AppliedDiscounts      []appliedDiscount `json:"applied_discounts"`
	ProductOptions        []any             `json:"product_options"`
	DiscountedTotalIncTax string            `json:"discounted_total_inc_tax"`
}

// appliedDiscount is a discount on an order's line.
type appliedDiscount struct {
	ID     string  `json:"id"`
	Amount string  `json:"amount"`
	Name   string  `json:"name"`
	Code   *string `json:"code"`
	Target string  `json:"target"`
}

// v2ShippingAddress is an order's shipping address, with its cost.
type v2ShippingAddress struct {
	ID      int64 `json:"id"`
	OrderID int64 `json:"order_id"`
	v2Address

	ItemsTotal     int64        `json:"items_total"`
	BaseCost       string       `json:"base_cost"`
	CostExTax      string       `json:"cost_ex_tax"`
	CostIncTax     string       `json:"cost_inc_tax"`
	CostTax        string       `json:"cost_tax"`
	ShippingMethod string       `json:"shipping_method"`
	ShippingQuotes resourceLink `json:"shipping_quotes"`
}

// split is how an order's amounts divide between tax and the rest.
type split struct {
	linesEx, linesTax, shipEx, shipTax int64
}

// splitOrder computes the order's subtotal and shipping with and without
// tax. The model holds the tax of each line and of the whole order; the
// rest of the order's tax is the shipping's.
func splitOrder(o storesandbox.Order) split {
	var sp split
	for _, l := range o.Lines {
		sp.linesEx += l.Quantity * l.UnitPriceMinor
		sp.linesTax += l.TaxMinor
	}
	sp.shipEx = o.ShippingMinor
	sp.shipTax = max(0, o.TaxMinor-sp.linesTax)
	if o.TaxesIncluded {
		sp.linesEx -= sp.linesTax
		sp.shipEx -= sp.shipTax
	}
	return sp
}

// v2Order converts a model order; base is the scheme and host the request
// was sent to.
func (s *Sandbox) v2Order(o storesandbox.Order, base string) v2Order {
	cur := o.Currency
	m := func(minor int64) string { return amount(minor, cur) }
	sp := splitOrder(o)
	var items, couponMinor int64
	for _, l := range o.Lines {
		items += l.Quantity
		couponMinor += l.DiscountMinor
	}

	api := base + "/stores/" + s.creds.StoreHash + "/v2"
	link := func(sub string) resourceLink {
		res := "/orders/" + strconv.FormatInt(o.ID, 10) + "/" + sub
		return resourceLink{URL: api + res, Resource: res}
	}
	st := orderStatus(o)
	return v2Order{
		ID: o.ID, CustomerID: o.Customer.ID, DateCreated: rfc2822(o.Created),
		DateModified: rfc2822(o.Modified), DateShipped: s.dateShipped(o), StatusID: st.id,
		Status: st.name, CustomStatus: st.name, StaffNotes: s.staffNotes(o),

		SubtotalExTax: m(sp.linesEx), SubtotalIncTax: m(sp.linesEx + sp.linesTax),
		SubtotalTax: m(sp.linesTax), BaseShippingCost: m(o.ShippingMinor),
		ShippingCostExTax: m(sp.shipEx), ShippingCostIncTax: m(sp.shipEx + sp.shipTax),
		ShippingCostTax: m(sp.shipTax), BaseHandlingCost: m(0), HandlingCostExTax: m(0),
		HandlingCostIncTax: m(0), HandlingCostTax: m(0), BaseWrappingCost: m(0),
		WrappingCostExTax: m(0), WrappingCostIncTax: m(0), WrappingCostTax: m(0),

		TotalExTax: m(o.TotalMinor - o.TaxMinor), TotalIncTax: m(o.TotalMinor),
		TotalTax: m(o.TaxMinor), IsTaxInclusivePricing: o.TaxesIncluded,
		DiscountAmount: m(o.DiscountMinor), CouponDiscount: m(couponMinor),
		RefundedAmount: m(refunded(o)), StoreCreditAmount: m(0), GiftCertificateAmount: m(0),

		ItemsTotal: items, ItemsShipped: items - unshipped(o), PaymentMethod: "Credit Card",
		PaymentStatus: "captured",
		CurrencyCode:  cur, CurrencyExchangeRate: "1.0000000000", DefaultCurrencyCode: cur,
		ShippingAddressCount: 1, OrderSource: "www", ChannelID: 1, CustomerLocale: "en",
		BillingAddress: billingAddress(o.Customer),
		Products:       link("products"), ShippingAddresses: link("shipping_addresses"),
		Coupons: link("coupons"),
	}
}

// billingAddress converts the order's customer into an address.
func billingAddress(c storesandbox.Customer) v2Address {
	return v2Address{FirstName: c.FirstName, LastName: c.LastName, Street1: c.Line1,
		Street2: c.Line2, City: c.City, State: c.Region, Zip: c.PostalCode,
		Country: c.Country, CountryISO2: c.Country, Phone: c.Phone, Email: c.Email,
		FormFields: []any{}}
}

// shippingAddress is where the model's order ships: its customer's
// address, with the shipping's cost; api is the V2 root.
func shippingAddress(o storesandbox.Order, api string) v2ShippingAddress {
	c, sp := o.Customer, splitOrder(o)
	m := func(minor int64) string { return amount(minor, o.Currency) }
	id := o.ID + addressBase
	var items int64
	for _, l := range o.Lines {
		items += l.Quantity
	}

	quotes := "/orders/" + strconv.FormatInt(o.ID, 10) + "/shipping_addresses/" +
		strconv.FormatInt(id, 10) + "/shipping_quotes"
	return v2ShippingAddress{
		ID: id, OrderID: o.ID, v2Address: billingAddress(c), ItemsTotal: items,
		BaseCost: m(o.ShippingMinor), CostExTax: m(sp.shipEx),
		CostIncTax: m(sp.shipEx + sp.shipTax), CostTax: m(sp.shipTax),
		ShippingMethod: "Flat Rate", ShippingQuotes: resourceLink{URL: api + quotes,
			Resource: quotes},
	}
}

// v2Product converts line l of order o. Unit prices with and without tax
// divide the line's tax by its quantity, rounding down, as an estimate; the
// line totals are exact.
func (s *Sandbox) v2Product(o storesandbox.Order, l storesandbox.Line) v2Product {
	m := func(minor int64) string { return amount(minor, o.Currency) }
	unitTax := l.TaxMinor / l.Quantity
	exUnit, incUnit := l.UnitPriceMinor, l.UnitPriceMinor+unitTax
	exTotal := l.Quantity * l.UnitPriceMinor
	if o.TaxesIncluded {
		exUnit, incUnit = l.UnitPriceMinor-unitTax, l.UnitPriceMinor
		exTotal -= l.TaxMinor
	}

	var productID, variant int64
	if p, ok := s.model.ProductBySKU(l.SKU); ok {
		productID, variant = p.ID, variantID(p.ID)
	}
	back, left := lineRefunds(o, l.ID), storesandbox.Unfulfilled(o)
	discounts := []appliedDiscount{}
	if l.DiscountMinor > 0 {
		code := "SANDBOX"
		discounts = append(discounts, appliedDiscount{ID: "1", Amount: m(l.DiscountMinor),
			Name: "Coupon", Code: &code, Target: "product"})
	}
	return v2Product{
		ID: l.ID, OrderID: o.ID, ProductID: productID, VariantID: variant,
		OrderAddressID: o.ID + addressBase, Name: l.Name, NameCustomer: l.Name,
		NameMerchant: l.Name, SKU: l.SKU, Type: "physical", BasePrice: m(l.UnitPriceMinor),
		PriceExTax: m(exUnit), PriceIncTax: m(incUnit), PriceTax: m(unitTax),
		BaseTotal: m(l.Quantity * l.UnitPriceMinor), TotalExTax: m(exTotal),
		TotalIncTax: m(exTotal + l.TaxMinor), TotalTax: m(l.TaxMinor), Quantity: l.Quantity,
		IsRefunded: back.quantity > 0, QuantityRefunded: back.quantity,
		RefundAmount: m(back.amount), QuantityShipped: l.Quantity - left[l.ID],
		AppliedDiscounts: discounts, ProductOptions: []any{},
		DiscountedTotalIncTax: m(exTotal + l.TaxMinor - l.DiscountMinor),
	}
}
