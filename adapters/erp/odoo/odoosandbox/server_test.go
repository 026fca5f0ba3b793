package odoosandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

var testCreds = Credentials{DB: "shop", Login: "admin", Password: "pw", APIKey: "key-123"}

// testServer is a sandbox behind httptest with two products seeded.
type testServer struct {
	t      *testing.T
	url    string
	model  *erpsandbox.Model
	faults *erpsandbox.Faults
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	clock := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	model := erpsandbox.NewModel(func() time.Time { return clock })
	_, err := model.SeedProducts([]erpsandbox.Product{
		{SKU: "W-1", Name: "Widget", PriceMinor: 1999, Currency: "USD"},
		{SKU: "G-1", Name: "Gadget", PriceMinor: 10, Currency: "USD"},
		{SKU: "T-1", Name: "Tea", PriceMinor: 500, Currency: "JPY"},
	})
	if err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	faults, err := erpsandbox.NewFaults(erpsandbox.Config{}, erpsandbox.WithSeed(1))
	if err != nil {
		t.Fatalf("NewFaults() error = %v", err)
	}

	srv := httptest.NewServer(New(model, faults, testCreds))
	t.Cleanup(srv.Close)
	return &testServer{t: t, url: srv.URL, model: model, faults: faults}
}

// post sends a raw body to /jsonrpc and returns the status and body.
func (s *testServer) post(body string) (int, string) {
	s.t.Helper()
	resp, err := http.Post(s.url+"/jsonrpc", "application/json", strings.NewReader(body))
	if err != nil {
		s.t.Fatalf("POST /jsonrpc error = %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// rpcAnswer is a decoded answer, the result kept raw so that tests can
// check the exact JSON numbers.
type rpcAnswer struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   *envelope       `json:"error"`
}

// call sends one JSON-RPC call and decodes the answer.
func (s *testServer) call(service, method string, args ...any) rpcAnswer {
	s.t.Helper()
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "call", "id": 41,
		"params": map[string]any{"service": service, "method": method, "args": args}})
	if err != nil {
		s.t.Fatalf("Marshal() error = %v", err)
	}
	status, out := s.post(string(body))
	if status != http.StatusOK {
		s.t.Fatalf("%s.%s: status %d %s, want 200", service, method, status, out)
	}
	var a rpcAnswer
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		s.t.Fatalf("%s.%s: answer %s is not JSON-RPC: %v", service, method, out, err)
	}
	return a
}

// exec calls execute_kw with the right credentials.
func (s *testServer) exec(model, method string, args []any, kwargs map[string]any) rpcAnswer {
	s.t.Helper()
	return s.call("object", "execute_kw", testCreds.DB, defaultUID, testCreds.APIKey, model,
		method, args, kwargs)
}

// result decodes a successful answer into out.
func (s *testServer) result(a rpcAnswer, out any) {
	s.t.Helper()
	if a.Error != nil {
		s.t.Fatalf("answer is an error: %+v", a.Error)
	}
	if err := json.Unmarshal(a.Result, out); err != nil {
		s.t.Fatalf("result %s does not decode into %T: %v", a.Result, out, err)
	}
}

// wantError checks that a is an Odoo error envelope of the exception name.
func wantError(t *testing.T, a rpcAnswer, name, contains string) {
	t.Helper()
	if a.Error == nil {
		t.Fatalf("answer = result %s, want %s", a.Result, name)
	}
	e := a.Error
	if e.Code != 0 || e.Message != "Odoo Server Error" || e.Data.Name != name ||
		!strings.Contains(e.Data.Message, contains) {
		t.Errorf("error = %+v, want code 0 \"Odoo Server Error\" %s containing %q",
			e, name, contains)
	}
	if len(e.Data.Arguments) != 1 || e.Data.Arguments[0] != e.Data.Message ||
		e.Data.Context == nil || !strings.Contains(e.Data.Debug, name) {
		t.Errorf("error data = %+v, want arguments, context and debug filled", e.Data)
	}
	if string(a.ID) != "41" || a.JSONRPC != "2.0" {
		t.Errorf("envelope id %s jsonrpc %q, want 41 and 2.0", a.ID, a.JSONRPC)
	}
}

