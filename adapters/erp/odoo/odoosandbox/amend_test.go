package odoosandbox

import (
	"fmt"
	"testing"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// confirmedOrder creates and confirms an order of two widgets and returns
// its id.
func (s *testServer) confirmedOrder(ref string) int64 {
	s.t.Helper()
	var id int64
	s.result(s.createOrder(ref, line(1, 2, "19.99")), &id)
	var ok bool
	s.result(s.exec("sale.order", "action_confirm", []any{id}, nil), &ok)
	return id
}

func TestCancelAsksForWizardWithoutContext(t *testing.T) {
	s := newTestServer(t)
	id := s.confirmedOrder("demo:1")

	var wizard map[string]any
	s.result(s.exec("sale.order", "action_cancel", []any{[]any{id}}, nil), &wizard)
	ctx, _ := wizard["context"].(map[string]any)
	if wizard["type"] != "ir.actions.act_window" || wizard["res_model"] != "sale.order.cancel" ||
		ctx["default_order_id"] != float64(id) {
		t.Errorf("action_cancel without context = %v, want the cancel wizard of %d", wizard, id)
	}
	if o, _ := s.model.SalesOrder(id); o.State != erpsandbox.OrderConfirmed {
		t.Errorf("order state after the wizard answer = %s, want confirmed", o.State)
	}

	second := s.confirmedOrder("demo:2")
	wantError(t, s.exec("sale.order", "action_cancel", []any{[]any{id, second}}, nil),
		nameValueError, "Expected singleton")
}

func TestCancelWithoutWarning(t *testing.T) {
	s := newTestServer(t)
	id := s.confirmedOrder("demo:1")
	quiet := map[string]any{"context": map[string]any{"disable_cancel_warning": true}}

	for range 2 { // the second cancel of a cancelled order changes nothing
		var ok bool
		s.result(s.exec("sale.order", "action_cancel", []any{[]any{id}}, quiet), &ok)
		if !ok {
			t.Errorf("action_cancel = false, want true")
		}
	}
	if o, _ := s.model.SalesOrder(id); o.State != erpsandbox.OrderCancelled {
		t.Errorf("order state = %s, want cancelled", o.State)
	}

	shipped := s.confirmedOrder("demo:2")
	if _, err := s.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: shipped}); err != nil {
		t.Fatalf("ShipSalesOrder() error = %v", err)
	}
	wantError(t, s.exec("sale.order", "action_cancel", []any{[]any{shipped}}, quiet),
		nameUserError, "set to 'Done'")
	wantError(t, s.exec("sale.order", "action_cancel", []any{[]any{999}}, quiet),
		nameMissingError, "sale.order(999,)")
}

func TestPartnerTerms(t *testing.T) {
	s := newTestServer(t)
	var id int64
	s.result(s.exec("res.partner", "create", []any{map[string]any{"name": "Ada",
		"credit_limit": 1500.5, "property_payment_term_id": 2,
		"property_product_pricelist": 2}}, nil), &id)

	fields := map[string]any{"fields": []any{"credit_limit", "use_partner_credit_limit",
		"property_payment_term_id", "property_product_pricelist", "currency_id"}}
	a := s.exec("res.partner", "read", []any{[]any{id}}, fields)
	want := fmt.Sprintf(`[{"credit_limit":1500.50,"currency_id":[2,"USD"],"id":%d,`+
		`"property_payment_term_id":[2,"NET30"],`+
		`"property_product_pricelist":[2,"WHOLESALE (USD)"],`+
		`"use_partner_credit_limit":true}]`, id)
	if string(a.Result) != want {
		t.Errorf("read res.partner =\n%s\nwant\n%s", a.Result, want)
	}

	var ok bool
	s.result(s.exec("res.partner", "write", []any{[]any{id}, map[string]any{
		"use_partner_credit_limit": false, "property_payment_term_id": false}}, nil), &ok)
	c, _ := s.model.Customer(id)
	if c.CreditLimitMinor != nil || c.PaymentTerms != "" || c.PriceGroup != "WHOLESALE" {
		t.Errorf("customer after write = %+v, want no limit, no terms, WHOLESALE", c)
	}

	wantError(t, s.exec("res.partner", "write", []any{[]any{id}, map[string]any{
		"property_product_pricelist": 9}}, nil), nameValidation, "does not exist")
	var names []map[string]any
	s.result(s.exec("account.payment.term", "search_read", []any{[]any{}},
		map[string]any{"fields": []any{"name"}}), &names)
	if len(names) != 3 || names[0]["name"] != "IMMEDIATE" || names[2]["name"] != "NET60" {
		t.Errorf("payment terms = %v, want IMMEDIATE, NET30, NET60", names)
	}
}

func TestCreditNoteLifecycle(t *testing.T) {
	s := newTestServer(t)
	order := s.confirmedOrder("demo:1")
	var header []map[string]any
	s.result(s.exec("sale.order", "read", []any{[]any{order}},
		map[string]any{"fields": []any{"name", "partner_id"}}), &header)
	partner := header[0]["partner_id"].([]any)[0]

	vals := map[string]any{"move_type": "out_refund", "partner_id": partner,
		"currency_id": 2, "ref": "demo:1:refund:1", "invoice_origin": header[0]["name"],
		"invoice_date": "2024-05-02", "narration": "damaged",
		"invoice_line_ids": []any{[]any{0, 0, map[string]any{"product_id": 1,
			"quantity": 1, "price_unit": 19.99}}}}
	var id int64
	s.result(s.exec("account.move", "create", []any{vals}, nil), &id)

	fields := map[string]any{"fields": []any{"name", "state", "amount_total", "ref",
		"invoice_origin", "invoice_date"}}
	read := func() string {
		return string(s.exec("account.move", "read", []any{[]any{id}}, fields).Result)
	}
	draft := fmt.Sprintf(`[{"amount_total":19.99,"id":%d,"invoice_date":"2024-05-02",`+
		`"invoice_origin":"S00001","name":"/","ref":"demo:1:refund:1","state":"draft"}]`, id)
	if got := read(); got != draft {
		t.Errorf("read draft account.move =\n%s\nwant\n%s", got, draft)
	}

	var posted bool
	s.result(s.exec("account.move", "action_post", []any{[]any{id}}, nil), &posted)
	want := fmt.Sprintf(`[{"amount_total":19.99,"id":%d,"invoice_date":"2024-05-02",`+
		`"invoice_origin":"S00001","name":"RINV/00001","ref":"demo:1:refund:1",`+
		`"state":"posted"}]`, id)
	if got := read(); got != want {
		t.Errorf("read posted account.move =\n%s\nwant\n%s", got, want)
	}
	wantError(t, s.exec("account.move", "action_post", []any{[]any{id}}, nil),
		nameUserError, "already posted")

	vals["move_type"] = "out_invoice"
	wantError(t, s.exec("account.move", "create", []any{vals}, nil), nameUserError,
		"out_refund")
	vals["move_type"], vals["invoice_origin"] = "out_refund", "S09999"
	wantError(t, s.exec("account.move", "create", []any{vals}, nil), nameValidation,
		"names no sales order")
}
