package odoosandbox

import (
	"slices"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// refundType is the move_type of a customer credit note.
const refundType = "out_refund"

// draftName is the name Odoo gives a journal entry until it is posted.
const draftName = "/"

// accountMoveModel serves account.move from the model's credit memos, as
// customer credit notes (move_type out_refund) against a sales order named
// by invoice_origin. create makes a draft, which action_post posts. The
// model holds a memo from its draft on, and dedups memos by reference: a
// create with the ref of a credit note that exists answers that one, where
// Odoo would make a second.
func accountMoveModel() *modelDef {
	return &modelDef{
		name: "account.move",
		fields: map[string]fieldDef{
			"name":             {kind: kindChar, readonly: true},
			"display_name":     {kind: kindChar, readonly: true},
			"move_type":        {kind: kindSelection},
			"state":            {kind: kindSelection, readonly: true},
			"partner_id":       {kind: kindMany2one},
			"currency_id":      {kind: kindMany2one},
			"ref":              {kind: kindChar},
			"invoice_origin":   {kind: kindChar},
			"narration":        {kind: kindChar},
			"invoice_date":     {kind: kindChar},
			"amount_untaxed":   {kind: kindNumber, readonly: true},
			"amount_total":     {kind: kindNumber, readonly: true},
			"invoice_line_ids": {kind: kindOne2many},
			"create_date":      {kind: kindDatetime, readonly: true},
			"write_date":       {kind: kindDatetime, readonly: true},
		},
		records: func(s *sandbox) []record { return s.creditNoteRecords() },
		create:  createCreditNote,
		actions: map[string]action{"action_post": postCreditNotes},
	}
}

func (s *sandbox) creditNoteRecords() []record {
	orders := s.orderIndex()
	names := s.customerNames()
	memos := s.model.CreditMemos()

	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]record, len(memos))
	for i, m := range memos {
		o := orders[m.OrderID]
		name, state := m.Number, "posted"
		if s.drafts[m.ID] {
			name, state = draftName, "draft"
		}
		lines := make([]int64, len(m.Lines))
		for j, l := range m.Lines {
			lines[j] = l.ID
		}
		total := amount(m.TotalMinor, m.Currency)
		out[i] = record{
			"id": m.ID, "name": name, "display_name": name,
			"move_type": refundType, "state": state,
			"partner_id":     many2one{o.CustomerID, names[o.CustomerID]},
			"currency_id":    s.currencies.ref(m.Currency),
			"ref":            text(m.ExternalRef),
			"invoice_origin": text(o.Number),
			"narration":      text(m.Reason),
			"invoice_date":   text(s.dates[m.ID]),
			"amount_untaxed": total, "amount_total": total,
			"invoice_line_ids": lines,
			"create_date":      dateTime(m.Created),
			"write_date":       dateTime(m.Modified),
		}
	}
	return out
}

// createCreditNote creates a draft credit note from account.move values.
func createCreditNote(s *sandbox, vals map[string]any) (int64, error) {
	if vals["move_type"] != refundType {
		return 0, userError("This database books customer credit notes only: move_type " +
			"must be out_refund.")
	}
	memo, date, err := s.creditNoteOf(vals)
	if err != nil {
		return 0, err
	}

	existed := slices.ContainsFunc(s.model.CreditMemos(), func(m erpsandbox.CreditMemo) bool {
		return memo.ExternalRef != "" && m.ExternalRef == memo.ExternalRef
	})
	stored, err := s.model.CreateCreditMemo(memo)
	if err != nil {
		return 0, fromModel(err)
	}
	if !existed {
		s.mu.Lock()
		s.drafts[stored.ID], s.dates[stored.ID] = true, date
		s.mu.Unlock()
	}
	return stored.ID, nil
}

// creditNoteOf reads account.move values as a credit memo of the model,
// and the invoice date.
func (s *sandbox) creditNoteOf(vals map[string]any) (erpsandbox.CreditMemo, string, error) {
	memo := erpsandbox.CreditMemo{Currency: s.currencies.company}
	origin, err := charValue("invoice_origin", vals["invoice_origin"])
	if err != nil {
		return memo, "", err
	}
	order, err := s.creditedOrder(origin, vals["partner_id"])
	if err != nil {
		return memo, "", err
	}
	memo.OrderID = order.ID

	if raw, ok := vals["currency_id"]; ok {
		id, err := many2oneValue("currency_id", raw)
		if err != nil {
			return memo, "", err
		}
		code, ok := s.currencies.code(id)
		if !ok {
			return memo, "", validationError("Wrong value for currency_id: currency %d does "+
				"not exist", id)
		}
		memo.Currency = code
	}
	if memo.ExternalRef, err = charValue("ref", vals["ref"]); err != nil {
		return memo, "", err
	}
	if memo.Reason, err = charValue("narration", vals["narration"]); err != nil {
		return memo, "", err
	}
	date, err := dateValue("invoice_date", vals["invoice_date"])
	if err != nil {
		return memo, "", err
	}

	memo.Lines, err = s.creditNoteLines(vals["invoice_line_ids"], memo.Currency)
	return memo, date, err
}