func TestCommonService(t *testing.T) {
	s := newTestServer(t)

	var v map[string]any
	s.result(s.call("common", "version"), &v)
	if v["server_serie"] != "19.0" || v["protocol_version"] != 1.0 {
		t.Errorf("version = %v, want serie 19.0 protocol 1", v)
	}

	tests := []struct {
		name   string
		method string
		args   []any
		want   string
	}{
		{"password", "authenticate", []any{"shop", "admin", "pw", map[string]any{}}, "2"},
		{"api key", "authenticate", []any{"shop", "admin", "key-123", map[string]any{}}, "2"},
		{"login", "login", []any{"shop", "admin", "pw"}, "2"},
		{"wrong password", "authenticate", []any{"shop", "admin", "nope", map[string]any{}},
			"false"},
		{"wrong login", "authenticate", []any{"shop", "root", "pw", map[string]any{}}, "false"},
		{"empty password", "login", []any{"shop", "admin", ""}, "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := s.call("common", tt.method, tt.args...)
			if a.Error != nil || string(a.Result) != tt.want {
				t.Errorf("common.%s = %s %+v, want %s", tt.method, a.Result, a.Error, tt.want)
			}
		})
	}

	wantError(t, s.call("common", "authenticate", "other", "admin", "pw", map[string]any{}),
		nameOperational, `database "other" does not exist`)
}

func TestExecuteChecksCredentials(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name string
		args []any
	}{
		{"wrong password", []any{"shop", defaultUID, "nope", "res.partner", "search", []any{}}},
		{"wrong uid", []any{"shop", 7, "pw", "res.partner", "search", []any{}}},
		{"uid false", []any{"shop", false, "pw", "res.partner", "search", []any{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, s.call("object", "execute_kw", tt.args...), nameAccessDenied,
				"Access Denied")
		})
	}
}

func TestMalformedRequests(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"not json", `{"jsonrpc": "2.0",`, http.StatusBadRequest, "Invalid JSON data"},
		{"not an object", `[1, 2]`, http.StatusBadRequest, "Invalid JSON-RPC data"},
		{"params not an object", `{"jsonrpc":"2.0","id":1,"params":[1]}`,
			http.StatusBadRequest, "Invalid JSON-RPC data"},
		{"no service", `{"jsonrpc":"2.0","id":1,"params":{}}`, http.StatusOK, nameTypeError},
		{"unknown service", `{"jsonrpc":"2.0","id":1,"params":{"service":"x","method":"y"}}`,
			http.StatusOK, "Unknown service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.post(tt.body)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("POST %s = %d %q, want %d containing %q", tt.body, status, body,
					tt.status, tt.want)
			}
		})
	}
}

// createOrder creates a partner and a sale.order with the given lines.
func (s *testServer) createOrder(ref string, lines ...any) rpcAnswer {
	s.t.Helper()
	var partner int64
	s.result(s.exec("res.partner", "create", []any{map[string]any{
		"name": "Ada", "email": "ada@example.com"}}, nil), &partner)

	commands := make([]any, len(lines))
	for i, l := range lines {
		commands[i] = []any{0, 0, l}
	}
	return s.exec("sale.order", "create", []any{map[string]any{
		"partner_id": partner, "client_order_ref": ref, "order_line": commands}}, nil)
}

// line is order_line create values with a raw JSON price.
func line(product int, qty int, price string) map[string]any {
	return map[string]any{"product_id": product, "product_uom_qty": qty,
		"price_unit": json.Number(price)}
}

