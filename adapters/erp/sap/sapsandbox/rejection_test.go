package sapsandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// tokenClient is a client of srv with a CSRF token of its session.
type tokenClient struct {
	t     *testing.T
	srv   *httptest.Server
	c     *http.Client
	token string
}

func newTokenClient(t *testing.T, srv *httptest.Server) *tokenClient {
	c := jarClient(t)
	return &tokenClient{t: t, srv: srv, c: c, token: fetchToken(t, c, srv.URL+salesOrders)}
}

// send sends a modifying request with the token and If-Match "*".
func (s *tokenClient) send(method, path, body string) (int, string) {
	s.t.Helper()
	resp, answer := do(s.t, s.c, method, s.srv.URL+path, body,
		map[string]string{"X-CSRF-Token": s.token, "If-Match": "*"})
	return resp.StatusCode, answer
}

// get reads path and decodes the "d" of the answer into out.
func (s *tokenClient) get(path string, out any) {
	s.t.Helper()
	resp, body := do(s.t, s.c, http.MethodGet, s.srv.URL+path, "", nil)
	var env struct{ D json.RawMessage }
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &env) != nil ||
		json.Unmarshal(env.D, out) != nil {
		s.t.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
	}
}

// orderState is the part of an A_SalesOrder these tests look at.
type orderState struct {
	SalesOrder                    string
	TotalNetAmount                string
	OverallSDDocumentRejectionSts string
	OverallTotalDeliveryStatus    string
	Items                         struct {
		Results []struct {
			SalesOrderItem, SalesDocumentRjcnReason, DeliveryStatus, NetAmount string
		}
	} `json:"to_Item"`
}

const twoItemOrder = `{"SoldToParty":"3","PurchaseOrderByCustomer":"demo:2",
	"to_Item":{"results":[{"Material":"MUG","RequestedQuantity":"2"},
	{"Material":"TEE","RequestedQuantity":"1"}]}}`

// createOrder posts body and returns the new order's number.
func (s *tokenClient) createOrder(body string) string {
	s.t.Helper()
	status, answer := s.send(http.MethodPost, salesOrders, body)
	var created struct{ D struct{ SalesOrder string } }
	if status != http.StatusCreated || json.Unmarshal([]byte(answer), &created) != nil {
		s.t.Fatalf("create order = %d %s", status, answer)
	}
	return created.D.SalesOrder
}

func itemPath(order, item string) string {
	return "/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrderItem(SalesOrder='" + order +
		"',SalesOrderItem='" + item + "')"
}

func TestRejectingEveryItemCancelsTheOrder(t *testing.T) {
	srv, model, _ := testServer(t)
	s := newTokenClient(t, srv)
	order := s.createOrder(twoItemOrder)
	reject := `{"SalesDocumentRjcnReason":"Z1"}`
	var state orderState

	status, body := s.send(http.MethodPatch, itemPath(order, "10"), reject)
	if status != http.StatusNoContent {
		t.Fatalf("reject item 10 = %d %s, want 204", status, body)
	}
	s.get(salesOrders+"('"+order+"')?$expand=to_Item", &state)
	if state.OverallSDDocumentRejectionSts != "B" || state.TotalNetAmount != "24.00" ||
		state.Items.Results[0].SalesDocumentRjcnReason != "Z1" {
		t.Errorf("order with item 10 rejected = %+v, want status B and net 24.00", state)
	}
	if o := model.SalesOrders()[0]; o.State != erpsandbox.OrderConfirmed {
		t.Errorf("model order is %s with one item open, want confirmed", o.State)
	}

	for range 2 {
		status, body := s.send(http.MethodPatch, itemPath(order, "20"), reject)
		if status != http.StatusNoContent {
			t.Fatalf("reject item 20 = %d %s, want 204", status, body)
		}
	}
	s.get(salesOrders+"('"+order+"')?$expand=to_Item", &state)
	if state.OverallSDDocumentRejectionSts != "C" || state.TotalNetAmount != "0.00" {
		t.Errorf("order with all items rejected = %+v, want status C and net 0.00", state)
	}
	o := model.SalesOrders()[0]
	if o.State != erpsandbox.OrderCancelled || o.CancelReason != "Z1" {
		t.Errorf("model order = %s, %q; want cancelled with Z1", o.State, o.CancelReason)
	}
}

