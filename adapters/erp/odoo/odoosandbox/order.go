package odoosandbox

import (
	"errors"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// orderStates maps the model's order states to sale.order states.
var orderStates = map[erpsandbox.OrderState]string{
	erpsandbox.OrderDraft:     "draft",
	erpsandbox.OrderConfirmed: "sale",
	erpsandbox.OrderCancelled: "cancel",
}

// orderModel serves sale.order from the model's sales orders. Lines are
// created and changed through order_line commands; action_confirm and
// action_cancel move the state.
func orderModel() *modelDef {
	return &modelDef{
		name: "sale.order",
		fields: map[string]fieldDef{
			"name":             {kind: kindChar},
			"display_name":     {kind: kindChar, readonly: true},
			"partner_id":       {kind: kindMany2one},
			"client_order_ref": {kind: kindChar},
			"state":            {kind: kindSelection, readonly: true},
			"currency_id":      {kind: kindMany2one},
			"amount_total":     {kind: kindNumber, readonly: true},
			"amount_untaxed":   {kind: kindNumber, readonly: true},
			"date_order":       {kind: kindDatetime},
			"order_line":       {kind: kindOne2many},
			"create_date":      {kind: kindDatetime, readonly: true},
			"write_date":       {kind: kindDatetime, readonly: true},
		},
		records: func(s *sandbox) []record {
			names := s.customerNames()
			orders := s.model.SalesOrders()
			out := make([]record, len(orders))
			for i, o := range orders {
				out[i] = s.orderRecord(o, names)
			}
			return out
		},
		create: createOrder,
		write:  writeOrder,
		actions: map[string]action{
			"action_confirm": confirmOrders,
			"action_cancel":  cancelOrders,
		},
	}
}

func (s *sandbox) orderRecord(o erpsandbox.SalesOrder, names map[int64]string) record {
	lines := make([]int64, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = l.ID
	}
	total := amount(o.TotalMinor, o.Currency)
	return record{
		"id":               o.ID,
		"name":             text(o.Number),
		"display_name":     text(o.Number),
		"partner_id":       many2one{o.CustomerID, names[o.CustomerID]},
		"client_order_ref": text(o.ExternalRef),
		"state":            orderStates[o.State],
		"currency_id":      s.currencies.ref(o.Currency),
		"amount_total":     total,
		"amount_untaxed":   total,
		"date_order":       dateTime(o.OrderedAt),
		"order_line":       lines,
		"create_date":      dateTime(o.Created),
		"write_date":       dateTime(o.Modified),
	}
}

// productIndex returns every product by id.
func (s *sandbox) productIndex() map[int64]erpsandbox.Product {
	index := map[int64]erpsandbox.Product{}
	for _, p := range s.model.Products() {
		index[p.ID] = p
	}
	return index
}

func (s *sandbox) customerNames() map[int64]string {
	names := map[int64]string{}
	for _, c := range s.model.Customers() {
		names[c.ID] = c.Name
	}
	return names
}

func createOrder(s *sandbox, vals map[string]any) (int64, error) {
	o := erpsandbox.SalesOrder{Currency: s.currencies.company}
	if isEmpty(vals["partner_id"]) {
		return 0, validationError("The operation cannot be completed: a mandatory field is " +
			"not set. Model: Sales Order (sale.order), Field: Customer (partner_id)")
	}
	if err := s.applyOrder(&o, vals, s.productIndex(), true); err != nil {
		return 0, err
	}

	o, err := s.model.CreateSalesOrder(o)
	if err != nil {
		return 0, fromModel(err)
	}
	return o.ID, nil
}

func writeOrder(s *sandbox, id int64, vals map[string]any) error {
	if b, ok := vals["partner_id"].(bool); ok && !b {
		return validationError("The operation cannot be completed: a mandatory field is " +
			"not set. Model: Sales Order (sale.order), Field: Customer (partner_id)")
	}
	products := s.productIndex() // change runs under the model's lock: no model calls in it
	_, err := s.model.UpdateSalesOrder(id, func(o *erpsandbox.SalesOrder) error {
		return s.applyOrder(o, vals, products, false)
	})
	if err != nil {
		return fromModel(err)
	}
	return nil
}

// applyOrder copies sale.order values onto o: the currency first, since
// line prices are read in it, and the lines last. products indexes the
// products that lines may refer to.
func (s *sandbox) applyOrder(o *erpsandbox.SalesOrder, vals map[string]any,
	products map[int64]erpsandbox.Product, creating bool) error {
	if raw, ok := vals["currency_id"]; ok {
		if err := s.applyCurrency(o, raw); err != nil {
			return err
		}
	}

	for _, name := range sortedKeys(vals) {
		var err error
		v := vals[name]
		switch name {
		case "name":
			o.Number, err = charValue(name, v)
		case "partner_id":
			o.CustomerID, err = idValue(name, v)
		case "client_order_ref":
			o.ExternalRef, err = charValue(name, v)
		case "date_order":
			o.OrderedAt, err = dateTimeValue(name, v)
		}
		if err != nil {
			return err
		}
	}

	if raw, ok := vals["order_line"]; ok {
		return s.applyLineCommands(o, raw, products, creating)
	}
	return nil
}

func (s *sandbox) applyCurrency(o *erpsandbox.SalesOrder, raw any) error {
	id, err := many2oneValue("currency_id", raw)
	if err != nil {
		return err
	}
	code, ok := s.currencies.code(id)
	if !ok {
		return validationError("Wrong value for currency_id: currency %d does not exist", id)
	}
	if code != o.Currency && len(o.Lines) > 0 {
		return userError("Remove the lines of an order before changing its currency.")
	}
	o.Currency = code
	return nil
}

// confirmOrders confirms the draft orders ids, or none of them if any is
// not a draft.
func confirmOrders(s *sandbox, ids []int64, _ map[string]any) (any, error) {
	for _, id := range ids {
		o, ok := s.model.SalesOrder(id)
		if !ok {
			return nil, fromModel(erpsandbox.ErrNotFound)
		}
		if o.State != erpsandbox.OrderDraft {
			return nil, userError("Some orders are not in a state requiring confirmation.")
		}
	}

	for _, id := range ids {
		if _, err := s.model.ConfirmSalesOrder(id); err != nil {
			return nil, stateError(err, "Some orders are not in a state requiring confirmation.")
		}
	}
	return true, nil
}

// cancelOrders is action_cancel as Odoo 17 and later run it. Unless the
// context holds disable_cancel_warning, an order past the draft state is
// not cancelled: the method answers the window action of the
// sale.order.cancel wizard, which offers to e-mail the customer, and
// several such orders at once are refused as the wizard takes one.
// Otherwise every order is cancelled; a cancelled one stays as it is.
func cancelOrders(s *sandbox, ids []int64, ctx map[string]any) (any, error) {
	orders := make([]erpsandbox.SalesOrder, 0, len(ids))
	for _, id := range ids {
		o, ok := s.model.SalesOrder(id)
		if !ok {
			return nil, missingRecord("sale.order", id)
		}
		orders = append(orders, o)
	}
	if ctx["disable_cancel_warning"] != true && needsCancelWizard(orders) {
		return cancelWizard(orders)
	}

	for _, o := range orders {
		if o.State == erpsandbox.OrderCancelled {
			continue
		}
		if _, err := s.model.CancelSalesOrder(o.ID, ""); err != nil {
			return nil, cancelError(err)
		}
	}
	return true, nil
}

// needsCancelWizard reports whether any of orders is past the draft state,
// which is when Odoo shows the cancel wizard.
func needsCancelWizard(orders []erpsandbox.SalesOrder) bool {
	for _, o := range orders {
		if o.State != erpsandbox.OrderDraft {
			return true
		}
	}
	return false
}

// cancelWizard returns the window action that opens the sale.order.cancel
// wizard on the one order of orders.
func cancelWizard(orders []erpsandbox.SalesOrder) (any, error) {
	if len(orders) != 1 {
		ids := make([]string, len(orders))
		for i, o := range orders {
			ids[i] = strconv.FormatInt(o.ID, 10)
		}
		return nil, valueError("Expected singleton: sale.order(%s)", strings.Join(ids, ", "))
	}
	return map[string]any{
		"name":      "Cancel Sales Order",
		"view_mode": "form",
		"res_model": "sale.order.cancel",
		"view_id":   cancelWizardViewID,
		"type":      "ir.actions.act_window",
		"target":    "new",
		"context": map[string]any{
			"default_order_id":    orders[0].ID,
			"mark_so_as_canceled": true,
		},
	}, nil
}

// cancelWizardViewID is the id of the form view of sale.order.cancel.
const cancelWizardViewID = 1041

// cancelError turns an error of the model's cancel into Odoo's exception.
// The model refuses to cancel a shipped order with the UserError that
// stock raises when a cancel reaches a done move. Odoo itself cancels such
// an order, with the pickings not done yet: clients that must not cancel
// shipped orders look for done deliveries first, as the adapter does.
func cancelError(err error) error {
	if errors.Is(err, erpsandbox.ErrShipped) {
		return userError("You cannot cancel a stock move that has been set to 'Done'. " +
			"Create a return in order to reverse the moves which took place.")
	}
	return fromModel(err)
}

// stateError turns a state error of the model into a UserError with
// message, and any other error as fromModel does.
func stateError(err error, message string) error {
	if errors.Is(err, erpsandbox.ErrState) {
		return userError("%s", message)
	}
	return fromModel(err)
}
