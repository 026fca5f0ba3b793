package odoosandbox

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// Commands of x2many fields, as Odoo numbers them.
const (
	cmdCreate = 0
	cmdUpdate = 1
	cmdDelete = 2
	cmdUnlink = 3
	cmdLink   = 4
	cmdClear  = 5
	cmdSet    = 6
)

// orderLineModel serves sale.order.line for reading. Lines are written
// through the order_line commands of sale.order.
func orderLineModel() *modelDef {
	return &modelDef{
		name: "sale.order.line",
		fields: map[string]fieldDef{
			"order_id":        {kind: kindMany2one, readonly: true},
			"product_id":      {kind: kindMany2one},
			"name":            {kind: kindChar},
			"display_name":    {kind: kindChar, readonly: true},
			"product_uom_qty": {kind: kindNumber},
			"price_unit":      {kind: kindNumber},
			"price_subtotal":  {kind: kindNumber, readonly: true},
			"currency_id":     {kind: kindMany2one, readonly: true},
			"state":           {kind: kindSelection, readonly: true},
		},
		records: func(s *sandbox) []record { return s.lineRecords() },
	}
}

func (s *sandbox) lineRecords() []record {
	products := map[int64]string{}
	for _, p := range s.model.Products() {
		products[p.ID] = productDisplayName(p)
	}

	var out []record
	for _, o := range s.model.SalesOrders() {
		for _, l := range o.Lines {
			out = append(out, record{
				"id":              l.ID,
				"order_id":        many2one{o.ID, o.Number},
				"product_id":      many2one{l.ProductID, products[l.ProductID]},
				"name":            text(l.Description),
				"display_name":    o.Number + " - " + products[l.ProductID],
				"product_uom_qty": json.Number(strconv.FormatInt(l.Quantity, 10)),
				"price_unit":      amount(l.UnitPriceMinor, o.Currency),
				"price_subtotal":  amount(l.Quantity*l.UnitPriceMinor, o.Currency),
				"currency_id":     s.currencies.ref(o.Currency),
				"state":           orderStates[o.State],
			})
		}
	}
	sortByID(out)
	return out
}

// applyLineCommands runs order_line commands on the lines of o. A new order
// takes only create commands (and clear or set with no ids, which do
// nothing on it).
func (s *sandbox) applyLineCommands(o *erpsandbox.SalesOrder, raw any,
	products map[int64]erpsandbox.Product, creating bool) error {
	commands, ok := raw.([]any)
	if !ok {
		return validationError("Wrong value for order_line: expected a list of commands")
	}

	for i, c := range commands {
		cmd, ok := c.([]any)
		if !ok || len(cmd) == 0 {
			return validationError("Wrong value for order_line: command %d is not a list", i)
		}
		code, err := wholeValue("order_line command", cmd[0])
		if err != nil {
			return err
		}
		if creating && code != cmdCreate && code != cmdClear && code != cmdSet {
			return validationError("order_line command %d: a new order takes only create "+
				"commands", i)
		}

		if err := s.lineCommand(o, code, cmd, products); err != nil {
			return err
		}
	}
	return nil
}

func (s *sandbox) lineCommand(o *erpsandbox.SalesOrder, code int64, cmd []any,
	products map[int64]erpsandbox.Product) error {
	arg := func(i int) any {
		if i < len(cmd) {
			return cmd[i]
		}
		return nil
	}

	switch code {
	case cmdCreate:
		return s.addLine(o, arg(2), products)
	case cmdUpdate:
		return s.updateLine(o, arg(1), arg(2), products)
	case cmdDelete, cmdUnlink:
		return removeLines(o, []any{arg(1)}, false)
	case cmdLink:
		return removeLines(o, []any{arg(1)}, true) // linking a line it holds changes nothing
	case cmdClear:
		o.Lines = nil
		return nil
	case cmdSet:
		ids, _ := arg(2).([]any)
		return keepLines(o, ids)
	}
	return validationError("order_line command %d is unknown", code)
}

