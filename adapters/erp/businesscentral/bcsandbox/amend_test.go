package bcsandbox

import (
	"net/http"
	"strings"
	"testing"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// createOrder posts a sales order of the seeded customer and returns it.
func (ts *testServer) createOrder(t *testing.T, token, ref, lines string) map[string]any {
	t.Helper()
	body := `{"customerId":"` + guidOf(ts.model.Customers()[0].ID) + `",` +
		`"externalDocumentNumber":"` + ref + `","salesOrderLines":[` + lines + `]}`
	status, created := call(t, "POST", ts.api()+"/salesOrders", token, body, nil)
	if status != http.StatusCreated {
		t.Fatalf("POST salesOrders = %d %v, want 201", status, created)
	}
	return created
}

func TestPaymentTermsAndCustomerTerms(t *testing.T) {
	ts := newTestServer(t)
	token := ts.token(t)
	status, list := call(t, "GET", ts.api()+"/paymentTerms?$filter=code%20eq%20'net60'", token,
		"", nil)
	values, _ := list["value"].([]any)
	if status != http.StatusOK || len(values) != 1 {
		t.Fatalf("GET paymentTerms = %d %v, want NET60", status, list)
	}
	net60 := values[0].(map[string]any)["id"].(string)

	u := ts.api() + "/customers(" + guidOf(ts.model.Customers()[0].ID) + ")"
	status, updated := call(t, "PATCH", u, token,
		`{"creditLimit":1234.5,"paymentTermsId":"`+net60+`"}`, map[string]string{"If-Match": "*"})
	if status != http.StatusOK || updated["creditLimit"] != 1234.5 ||
		updated["paymentTermsId"] != net60 {
		t.Fatalf("PATCH terms = %d %v, want the limit and NET60", status, updated)
	}
	c := ts.model.Customers()[0]
	if c.CreditLimitMinor == nil || *c.CreditLimitMinor != 123450 || c.PaymentTerms != "NET60" {
		t.Errorf("model customer = %+v, want 1234.50 and NET60", c)
	}

	status, body := call(t, "PATCH", u, token,
		`{"paymentTermsId":"00000000-0000-4002-8000-0000000000ff"}`,
		map[string]string{"If-Match": "*"})
	if status != http.StatusBadRequest || errorCode(body) != "Application_DialogException" {
		t.Errorf("PATCH an unknown paymentTermsId = %d %v, want 400", status, body)
	}
	status, updated = call(t, "PATCH", u, token, `{"creditLimit":0,"paymentTermsId":"`+
		emptyGUID+`"}`, map[string]string{"If-Match": "*"})
	c = ts.model.Customers()[0]
	if status != http.StatusOK || c.CreditLimitMinor != nil || c.PaymentTerms != "" ||
		updated["paymentTermsId"] != emptyGUID {
		t.Errorf("PATCH clearing terms = %d %v, model %+v; want no limit, no terms", status,
			updated, c)
	}
}

func TestChargeLinesAddUp(t *testing.T) {
	ts := newTestServer(t)
	created := ts.createOrder(t, ts.token(t), "demo:1", `{"lineObjectNumber":"B-1",`+
		`"quantity":2},{"lineObjectNumber":"C-1","quantity":1,"unitPrice":-0.75}`)
	if created["totalAmountIncludingTax"] != 4.25 {
		t.Errorf("total = %v, want 5.00 less 0.75", created["totalAmountIncludingTax"])
	}
}

func TestDeleteShippedSalesOrderIsRefused(t *testing.T) {
	ts := newTestServer(t)
	token := ts.token(t)
	created := ts.createOrder(t, token, "demo:2", `{"lineObjectNumber":"A-1","quantity":3}`)
	order := ts.model.SalesOrders()[0]
	_, err := ts.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: order.ID,
		Lines: []erpsandbox.ShipmentLine{{ProductID: order.Lines[0].ProductID, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}

	u := ts.api() + "/salesOrders(" + created["id"].(string) + ")"
	status, body := call(t, "DELETE", u, token, "", nil)
	e, _ := body["error"].(map[string]any)
	msg, _ := e["message"].(string)
	want := "Qty. Shipped Not Invoiced must be equal to '0'  in Sales Line: Document " +
		"Type=Order, Document No.=" + order.Number + ", Line No.=10000. Current value is '1'."
	if status != http.StatusBadRequest ||
		errorCode(body) != "Application_FieldValidationException" ||
		!strings.HasPrefix(msg, want) {
		t.Errorf("DELETE a shipped order = %d %v, want 400 naming the shipped line", status, body)
	}
}

func TestSalesCreditMemoCreateAndLookup(t *testing.T) {
	ts := newTestServer(t)
	token := ts.token(t)
	ts.createOrder(t, token, "demo:3", `{"lineObjectNumber":"B-1","quantity":4}`)
	ts.createOrder(t, token, "demo:4", `{"lineObjectNumber":"A-1","quantity":1}`)

	body := `{"customerId":"` + guidOf(ts.model.Customers()[0].ID) + `",` +
		`"externalDocumentNumber":"demo:3:refund:1","creditMemoDate":"2026-03-02",` +
		`"salesCreditMemoLines":[{"lineType":"Item","lineObjectNumber":"B-1","quantity":1,` +
		`"unitPrice":2.5},{"lineObjectNumber":"C-1","quantity":2,"unitPrice":0.25}]}`
	status, created := call(t, "POST", ts.api()+"/salesCreditMemos?$expand=salesCreditMemoLines",
		token, body, nil)
	lines, _ := created["salesCreditMemoLines"].([]any)
	if status != http.StatusCreated || created["totalAmountIncludingTax"] != 3.0 ||
		created["externalDocumentNumber"] != "DEMO:3:REFUND:1" || len(lines) != 2 ||
		created["status"] != "Draft" {
		t.Fatalf("POST salesCreditMemos = %d %v, want a draft of 3.00 with two lines", status,
			created)
	}
	memos := ts.model.CreditMemos()
	if len(memos) != 1 || memos[0].OrderID != ts.model.SalesOrders()[0].ID {
		t.Errorf("model memos = %+v, want one crediting demo:3", memos)
	}

	status, list := call(t, "GET", ts.api()+
		"/salesCreditMemos?$filter=externalDocumentNumber%20eq%20'demo:3:refund:1'", token, "",
		nil)
	values, _ := list["value"].([]any)
	if status != http.StatusOK || len(values) != 1 ||
		values[0].(map[string]any)["id"] != created["id"] {
		t.Errorf("GET salesCreditMemos by reference = %d %v, want the memo", status, list)
	}

	over := `{"customerId":"` + guidOf(ts.model.Customers()[0].ID) + `",` +
		`"externalDocumentNumber":"demo:3:refund:2","salesCreditMemoLines":[` +
		`{"lineObjectNumber":"B-1","quantity":4,"unitPrice":2.5}]}`
	status, refused := call(t, "POST", ts.api()+"/salesCreditMemos", token, over, nil)
	if status != http.StatusBadRequest || errorCode(refused) != "Application_DialogException" {
		t.Errorf("POST a memo crediting more than the order = %d %v, want 400", status, refused)
	}
}
