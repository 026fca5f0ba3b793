package sapsandbox

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

var testCreds = Credentials{User: "COMM_USER", Password: "secret-password"}

const salesOrders = "/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder"

// testServer serves a sandbox over a model with two products and one
// customer, with faults that tests can queue.
func testServer(t *testing.T) (*httptest.Server, *erpsandbox.Model, *erpsandbox.Faults) {
	t.Helper()
	model := erpsandbox.NewModel(nil)
	if _, err := model.SeedProducts([]erpsandbox.Product{
		{SKU: "MUG", Name: "Mug", PriceMinor: 1250, Currency: "EUR"},
		{SKU: "TEE", Name: "Tee", PriceMinor: 2400, Currency: "EUR"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := model.CreateCustomer(erpsandbox.Customer{Name: "Ada Lovelace",
		Email: "ada@example.com"}); err != nil {
		t.Fatal(err)
	}
	faults, err := erpsandbox.NewFaults(erpsandbox.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(model, faults, testCreds))
	t.Cleanup(srv.Close)
	return srv, model, faults
}

// do sends a request with the test credentials and returns the answer and
// its body.
func do(t *testing.T, c *http.Client, method, url, body string,
	headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(testCreds.User, testCreds.Password)
	req.Header.Set("Accept", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func jarClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

const orderBody = `{"SoldToParty":"3","PurchaseOrderByCustomer":"demo:1",
	"to_Item":{"results":[{"Material":"MUG","RequestedQuantity":"2"}]}}`

func TestWrongPasswordGets401(t *testing.T) {
	srv, _, _ := testServer(t)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+salesOrders, nil)
	req.SetBasicAuth(testCreds.User, "nope")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized ||
		!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic realm=") {
		t.Errorf("wrong password answered %d with %q, want 401 with a Basic challenge",
			resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

func TestModifyingNeedsTheSessionsToken(t *testing.T) {
	srv, model, _ := testServer(t)
	c := jarClient(t)

	resp, body := do(t, c, http.MethodPost, srv.URL+salesOrders, orderBody, nil)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-CSRF-Token") != "Required" ||
		body != "CSRF token validation failed" {
		t.Fatalf("POST without a token = %d %q %q, want 403 Required", resp.StatusCode,
			resp.Header.Get("X-CSRF-Token"), body)
	}

	// The Cloud SDK fetches with HEAD on the resource URL and a slash.
	resp, _ = do(t, c, http.MethodHead, srv.URL+salesOrders+"/", "",
		map[string]string{"X-CSRF-Token": "Fetch"})
	token := resp.Header.Get("X-CSRF-Token")
	if resp.StatusCode != http.StatusOK || token == "" || len(resp.Cookies()) == 0 {
		t.Fatalf("HEAD fetch = %d, token %q, %d cookies", resp.StatusCode, token,
			len(resp.Cookies()))
	}

	resp, _ = do(t, http.DefaultClient, http.MethodPost, srv.URL+salesOrders, orderBody,
		map[string]string{"X-CSRF-Token": token})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST with the token but without the cookies = %d, want 403", resp.StatusCode)
	}
	resp, body = do(t, c, http.MethodPost, srv.URL+salesOrders, orderBody,
		map[string]string{"X-CSRF-Token": token, "Content-Type": "application/json"})
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"SalesOrder":"4"`) {
		t.Fatalf("POST with token and cookies = %d %s, want 201", resp.StatusCode, body)
	}
	if n := len(model.SalesOrders()); n != 1 {
		t.Errorf("model holds %d orders, want 1", n)
	}
}

// fetchToken starts a session on c and returns its token.
func fetchToken(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, _ := do(t, c, http.MethodGet, url, "", map[string]string{"X-CSRF-Token": "Fetch"})
	return resp.Header.Get("X-CSRF-Token")
}

func TestQueryOptionsAndEnvelope(t *testing.T) {
	srv, _, _ := testServer(t)
	url := srv.URL + "/sap/opu/odata/sap/API_PRODUCT_SRV/A_Product?" +
		"$filter=Product%20ne%20'X'&$orderby=Product%20desc&$top=1&$skip=1" +
		"&$inlinecount=allpages&$expand=to_Valuation&$select=Product,to_Valuation"

	resp, body := do(t, http.DefaultClient, http.MethodGet, url, "", nil)
	var got struct {
		D struct {
			Count   string `json:"__count"`
			Results []struct {
				Product     string `json:"Product"`
				ProductType *string
				Valuation   struct {
					Results []struct{ StandardPrice string }
				} `json:"to_Valuation"`
			} `json:"results"`
		} `json:"d"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET = %d %s (%v)", resp.StatusCode, body, err)
	}
	r := got.D.Results
	if got.D.Count != "2" || len(r) != 1 || r[0].Product != "MUG" || r[0].ProductType != nil ||
		len(r[0].Valuation.Results) != 1 || r[0].Valuation.Results[0].StandardPrice != "12.50" {
		t.Errorf("answer = %s, want MUG alone with count 2 and its price", body)
	}
}

func TestServerSidePagingLinksTheNextPage(t *testing.T) {
	model := erpsandbox.NewModel(nil)
	for _, sku := range []string{"A", "B", "C"} {
		if _, err := model.CreateProduct(erpsandbox.Product{SKU: sku, Name: sku,
			Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(New(model, nil, testCreds, WithPageLimit(2)))
	defer srv.Close()

	url := srv.URL + "/sap/opu/odata/sap/API_PRODUCT_SRV/A_Product?$select=Product"
	var seen []string
	for range 3 {
		_, body := do(t, http.DefaultClient, http.MethodGet, url, "", nil)
		var page struct {
			D struct {
				Results []struct{ Product string }
				Next    string `json:"__next"`
			} `json:"d"`
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatalf("answer %s: %v", body, err)
		}
		for _, r := range page.D.Results {
			seen = append(seen, r.Product)
		}
		if url = page.D.Next; url == "" {
			break
		}
	}
	if strings.Join(seen, ",") != "A,B,C" || url != "" {
		t.Errorf("pages held %v, next %q; want A,B then C and no next link", seen, url)
	}
}

func TestErrorsInSAPFormat(t *testing.T) {
	srv, _, _ := testServer(t)
	tests := []struct {
		name, method, path, body string
		status                   int
		message                  string
	}{
		{"unknown property", http.MethodGet, salesOrders + "?$filter=Nope%20eq%20'1'", "",
			400, "property Nope not found"},
		{"bad literal", http.MethodGet, salesOrders + "?$filter=SalesOrder%20eq%20'1", "",
			400, "unterminated"},
		{"unknown entity", http.MethodGet, salesOrders + "('999')", "", 404, "not found"},
		{"bad key", http.MethodGet, salesOrders + "('1)", "", 400, "Invalid key predicate"},
		{"unknown material", http.MethodPost, salesOrders,
			`{"SoldToParty":"3","to_Item":[{"Material":"NOPE","RequestedQuantity":"1"}]}`,
			400, "The material NOPE does not exist"},
		{"reference too long", http.MethodPost, salesOrders, `{"SoldToParty":"3",` +
			`"PurchaseOrderByCustomer":"` + strings.Repeat("x", 36) + `"}`, 400, "35"},
		{"no if-match", http.MethodPatch,
			"/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner('3')",
			`{"LastName":"X"}`, 428, "If-Match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := jarClient(t)
			token := fetchToken(t, c, srv.URL+salesOrders)
			resp, body := do(t, c, tt.method, srv.URL+tt.path, tt.body,
				map[string]string{"X-CSRF-Token": token})
			var env struct {
				Error struct {
					Code    string
					Message struct{ Lang, Value string }
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(body), &env); err != nil {
				t.Fatalf("body %q is not an error envelope: %v", body, err)
			}
			if resp.StatusCode != tt.status || env.Error.Code == "" ||
				env.Error.Message.Lang != "en" ||
				!strings.Contains(env.Error.Message.Value, tt.message) {
				t.Errorf("answer = %d %s, want %d with %q", resp.StatusCode, body, tt.status,
					tt.message)
			}
		})
	}
}

func TestUpdateWithETag(t *testing.T) {
	srv, model, _ := testServer(t)
	c := jarClient(t)
	url := srv.URL + "/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner('3')"
	token := fetchToken(t, c, url)

	resp, _ := do(t, c, http.MethodGet, url, "", nil)
	etag := resp.Header.Get("ETag")
	resp, body := do(t, c, http.MethodPost, url, `{"FirstName":"Augusta"}`,
		map[string]string{"X-CSRF-Token": token, "If-Match": etag, "X-HTTP-Method": "MERGE"})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("MERGE with the ETag = %d %s, want 204", resp.StatusCode, body)
	}
	if c, _ := model.Customer(3); c.Name != "Augusta Lovelace" {
		t.Errorf("customer after MERGE = %+v, want Augusta Lovelace", c)
	}
}

func TestFaultsUseOperationNames(t *testing.T) {
	srv, _, faults := testServer(t)
	if err := faults.Enqueue(erpsandbox.Shot{Kind: erpsandbox.KindRateLimit,
		Op: "API_SALES_ORDER_SRV/A_SalesOrder/GET", RetryAfterSeconds: 3}); err != nil {
		t.Fatal(err)
	}

	resp, _ := do(t, http.DefaultClient, http.MethodGet, srv.URL+salesOrders, "", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("GET under a rate-limit shot = %d, Retry-After %q", resp.StatusCode,
			resp.Header.Get("Retry-After"))
	}
	resp, _ = do(t, http.DefaultClient, http.MethodGet, srv.URL+salesOrders, "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET after the shot = %d, want 200", resp.StatusCode)
	}
}

func TestMetadataIsXML(t *testing.T) {
	srv, _, _ := testServer(t)
	for _, service := range []string{"API_SALES_ORDER_SRV", "API_BUSINESS_PARTNER",
		"API_PRODUCT_SRV", "API_MATERIAL_STOCK_SRV", "API_OUTBOUND_DELIVERY_SRV;v=0002"} {
		resp, body := do(t, http.DefaultClient, http.MethodGet,
			srv.URL+"/sap/opu/odata/sap/"+service+"/$metadata", "", nil)
		dec := xml.NewDecoder(strings.NewReader(body))
		sets := 0
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s $metadata is not XML: %v", service, err)
			}
			if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "EntitySet" {
				sets++
			}
		}
		if resp.StatusCode != http.StatusOK || sets == 0 {
			t.Errorf("%s $metadata = %d with %d entity sets", service, resp.StatusCode, sets)
		}
	}
}
