package erp

import (
	"fmt"

	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// Check reports the first field of o that no ERP adapter can book, as a
// [syncerr.InvalidError] naming it: an empty external reference, a currency
// that is not ISO 4217, a customer without an e-mail (adapters match
// customers by it), no lines, or a line without a SKU or with a quantity
// that is not positive. Adapters check their own limits on top.
func (o SalesOrder) Check() error {
	switch {
	case o.ExternalRef == "":
		return syncerr.Invalid("external_ref", "is empty")
	case !money.ValidCurrency(o.Currency):
		return syncerr.Invalid("currency", "%q is not an ISO 4217 code", o.Currency)
	case o.Customer.Email == "":
		return syncerr.Invalid("customer.email", "is empty; ERP customers are matched by e-mail")
	case len(o.Lines) == 0:
		return syncerr.Invalid("lines", "the order has no lines")
	}

	for i, l := range o.Lines {
		if l.SKU == "" {
			return syncerr.Invalid(fmt.Sprintf("lines[%d].sku", i), "is empty")
		}
		if l.Quantity <= 0 {
			return syncerr.Invalid(fmt.Sprintf("lines[%d].quantity", i), "%d is not positive",
				l.Quantity)
		}
	}
	return nil
}

// Check reports the first field of m that no ERP adapter can book, as a
// [syncerr.InvalidError] naming it: an empty external reference, a currency
// that is not ISO 4217, no lines, a line without a SKU, with a quantity
// that is not positive or a negative price (a credit document credits
// positive amounts), or lines that do not add up to the total. Adapters
// check their own limits, such as the form of the order id, on top.
func (m CreditMemo) Check() error {
	switch {
	case m.ExternalRef == "":
		return syncerr.Invalid("external_ref", "is empty")
	case !money.ValidCurrency(m.Currency):
		return syncerr.Invalid("currency", "%q is not an ISO 4217 code", m.Currency)
	case len(m.Lines) == 0:
		return syncerr.Invalid("lines", "the credit memo has no lines")
	}

	sum := int64(0)
	for i, l := range m.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		switch {
		case l.SKU == "":
			return syncerr.Invalid(field+".sku", "is empty")
		case l.Quantity <= 0:
			return syncerr.Invalid(field+".quantity", "%d is not positive", l.Quantity)
		case l.UnitPriceMinor < 0:
			return syncerr.Invalid(field+".unit_price_minor", "%d is negative; a credit "+
				"document credits positive amounts", l.UnitPriceMinor)
		}
		sum += l.Quantity * l.UnitPriceMinor
	}
	if sum != m.TotalMinor {
		return syncerr.Invalid("total_minor", "%d is not the sum of the lines, %d",
			m.TotalMinor, sum)
	}
	return nil
}
