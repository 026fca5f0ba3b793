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
