package erp

import (
	"errors"
	"testing"

	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestSalesOrderCheck(t *testing.T) {
	tests := []struct {
		name   string
		change func(*SalesOrder)
		field  string
	}{
		{"valid", func(*SalesOrder) {}, ""},
		{"no reference", func(o *SalesOrder) { o.ExternalRef = "" }, "external_ref"},
		{"bad currency", func(o *SalesOrder) { o.Currency = "euro" }, "currency"},
		{"no e-mail", func(o *SalesOrder) { o.Customer.Email = "" }, "customer.email"},
		{"no lines", func(o *SalesOrder) { o.Lines = nil }, "lines"},
		{"no sku", func(o *SalesOrder) { o.Lines[1].SKU = "" }, "lines[1].sku"},
		{"zero quantity", func(o *SalesOrder) { o.Lines[0].Quantity = 0 }, "lines[0].quantity"},
		{"negative quantity", func(o *SalesOrder) { o.Lines[1].Quantity = -2 },
			"lines[1].quantity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := SalesOrder{ExternalRef: "demo:1001", Currency: "EUR",
				Customer: Customer{Email: "ana@example.com"},
				Lines:    []Line{{SKU: "MUG", Quantity: 1}, {SKU: "TEE", Quantity: 3}}}
			tt.change(&o)

			err := o.Check()
			var invalid *syncerr.InvalidError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("Check() = %v, want nil", err)
			case tt.field != "" && (!errors.As(err, &invalid) || invalid.Field != tt.field):
				t.Fatalf("Check() = %v, want an InvalidError on %s", err, tt.field)
			}
		})
	}
}
