package bcsandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

var testCreds = Credentials{
	Tenant: "11111111-2222-4333-8444-555555555555", Environment: "Production",
	CompanyID: "5d115c9c-44e3-ea11-bb43-000d3a2feca1", CompanyName: "Check company",
	ClientID: "0a0b0c0d-0000-4000-8000-000000000001", ClientSecret: "right-secret",
}

// testServer is a sandbox over a seeded model, and the clock of its tokens.
type testServer struct {
	*httptest.Server
	model *erpsandbox.Model
	now   atomic.Int64 // unix nanoseconds
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	ts := &testServer{model: erpsandbox.NewModel(nil)}
	ts.now.Store(time.Now().UnixNano())
	if _, err := ts.model.SeedProducts([]erpsandbox.Product{
		{SKU: "A-1", Name: "A", PriceMinor: 100, Currency: "USD"},
		{SKU: "B-1", Name: "B", PriceMinor: 250, Currency: "USD"},
		{SKU: "C-1", Name: "C", PriceMinor: 5, Currency: "USD"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.model.CreateCustomer(erpsandbox.Customer{Name: "O'Hara",
		Email: "ohara@example.com"}); err != nil {
		t.Fatal(err)
	}
	ts.Server = httptest.NewServer(New(ts.model, nil, testCreds,
		WithClock(func() time.Time { return time.Unix(0, ts.now.Load()) })))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) api() string {
	return ts.URL + "/v2.0/" + testCreds.Tenant + "/Production/api/v2.0/companies(" +
		testCreds.CompanyID + ")"
}

// tokenResponse posts a client credentials grant with form and decodes the
// answer.
func (ts *testServer) tokenResponse(t *testing.T, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(ts.URL+"/"+testCreds.Tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token answer is not JSON: %v", err)
	}
	return resp.StatusCode, body
}

func goodForm() url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {testCreds.ClientID},
		"client_secret": {testCreds.ClientSecret}, "scope": {Scope}}
}

func (ts *testServer) token(t *testing.T) string {
	t.Helper()
	status, body := ts.tokenResponse(t, goodForm())
	token, _ := body["access_token"].(string)
	if status != http.StatusOK || token == "" || body["token_type"] != "Bearer" {
		t.Fatalf("token endpoint = %d %v, want a bearer token", status, body)
	}
	return token
}

// call sends one API request and decodes its JSON answer.
func call(t *testing.T, method, u, token, body string, hdr map[string]string) (int,
	map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s answered %d %q, not JSON", method, u, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}

// errorCode returns the code of Business Central's error envelope.
func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func TestTokenEndpointRefusals(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		name   string
		change func(url.Values)
		status int
		err    string
		aadsts string
	}{
		{"bad secret", func(f url.Values) { f.Set("client_secret", "nope") }, 401,
			"invalid_client", "AADSTS7000215"},
		{"no secret", func(f url.Values) { f.Del("client_secret") }, 401, "invalid_client",
			"AADSTS7000218"},
		{"unknown client", func(f url.Values) { f.Set("client_id", "x") }, 400,
			"unauthorized_client", "AADSTS700016"},
		{"wrong grant", func(f url.Values) { f.Set("grant_type", "password") }, 400,
			"unsupported_grant_type", "AADSTS70003"},
		{"wrong scope", func(f url.Values) { f.Set("scope", "https://graph.microsoft.com/x") },
			400, "invalid_scope", "AADSTS1002012"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := goodForm()
			tt.change(form)
			status, body := ts.tokenResponse(t, form)
			desc, _ := body["error_description"].(string)
			if status != tt.status || body["error"] != tt.err ||
				!strings.HasPrefix(desc, tt.aadsts+":") || body["access_token"] != nil {
				t.Errorf("token endpoint = %d %v, want %d %s %s", status, body, tt.status,
					tt.err, tt.aadsts)
			}
		})
	}
}

func TestAPIRefusesMissingUnknownAndExpiredTokens(t *testing.T) {
	ts := newTestServer(t)
	token := ts.token(t)
	if status, _ := call(t, "GET", ts.api()+"/items", token, "", nil); status != 200 {
		t.Fatalf("GET items with a fresh token = %d, want 200", status)
	}

	ts.now.Add(int64(time.Hour)) // past the token's 3599 seconds
	for name, tok := range map[string]string{"missing": "", "unknown": "forged",
		"expired": token} {
		status, body := call(t, "GET", ts.api()+"/items", tok, "", nil)
		if status != http.StatusUnauthorized ||
			errorCode(body) != "Authentication_InvalidCredentials" {
			t.Errorf("%s token: %d %v, want 401 Authentication_InvalidCredentials",
				name, status, body)
		}
	}
}

func TestNextLinkKeepsTheQuery(t *testing.T) {
	ts := newTestServer(t)
	token := ts.token(t)
	link := ts.api() + "/items?$filter=" + url.QueryEscape("number ne 'B-1'") +
		"&$orderby=number&$select=number"

	var numbers []string
	for page := 0; link != ""; page++ {
		if page > 3 {
			t.Fatal("paging does not end")
		}
		status, body := call(t, "GET", link, token, "", map[string]string{
			"Prefer": "odata.maxpagesize=1"})
		if status != 200 {
			t.Fatalf("GET %s = %d %v", link, status, body)
		}
		for _, v := range body["value"].([]any) {
			numbers = append(numbers, v.(map[string]any)["number"].(string))
		}
		link, _ = body["@odata.nextLink"].(string)
	}
	if strings.Join(numbers, ",") != "A-1,C-1" {
		t.Errorf("paged numbers = %v, want A-1,C-1", numbers)
	}
}