func (s *sandbox) addLine(o *erpsandbox.SalesOrder, raw any,
	products map[int64]erpsandbox.Product) error {
	vals, err := dictValue("order_line create values", raw)
	if err != nil {
		return err
	}
	if err := s.models["sale.order.line"].checkVals(vals); err != nil {
		return err
	}
	if isEmpty(vals["product_id"]) {
		return validationError("The operation cannot be completed: a mandatory field is not " +
			"set. Model: Sales Order Line (sale.order.line), Field: Product (product_id)")
	}

	line := erpsandbox.OrderLine{Quantity: 1}
	if err := applyLine(&line, vals, o.Currency, products, true); err != nil {
		return err
	}
	o.Lines = append(o.Lines, line)
	return nil
}

func (s *sandbox) updateLine(o *erpsandbox.SalesOrder, rawID, rawVals any,
	products map[int64]erpsandbox.Product) error {
	id, err := idValue("order_line", rawID)
	if err != nil {
		return err
	}
	vals, err := dictValue("order_line update values", rawVals)
	if err != nil {
		return err
	}
	if err := s.models["sale.order.line"].checkVals(vals); err != nil {
		return err
	}

	for i := range o.Lines {
		if o.Lines[i].ID == id {
			return applyLine(&o.Lines[i], vals, o.Currency, products, false)
		}
	}
	return missingLine(id)
}

// applyLine copies sale.order.line values onto l. A new line without a price
// or description takes the product's list price (when in the order's
// currency) and display name.
func applyLine(l *erpsandbox.OrderLine, vals map[string]any, currency string,
	products map[int64]erpsandbox.Product, creating bool) error {
	for _, name := range sortedKeys(vals) {
		var err error
		v := vals[name]
		switch name {
		case "product_id":
			l.ProductID, err = idValue(name, v)
		case "name":
			l.Description, err = charValue(name, v)
		case "product_uom_qty":
			// TODO: fractional quantities (kilograms, metres) are refused,
			// since the model counts whole units.
			l.Quantity, err = wholeValue(name, v)
		case "price_unit":
			l.UnitPriceMinor, err = minorValue(name, v, currency)
		}
		if err != nil {
			return err
		}
	}

	p, ok := products[l.ProductID]
	if !ok {
		return validationError("The operation cannot be completed: product %d of an order "+
			"line does not exist.", l.ProductID)
	}
	if creating {
		return lineDefaults(l, p, vals, currency)
	}
	return nil
}

func lineDefaults(l *erpsandbox.OrderLine, p erpsandbox.Product, vals map[string]any,
	currency string) error {
	if _, ok := vals["name"]; !ok {
		l.Description = productDisplayName(p)
	}
	if _, ok := vals["price_unit"]; ok {
		return nil
	}
	if p.Currency != currency {
		return userError("Product %d has no price in %s: give price_unit.", p.ID, currency)
	}
	l.UnitPriceMinor = p.PriceMinor
	return nil
}

// removeLines drops the lines with the given ids from o; with check only,
// it only checks that o holds them.
func removeLines(o *erpsandbox.SalesOrder, rawIDs []any, checkOnly bool) error {
	for _, raw := range rawIDs {
		id, err := idValue("order_line", raw)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(o.Lines, func(l erpsandbox.OrderLine) bool { return l.ID == id })
		if i < 0 {
			return missingLine(id)
		}
		if !checkOnly {
			o.Lines = slices.Delete(o.Lines, i, i+1)
		}
	}
	return nil
}

// keepLines keeps only the lines of o whose ids are listed.
func keepLines(o *erpsandbox.SalesOrder, rawIDs []any) error {
	keep := map[int64]bool{}
	for _, raw := range rawIDs {
		id, err := idValue("order_line", raw)
		if err != nil {
			return err
		}
		keep[id] = true
	}
	o.Lines = slices.DeleteFunc(o.Lines, func(l erpsandbox.OrderLine) bool { return !keep[l.ID] })
	return nil
}

func missingLine(id int64) error {
	return newError(nameMissingError, "Record does not exist or has been deleted.\n"+
		"(Record: sale.order.line(%d,), User: %d)", id, defaultUID)
}