func TestSaleOrderLifecycle(t *testing.T) {
	s := newTestServer(t)

	var id int64
	s.result(s.createOrder("demo:1001", line(1, 2, "19.99"), line(2, 3, "0.1")), &id)
	var ok bool
	s.result(s.exec("sale.order", "action_confirm", []any{[]any{id}}, nil), &ok)

	a := s.exec("sale.order", "read", []any{[]any{id}}, map[string]any{"fields": []any{
		"name", "state", "partner_id", "client_order_ref", "amount_total", "order_line",
		"currency_id", "write_date"}})
	want := fmt.Sprintf(`[{"amount_total":40.28,"client_order_ref":"demo:1001",`+
		`"currency_id":[2,"USD"],"id":%d,"name":"S00001","order_line":[%d,%d],`+
		`"partner_id":[4,"Ada"],"state":"sale","write_date":"2024-05-01 08:00:00"}]`,
		id, id+1, id+2)
	if string(a.Result) != want {
		t.Errorf("read sale.order =\n%s\nwant\n%s", a.Result, want)
	}

	a = s.exec("sale.order.line", "search_read", []any{[]any{[]any{"order_id", "=", id}}},
		map[string]any{"fields": []any{"product_id", "price_unit", "price_subtotal"}})
	wantLines := fmt.Sprintf(`[{"id":%d,"price_subtotal":39.98,"price_unit":19.99,`+
		`"product_id":[1,"[W-1] Widget"]},{"id":%d,"price_subtotal":0.30,"price_unit":0.10,`+
		`"product_id":[2,"[G-1] Gadget"]}]`, id+1, id+2)
	if string(a.Result) != wantLines {
		t.Errorf("search_read sale.order.line =\n%s\nwant\n%s", a.Result, wantLines)
	}

	wantError(t, s.exec("sale.order", "action_confirm", []any{id}, nil), nameUserError,
		"not in a state requiring confirmation")
}

func TestMoneyIsExact(t *testing.T) {
	tests := []struct {
		name     string
		currency int // res.currency id
		product  int
		price    string
		qty      int
		want     int64 // minor units per unit
		wantErr  string
	}{
		{"tenth", 2, 2, "0.1", 3, 10, ""},
		{"two decimals", 2, 1, "19.99", 1, 1999, ""},
		{"exponent form", 2, 1, "1.999e1", 1, 1999, ""},
		{"trailing zeros", 2, 1, "19.9900", 1, 1999, ""},
		{"yen", 4, 3, "500", 2, 500, ""},
		{"yen with decimals", 4, 3, "500.5", 1, 0, "more than 0 decimals"},
		{"cents of cents", 2, 1, "19.999", 1, 0, "more than 2 decimals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t)
			var partner int64
			s.result(s.exec("res.partner", "create", []any{map[string]any{"name": "Ada"}}, nil),
				&partner)

			a := s.exec("sale.order", "create", []any{map[string]any{
				"partner_id": partner, "currency_id": tt.currency,
				"order_line": []any{[]any{0, 0, line(tt.product, tt.qty, tt.price)}}}}, nil)
			if tt.wantErr != "" {
				wantError(t, a, nameValidation, tt.wantErr)
				return
			}
			var id int64
			s.result(a, &id)
			o, _ := s.model.SalesOrder(id)
			if o.Lines[0].UnitPriceMinor != tt.want || o.TotalMinor != tt.want*int64(tt.qty) {
				t.Errorf("stored unit %d total %d, want unit %d total %d",
					o.Lines[0].UnitPriceMinor, o.TotalMinor, tt.want, tt.want*int64(tt.qty))
			}
		})
	}
}