func TestFilters(t *testing.T) {
	ts := newTestServer(t)
	token := ts.token(t)
	tests := []struct {
		filter string
		want   int // -1: refused with 400
	}{
		{"number eq 'a-1'", 1},
		{"number eq 'A-1' or number eq 'C-1'", 2},
		{"not (number eq 'A-1') and unitPrice gt 1", 1},
		{"lastModifiedDateTime ge 2000-01-01T00:00:00Z", 3},
		{"lastModifiedDateTime gt 2999-01-01T00:00Z", 0},
		{"displayName eq 'A''s'", 0},
		{"nosuch eq 1", -1},
		{"number eq 'A-1", -1},
		{"number like 'A'", -1},
	}
	for _, tt := range tests {
		status, body := call(t, "GET", ts.api()+"/items?$filter="+url.QueryEscape(tt.filter),
			token, "", nil)
		switch {
		case tt.want < 0 && status != 400:
			t.Errorf("$filter=%s: %d, want 400", tt.filter, status)
		case tt.want >= 0 && (status != 200 || len(body["value"].([]any)) != tt.want):
			t.Errorf("$filter=%s: %d %v, want %d items", tt.filter, status, body, tt.want)
		}
	}

	status, body := call(t, "GET", ts.api()+"/customers?$filter="+
		url.QueryEscape("displayName eq 'o''hara'"), token, "", nil)
	if status != 200 || len(body["value"].([]any)) != 1 {
		t.Errorf("customer by quoted name = %d %v, want one", status, body)
	}
}

func TestSalesOrderCreateRefusals(t *testing.T) {
	ts := newTestServer(t)
	token := ts.token(t)
	customer := ts.model.Customers()[0]
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"reference too long", `{"customerNumber":"` + customerNumber(customer) +
			`","externalDocumentNumber":"` + strings.Repeat("x", 36) + `"}`, 400,
			"Application_StringExceededLength"},
		{"unknown property", `{"customerNumber":"x","shipToPlanet":"Mars"}`, 400, "BadRequest"},
		{"unknown customer", `{"customerNumber":"NOBODY"}`, 404, "Internal_RecordNotFound"},
		{"unknown item", `{"customerId":"` + guidOf(customer.ID) + `","salesOrderLines":[` +
			`{"lineType":"Item","lineObjectNumber":"ZZZ","quantity":1}]}`, 404,
			"Internal_RecordNotFound"},
		{"fractional quantity", `{"customerId":"` + guidOf(customer.ID) + `",` +
			`"salesOrderLines":[{"lineObjectNumber":"A-1","quantity":1.5}]}`, 400,
			"Application_DialogException"},
	}
	for _, tt := range tests {
		status, body := call(t, "POST", ts.api()+"/salesOrders", token, tt.body, nil)
		if status != tt.status || errorCode(body) != tt.code {
			t.Errorf("%s: %d %v, want %d %s", tt.name, status, body, tt.status, tt.code)
		}
	}
	if n := len(ts.model.SalesOrders()); n != 0 {
		t.Errorf("orders after refused creates = %d, want 0", n)
	}
}

func TestCustomerPatchNeedsCurrentETag(t *testing.T) {
	ts := newTestServer(t)
	token := ts.token(t)
	u := ts.api() + "/customers(" + guidOf(ts.model.Customers()[0].ID) + ")"
	_, current := call(t, "GET", u, token, "", nil)
	etag, _ := current["@odata.etag"].(string)

	if status, body := call(t, "PATCH", u, token, `{"city":"Cork"}`, nil); status != 400 {
		t.Errorf("PATCH without If-Match = %d %v, want 400", status, body)
	}
	status, body := call(t, "PATCH", u, token, `{"city":"Cork"}`,
		map[string]string{"If-Match": etag})
	if status != 200 || body["city"] != "Cork" || body["@odata.etag"] == etag {
		t.Fatalf("PATCH with the current ETag = %d %v, want 200 and a new ETag", status, body)
	}
	status, body = call(t, "PATCH", u, token, `{"city":"Cobh"}`,
		map[string]string{"If-Match": etag})
	if status != http.StatusPreconditionFailed || errorCode(body) != "Request_EntityChanged" {
		t.Errorf("PATCH with a stale ETag = %d %v, want 412 Request_EntityChanged", status, body)
	}
}

func TestDeletedSalesOrderIsCancelled(t *testing.T) {
	ts := newTestServer(t)
	token := ts.token(t)
	body := `{"customerId":"` + guidOf(ts.model.Customers()[0].ID) + `",` +
		`"externalDocumentNumber":"demo:9","salesOrderLines":[{"lineObjectNumber":"A-1",` +
		`"quantity":2}]}`
	status, created := call(t, "POST", ts.api()+"/salesOrders", token, body, nil)
	if status != 201 || created["externalDocumentNumber"] != "DEMO:9" ||
		created["totalAmountIncludingTax"] != 2.0 {
		t.Fatalf("POST salesOrders = %d %v, want 201 with the item's price", status, created)
	}

	u := ts.api() + "/salesOrders(" + created["id"].(string) + ")"
	if status, _ := call(t, "DELETE", u, token, "", nil); status != http.StatusNoContent {
		t.Fatalf("DELETE = %d, want 204", status)
	}
	if status, _ := call(t, "GET", u, token, "", nil); status != http.StatusNotFound {
		t.Errorf("GET a deleted order = %d, want 404", status)
	}
	orders := ts.model.SalesOrders()
	if len(orders) != 1 || orders[0].State != erpsandbox.OrderCancelled {
		t.Errorf("model orders = %+v, want one cancelled", orders)
	}
}