// creditedOrder finds the sales order named origin, which partner (the
// partner_id value) must be the customer of.
//
// TODO: Odoo takes any text as invoice_origin and any partner; the model
// keeps credit memos against a sales order, so the sandbox needs the name
// of one, and the partner of that order.
func (s *sandbox) creditedOrder(origin string, partner any) (erpsandbox.SalesOrder, error) {
	found := s.model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return origin != "" && o.Number == origin
	})
	if len(found) == 0 {
		return erpsandbox.SalesOrder{}, validationError("invoice_origin %q names no sales "+
			"order of this database", origin)
	}
	id, err := many2oneValue("partner_id", partner)
	if err != nil {
		return erpsandbox.SalesOrder{}, err
	}
	if id != found[0].CustomerID {
		return erpsandbox.SalesOrder{}, validationError("partner_id must be the customer of "+
			"sales order %s", origin)
	}
	return found[0], nil
}

// creditNoteLines reads the invoice_line_ids commands of a new credit note:
// create commands only, each on a product.
func (s *sandbox) creditNoteLines(raw any, currency string) ([]erpsandbox.OrderLine, error) {
	commands, ok := raw.([]any)
	if !ok || len(commands) == 0 {
		return nil, userError("A credit note needs at least one line in invoice_line_ids.")
	}
	products := s.productIndex()

	lines := make([]erpsandbox.OrderLine, 0, len(commands))
	for i, c := range commands {
		cmd, ok := c.([]any)
		if !ok || len(cmd) != 3 {
			return nil, validationError("Wrong value for invoice_line_ids: command %d is not "+
				"a (0, 0, values) create command", i)
		}
		if code, err := wholeValue("invoice_line_ids command", cmd[0]); err != nil ||
			code != cmdCreate {
			return nil, validationError("invoice_line_ids command %d: a new credit note "+
				"takes only create commands", i)
		}
		line, err := creditNoteLine(cmd[2], currency, products)
		if err != nil {
			return nil, err
		}
		lines = append(lines, line)
	}
	return lines, nil
}

// creditNoteLine reads the values of one account.move.line: product_id,
// quantity (1 when missing), price_unit (the product's list price when
// missing and in currency) and name.
func creditNoteLine(raw any, currency string,
	products map[int64]erpsandbox.Product) (erpsandbox.OrderLine, error) {
	vals, err := dictValue("invoice_line_ids create values", raw)
	if err != nil {
		return erpsandbox.OrderLine{}, err
	}
	for _, name := range sortedKeys(vals) {
		if !slices.Contains([]string{"product_id", "quantity", "price_unit", "name"}, name) {
			return erpsandbox.OrderLine{}, invalidField("account.move.line", name)
		}
	}

	line := erpsandbox.OrderLine{Quantity: 1}
	if line.ProductID, err = many2oneValue("product_id", vals["product_id"]); err != nil {
		return line, err
	}
	p, ok := products[line.ProductID]
	if !ok {
		return line, validationError("Wrong value for product_id: product %d does not exist",
			line.ProductID)
	}
	if raw, ok := vals["quantity"]; ok {
		if line.Quantity, err = wholeValue("quantity", raw); err != nil {
			return line, err
		}
	}
	if line.Description, err = charValue("name", vals["name"]); err != nil {
		return line, err
	}

	raw, ok = vals["price_unit"]
	switch {
	case ok:
		line.UnitPriceMinor, err = minorValue("price_unit", raw, currency)
	case p.Currency == currency:
		line.UnitPriceMinor = p.PriceMinor
	default:
		err = userError("Product %d has no price in %s: give price_unit.", p.ID, currency)
	}
	return line, err
}

// postCreditNotes is action_post: it posts the draft credit notes ids, or
// none when any is not a draft.
func postCreditNotes(s *sandbox, ids []int64, _ map[string]any) (any, error) {
	memos := map[int64]erpsandbox.CreditMemo{}
	for _, m := range s.model.CreditMemos() {
		memos[m.ID] = m
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		m, ok := memos[id]
		if !ok {
			return nil, missingRecord("account.move", id)
		}
		if !s.drafts[id] {
			return nil, userError("The entry %s (id %d) is already posted.", m.Number, id)
		}
	}
	for _, id := range ids {
		delete(s.drafts, id)
	}
	return false, nil
}