func TestRejectingADeliveredItemIsRefused(t *testing.T) {
	srv, model, _ := testServer(t)
	s := newTokenClient(t, srv)
	order := s.createOrder(twoItemOrder)
	o := model.SalesOrders()[0]
	if _, err := model.ShipSalesOrder(erpsandbox.Shipment{OrderID: o.ID,
		Lines: []erpsandbox.ShipmentLine{{ProductID: o.Lines[0].ProductID, Quantity: 1}},
	}); err != nil {
		t.Fatal(err)
	}

	var state orderState
	s.get(salesOrders+"('"+order+"')?$expand=to_Item", &state)
	if state.OverallTotalDeliveryStatus != "B" || state.Items.Results[0].DeliveryStatus != "B" ||
		state.Items.Results[1].DeliveryStatus != "A" {
		t.Errorf("delivery statuses = %+v, want B overall, B and A per item", state)
	}
	status, body := s.send(http.MethodPatch, itemPath(order, "10"),
		`{"SalesDocumentRjcnReason":"Z1"}`)
	if status != http.StatusBadRequest || !strings.Contains(body, `"errordetails"`) ||
		!strings.Contains(body, "subsequent delivery") {
		t.Errorf("reject a delivered item = %d %s, want 400 in SAP's error format", status, body)
	}
	status, _ = s.send(http.MethodPatch, itemPath(order, "20"), `{"RequestedQuantity":"5"}`)
	if status != http.StatusBadRequest {
		t.Errorf("PATCH of a quantity = %d, want 400", status)
	}
}

func TestDiscountConditions(t *testing.T) {
	item := func(conditions string) string {
		return `{"SoldToParty":"3","to_Item":[{"Material":"MUG","RequestedQuantity":"2",` +
			`"to_PricingElement":[` + conditions + `]}]}`
	}
	tests := []struct {
		name, conditions string
		status           int
		unit             int64
	}{
		{"price and discount", `{"ConditionType":"PPR0","ConditionRateValue":"10.00"},` +
			`{"ConditionType":"RB00","ConditionRateValue":"-3.00"}`, 201, 850},
		{"discount item", `{"ConditionType":"PPR0","ConditionRateValue":"0"},` +
			`{"ConditionType":"RB00","ConditionRateValue":"-5.00"}`, 201, -250},
		{"positive discount", `{"ConditionType":"RB00","ConditionRateValue":"1.00"}`, 400, 0},
		{"negative price", `{"ConditionType":"PPR0","ConditionRateValue":"-1.00"}`, 400, 0},
		{"uneven split", `{"ConditionType":"PPR0","ConditionRateValue":"0"},` +
			`{"ConditionType":"RB00","ConditionRateValue":"-0.01"}`, 400, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, model, _ := testServer(t)
			s := newTokenClient(t, srv)
			status, body := s.send(http.MethodPost, salesOrders, item(tt.conditions))
			if status != tt.status {
				t.Fatalf("create = %d %s, want %d", status, body, tt.status)
			}
			if tt.status != http.StatusCreated {
				return
			}
			o := model.SalesOrders()[0]
			if o.Lines[0].UnitPriceMinor != tt.unit || o.TotalMinor != 2*tt.unit {
				t.Errorf("stored line = %+v, total %d; want unit %d", o.Lines[0], o.TotalMinor,
					tt.unit)
			}
		})
	}
}

func TestSalesAreaTerms(t *testing.T) {
	srv, model, _ := testServer(t)
	s := newTokenClient(t, srv)
	path := "/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_CustomerSalesArea(Customer='3'," +
		"SalesOrganization='1010',DistributionChannel='10',Division='00')"

	status, body := s.send(http.MethodPatch, path,
		`{"CustomerPaymentTerms":"NT30","CustomerPriceGroup":"02"}`)
	if status != http.StatusNoContent {
		t.Fatalf("PATCH sales area = %d %s, want 204", status, body)
	}
	if c, _ := model.Customer(3); c.PaymentTerms != "NT30" || c.PriceGroup != "02" {
		t.Errorf("customer terms = %q, %q; want NT30, 02", c.PaymentTerms, c.PriceGroup)
	}
	var area struct{ CustomerPaymentTerms, CustomerPriceGroup string }
	s.get(path, &area)
	if area.CustomerPaymentTerms != "NT30" || area.CustomerPriceGroup != "02" {
		t.Errorf("sales area = %+v, want NT30 and 02", area)
	}
	status, _ = s.send(http.MethodPatch, path, `{"CustomerPriceGroup":"WHOLESALE"}`)
	if status != http.StatusBadRequest {
		t.Errorf("PATCH of a price group over 2 characters = %d, want 400", status)
	}
}