func TestValidationErrors(t *testing.T) {
	s := newTestServer(t)
	var partner int64
	s.result(s.exec("res.partner", "create", []any{map[string]any{"name": "Ada"}}, nil), &partner)

	tests := []struct {
		name   string
		model  string
		method string
		args   []any
		kwargs map[string]any
		want   string
		text   string
	}{
		{"unknown product", "sale.order", "create", []any{map[string]any{"partner_id": partner,
			"order_line": []any{[]any{0, 0, line(999, 1, "1")}}}}, nil,
			nameValidation, "product 999"},
		{"missing partner", "sale.order", "create", []any{map[string]any{
			"client_order_ref": "x"}}, nil, nameValidation, "partner_id"},
		{"unknown partner", "sale.order", "create", []any{map[string]any{"partner_id": 999}},
			nil, nameValidation, "customer 999 does not exist"},
		{"partner without name", "res.partner", "create", []any{map[string]any{
			"email": "x@example.com"}}, nil, nameValidation, "require a name"},
		{"unknown field", "res.partner", "create", []any{map[string]any{"name": "A",
			"colour": "red"}}, nil, nameValueError, `Invalid field "colour"`},
		{"read-only field", "sale.order", "write", []any{[]any{1}, map[string]any{
			"amount_total": 5}}, nil, nameValueError, "read-only"},
		{"missing record", "sale.order", "read", []any{[]any{999}}, nil, nameMissingError,
			"sale.order(999,)"},
		{"unknown read field", "product.product", "read", []any{[]any{1}, []any{"colour"}},
			nil, nameValueError, `Invalid field "colour"`},
		{"unknown model", "sale.quote", "search", []any{[]any{}}, nil, nameUserError,
			"sale.quote doesn't exist"},
		{"unknown method", "sale.order", "explode", []any{[]any{1}}, nil, nameAttributeErr,
			"'explode' does not exist"},
		{"private method", "sale.order", "_compute", []any{[]any{1}}, nil, nameAccessError,
			"Private methods"},
		{"read-only model", "res.currency", "create", []any{map[string]any{"name": "XXX"}},
			nil, nameAccessError, "not allowed"},
		{"bad kwarg", "sale.order", "search", []any{[]any{}}, map[string]any{"colour": 1},
			nameTypeError, "unexpected keyword argument 'colour'"},
		{"doubled argument", "sale.order", "search_read", []any{[]any{}},
			map[string]any{"domain": []any{}}, nameTypeError, "multiple values"},
		{"bad domain", "sale.order", "search", []any{[]any{[]any{"colour", "=", 1}}}, nil,
			nameValueError, `Invalid field "colour"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, s.exec(tt.model, tt.method, tt.args, tt.kwargs), tt.want, tt.text)
		})
	}
	if n := len(s.model.SalesOrders()); n != 0 {
		t.Errorf("refused creates left %d orders, want 0", n)
	}
}

func TestSearchMethods(t *testing.T) {
	s := newTestServer(t)

	var ids []int64
	s.result(s.exec("product.product", "search", []any{[]any{}},
		map[string]any{"order": "list_price desc", "limit": 2, "offset": 1}), &ids)
	if fmt.Sprint(ids) != "[1 2]" {
		t.Errorf("search ordered by price desc, offset 1, limit 2 = %v, want [1 2]", ids)
	}

	var count int64
	s.result(s.exec("product.product", "search_count",
		[]any{[]any{[]any{"default_code", "in", []any{"W-1", "T-1", "X"}}}}, nil), &count)
	if count != 2 {
		t.Errorf("search_count = %d, want 2", count)
	}

	// Positional domain and fields, keyword options, as client libraries send them.
	a := s.exec("product.product", "search_read",
		[]any{[]any{[]any{"default_code", "=", "W-1"}}, []any{"default_code", "list_price"}},
		map[string]any{"limit": 5, "context": map[string]any{"lang": "en_US"}})
	if string(a.Result) != `[{"default_code":"W-1","id":1,"list_price":19.99}]` {
		t.Errorf("search_read = %s", a.Result)
	}

	var currencies []map[string]any
	s.result(s.exec("res.currency", "search_read", []any{[]any{}},
		map[string]any{"fields": []any{"name"}}), &currencies)
	if len(currencies) != 4 {
		t.Errorf("active currencies = %v, want USD, EUR, GBP and JPY", currencies)
	}
}

func TestWrite(t *testing.T) {
	s := newTestServer(t)
	var id int64
	s.result(s.createOrder("demo:1", line(1, 1, "19.99")), &id)

	var ok bool
	s.result(s.exec("sale.order", "write", []any{[]any{id}, map[string]any{
		"client_order_ref": "demo:2",
		"order_line": []any{
			[]any{1, id + 1, map[string]any{"product_uom_qty": 4}},
			[]any{0, 0, line(2, 1, "0.05")},
		}}}, nil), &ok)

	o, _ := s.model.SalesOrder(id)
	if o.ExternalRef != "demo:2" || len(o.Lines) != 2 || o.TotalMinor != 4*1999+5 {
		t.Errorf("order after write = %+v, want ref demo:2, 2 lines, total %d", o, 4*1999+5)
	}

	s.result(s.exec("sale.order", "write", []any{[]any{id}, map[string]any{
		"order_line": []any{[]any{2, id + 1}}}}, nil), &ok)
	if o, _ = s.model.SalesOrder(id); len(o.Lines) != 1 || o.TotalMinor != 5 {
		t.Errorf("order after deleting a line = %+v, want one line, total 5", o)
	}
}

func TestFaultsUseOperationNames(t *testing.T) {
	s := newTestServer(t)
	if err := s.faults.Enqueue(
		erpsandbox.Shot{Op: "common/authenticate", Kind: erpsandbox.KindRateLimit,
			RetryAfterSeconds: 4},
		erpsandbox.Shot{Op: "sale.order/create", Kind: erpsandbox.KindDropResponse},
	); err != nil {
		t.Fatalf("Enqueue() error = %v", err)
	}

	resp, err := http.Post(s.url+"/jsonrpc", "application/json", strings.NewReader(
		`{"jsonrpc":"2.0","method":"call","id":1,"params":{"service":"common",`+
			`"method":"authenticate","args":["shop","admin","pw",{}]}}`))
	if err != nil {
		t.Fatalf("POST authenticate error = %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "4" {
		t.Errorf("authenticate = %d Retry-After %q, want 429 \"4\"", resp.StatusCode,
			resp.Header.Get("Retry-After"))
	}

	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "call", "id": 2,
		"params": map[string]any{"service": "object", "method": "execute_kw", "args": []any{
			"shop", 2, "pw", "res.partner", "create", []any{map[string]any{"name": "A"}}}}})
	if _, err := http.Post(s.url+"/jsonrpc", "application/json", strings.NewReader(
		string(body))); err != nil {
		t.Fatalf("res.partner/create was dropped, only sale.order/create should be: %v", err)
	}
	body, _ = json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "call", "id": 3,
		"params": map[string]any{"service": "object", "method": "execute_kw", "args": []any{
			"shop", 2, "pw", "sale.order", "create", []any{map[string]any{"partner_id": 4,
				"client_order_ref": "demo:9"}}}}})
	resp, err = http.Post(s.url+"/jsonrpc", "application/json", strings.NewReader(string(body)))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("sale.order/create answered %d, want the connection dropped", resp.StatusCode)
	}
	if got := s.model.SalesOrdersByExternalRef()["demo:9"]; got != 1 {
		t.Errorf("orders with demo:9 = %d, want 1: the create must be committed", got)
	}
	if got := s.model.RequestsServed(); got != 3 {
		t.Errorf("RequestsServed() = %d, want 3", got)
	}
}

func TestAdminMounted(t *testing.T) {
	s := newTestServer(t)
	resp, err := http.Get(s.url + "/_sandbox/stats")
	if err != nil {
		t.Fatalf("GET /_sandbox/stats error = %v", err)
	}
	defer resp.Body.Close()
	var stats erpsandbox.Stats
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil || resp.StatusCode != 200 {
		t.Errorf("GET /_sandbox/stats = %d, %v, want 200 with stats", resp.StatusCode, err)
	}
}
