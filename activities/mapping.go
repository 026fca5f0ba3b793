package activities

import (
	"fmt"
	"strings"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// ExternalRef is the reference that identifies a store's order in the ERP.
// It is derived from the store name and the order number, so it is the same
// on every attempt and unique across stores that share one ERP.
func ExternalRef(storeName, orderNumber string) string {
	return storeName + ":" + orderNumber
}

// Charges names the ERP's service items on which an order's shipping,
// discount and tax are booked as lines, so that the sales order's total is
// the store order's. A charge whose item is not named reaches the ERP only
// through the total, as ERPs that compute tax themselves prefer.
type Charges struct {
	ShippingSKU string `json:"shipping_sku,omitempty"`
	DiscountSKU string `json:"discount_sku,omitempty"`
	TaxSKU      string `json:"tax_sku,omitempty"`
}

// SKUs returns the service items named, as a set.
func (c Charges) SKUs() map[string]bool {
	set := map[string]bool{}
	for _, sku := range []string{c.ShippingSKU, c.DiscountSKU, c.TaxSKU} {
		if sku != "" {
			set[sku] = true
		}
	}
	return set
}

// lines returns the charge lines of o.
func (c Charges) lines(o store.Order) []erp.Line {
	var out []erp.Line
	add := func(sku, what string, kind erp.LineKind, amount int64) {
		if sku != "" && amount != 0 {
			out = append(out, erp.Line{SKU: sku, Description: what, Quantity: 1,
				UnitPriceMinor: amount, Kind: kind})
		}
	}
	add(c.ShippingSKU, "Shipping", erp.LineShipping, o.ShippingMinor)
	add(c.DiscountSKU, "Discount", erp.LineDiscount, -o.DiscountMinor)
	if !o.TaxesIncluded {
		add(c.TaxSKU, "Tax", erp.LineTax, o.TaxMinor)
	}
	return out
}

// mapOrder checks a store order and maps it to an ERP sales order, with its
// charges as lines on the service items of c. A record that cannot be
// synced as it is gives a [syncerr.InvalidError] naming the field, so that
// the sync parks with a reason instead of failing blindly.
func mapOrder(storeName string, o store.Order, c Charges) (erp.SalesOrder, error) {
	if err := checkOrder(o); err != nil {
		return erp.SalesOrder{}, err
	}

	lines := make([]erp.Line, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = erp.Line{
			SKU:            l.SKU,
			Description:    l.Name,
			Quantity:       l.Quantity,
			UnitPriceMinor: l.UnitPriceMinor,
		}
	}
	lines = append(lines, c.lines(o)...)

	return erp.SalesOrder{
		ExternalRef:   ExternalRef(storeName, o.Number),
		Store:         storeName,
		OrderNumber:   o.Number,
		Currency:      o.Currency,
		OrderedAt:     o.PlacedAt,
		Customer:      mapCustomer(o.Customer),
		Lines:         lines,
		ShippingMinor: o.ShippingMinor,
		TotalMinor:    o.TotalMinor,
	}, nil
}

func mapCustomer(c store.Customer) erp.Customer {
	return erp.Customer{
		ExternalID: c.ID,
		Email:      strings.TrimSpace(c.Email),
		Name:       strings.TrimSpace(c.FirstName + " " + c.LastName),
		Phone:      c.Phone,
		Address: erp.Address{
			Line1:       c.Line1,
			Line2:       c.Line2,
			City:        c.City,
			PostalCode:  c.PostalCode,
			Region:      c.Region,
			CountryCode: c.Country,
		},
	}
}

// checkOrder returns the first problem that keeps o from becoming a valid
// sales order.
func checkOrder(o store.Order) error {
	switch {
	case strings.TrimSpace(o.Number) == "":
		return syncerr.Invalid("number", "order has no number")
	case !money.ValidCurrency(o.Currency):
		return syncerr.Invalid("currency", "%q is not an ISO 4217 currency code", o.Currency)
	case !strings.Contains(o.Customer.Email, "@"):
		return syncerr.Invalid("customer.email", "customer has no valid e-mail address")
	case len(o.Lines) == 0:
		return syncerr.Invalid("lines", "order has no lines")
	}

	sum := o.ShippingMinor - o.DiscountMinor
	if !o.TaxesIncluded {
		sum += o.TaxMinor
	}
	for i, l := range o.Lines {
		if err := checkLine(i, l); err != nil {
			return err
		}
		sum += l.Quantity * l.UnitPriceMinor
	}

	if sum != o.TotalMinor {
		return syncerr.Invalid("total",
			"lines, discounts, shipping and tax add up to %s but the order total is %s",
			money.Decimal(sum, o.Currency), money.Decimal(o.TotalMinor, o.Currency))
	}
	return nil
}

func checkLine(i int, l store.Line) error {
	field := fmt.Sprintf("lines[%d]", i)
	switch {
	case strings.TrimSpace(l.SKU) == "":
		return syncerr.Invalid(field+".sku", "line has no SKU")
	case l.Quantity <= 0:
		return syncerr.Invalid(field+".quantity", "quantity %d is not positive", l.Quantity)
	case l.UnitPriceMinor < 0:
		return syncerr.Invalid(field+".unit_price", "unit price is negative")
	}
	return nil
}
