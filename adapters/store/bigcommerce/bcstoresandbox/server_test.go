package bcstoresandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

var testCreds = Credentials{StoreHash: "abc123", StoreID: "1001197568",
	AccessToken: "sandbox-token", ClientID: "sandbox-client", ClientSecret: "sandbox-secret"}

// serve returns a sandbox over a model holding MUG and TEE (on sale), MUG
// stocked at WH-EAST, and one order, served over HTTP.
func serve(t *testing.T, opts ...Option) (*httptest.Server, *Sandbox, *storesandbox.Model,
	*erpsandbox.Faults) {
	t.Helper()
	m := storesandbox.NewModel(nil)
	for _, p := range []storesandbox.Product{
		{SKU: "MUG", Name: "Mug", PriceMinor: 1250, Currency: "EUR"},
		{SKU: "TEE", Name: "Tee", PriceMinor: 2400, SalePriceMinor: 1900, Currency: "EUR"},
	} {
		if _, err := m.CreateProduct(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.SetStock("MUG", "WH-EAST", 5, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := m.CreateOrder(storesandbox.Order{Currency: "EUR",
		Customer: storesandbox.Customer{Email: "ana@example.test", FirstName: "Ana"},
		Lines: []storesandbox.Line{{SKU: "MUG", Name: "Mug", Quantity: 3,
			UnitPriceMinor: 1250, TaxMinor: 100}},
		ShippingMinor: 495, TaxMinor: 150}); err != nil {
		t.Fatal(err)
	}

	faults, err := erpsandbox.NewFaults(erpsandbox.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sb := New(m, faults, testCreds, append([]Option{WithCurrency("EUR")}, opts...)...)
	t.Cleanup(sb.Close)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return srv, sb, m, faults
}

// do sends a request with the sandbox's token (or token, when not "") and
// returns the answer and its body.
func do(t *testing.T, srv *httptest.Server, method, path, body string,
	token ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path,
		strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", testCreds.AccessToken)
	if len(token) > 0 {
		req.Header.Set("X-Auth-Token", token[0])
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

const root = "/stores/abc123"

func TestBadCredentialsAreRefusedInEachVersionsShape(t *testing.T) {
	srv, _, _, _ := serve(t)
	tests := []struct {
		name, path, token string
		v2                bool
	}{
		{"v2 wrong token", root + "/v2/orders", "wrong", true},
		{"v2 no token", root + "/v2/orders", "", true},
		{"v3 wrong token", root + "/v3/inventory/locations", "wrong", false},
		{"v3 another store", "/stores/zz9/v3/inventory/locations", testCreds.AccessToken, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, srv, http.MethodGet, tt.path, "", tt.token)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", resp.StatusCode)
			}
			if tt.v2 {
				var errs []v2Error
				if json.Unmarshal(body, &errs) != nil || len(errs) != 1 || errs[0].Status != 401 {
					t.Errorf("body %s, want [{\"status\":401,\"message\":…}]", body)
				}
				return
			}
			var p problem
			if json.Unmarshal(body, &p) != nil || p.Status != 401 || p.Title == "" ||
				p.Type != problemType {
				t.Errorf("body %s, want a problem object with status 401", body)
			}
		})
	}
}

func TestOrdersListingPagesAndEndsWith204(t *testing.T) {
	srv, _, m, _ := serve(t)
	for range 2 {
		if _, err := m.CreateOrder(storesandbox.Order{Currency: "EUR",
			Customer: storesandbox.Customer{Email: "b@example.test"},
			Lines:    []storesandbox.Line{{SKU: "TEE", Quantity: 1, UnitPriceMinor: 1900}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	since := escape(time.Now().Add(-time.Minute).UTC().Format(time.RFC1123Z))

	resp, body := do(t, srv, http.MethodGet, root+"/v2/orders?sort=date_modified:asc&limit=2"+
		"&page=1&min_date_modified="+since, "")
	var orders []v2Order
	if resp.StatusCode != 200 || json.Unmarshal(body, &orders) != nil || len(orders) != 2 ||
		orders[0].ID > orders[1].ID {
		t.Errorf("page 1: %d %s, want two orders in order", resp.StatusCode, body)
	}
	resp, _ = do(t, srv, http.MethodGet, root+"/v2/orders?limit=2&page=2", "")
	if resp.StatusCode != 200 {
		t.Errorf("page 2: status %d, want 200", resp.StatusCode)
	}
	resp, body = do(t, srv, http.MethodGet, root+"/v2/orders?limit=2&page=3", "")
	if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Errorf("past the end: %d %q, want 204 with an empty body", resp.StatusCode, body)
	}
	future := escape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	if resp, _ = do(t, srv, http.MethodGet, root+"/v2/orders?min_date_modified="+future,
		""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("nothing modified since: status %d, want 204", resp.StatusCode)
	}

	for query, status := range map[string]int{"limit=251": 413, "sort=total:asc": 400,
		"min_date_modified=yesterday": 400} {
		resp, body := do(t, srv, http.MethodGet, root+"/v2/orders?"+query, "")
		var errs []v2Error
		if resp.StatusCode != status || json.Unmarshal(body, &errs) != nil || len(errs) != 1 {
			t.Errorf("%s: %d %s, want %d in V2's error shape", query, resp.StatusCode, body,
				status)
		}
	}
}

func escape(s string) string { return strings.NewReplacer("+", "%2B", " ", "%20").Replace(s) }

func TestOrdersCarryBigCommercesValueShapes(t *testing.T) {
	srv, _, m, _ := serve(t)
	placed := m.ChangedOrders(time.Time{}, time.Time{}, 0, 0)[0]
	id := strconv.FormatInt(placed.ID, 10)

	_, body := do(t, srv, http.MethodGet, root+"/v2/orders/"+id, "")
	var o v2Order
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatal(err)
	}
	if o.TotalIncTax != "43.9500" || o.TotalTax != "1.5000" || o.ShippingCostExTax != "4.9500" ||
		o.ShippingCostTax != "0.5000" || o.SubtotalExTax != "37.5000" || o.CurrencyCode != "EUR" ||
		o.StatusID != 11 || o.BillingAddress.Email != "ana@example.test" ||
		!strings.HasSuffix(o.DateCreated, " +0000") {
		t.Errorf("order = %s, want four-place amounts, RFC 2822 dates and the e-mail", body)
	}
	if _, err := time.Parse(time.RFC1123Z, o.DateModified); err != nil {
		t.Errorf("date_modified %q is not RFC 2822: %v", o.DateModified, err)
	}

	_, body = do(t, srv, http.MethodGet, root+"/v2/orders/"+id+"/products", "")
	var lines []v2Product
	if json.Unmarshal(body, &lines) != nil || len(lines) != 1 || lines[0].SKU != "MUG" ||
		lines[0].PriceExTax != "12.5000" || lines[0].TotalTax != "1.0000" ||
		lines[0].VariantID != variantID(lines[0].ProductID) {
		t.Errorf("products = %s, want the MUG line", body)
	}
	resp, body := do(t, srv, http.MethodGet, root+"/v2/orders/999999", "")
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"status":404`) {
		t.Errorf("unknown order: %d %s, want 404", resp.StatusCode, body)
	}
}

func TestEveryAnswerCarriesTheRateLimitAndA429IsBigCommerces(t *testing.T) {
	srv, _, _, _ := serve(t, WithQuota(2, time.Minute))
	for i := range 2 {
		resp, _ := do(t, srv, http.MethodGet, root+"/v3/inventory/locations", "")
		if resp.StatusCode != 200 || resp.Header.Get(HeaderLeft) != strconv.Itoa(1-i) ||
			resp.Header.Get(HeaderQuota) != "2" || resp.Header.Get(HeaderWindow) != "60000" ||
			resp.Header.Get(HeaderReset) == "" {
			t.Errorf("answer %d: %d with headers %v, want the rate-limit headers", i,
				resp.StatusCode, resp.Header)
		}
	}
	check429 := func(name string, resp *http.Response, body []byte, v2 bool) {
		t.Helper()
		shaped := strings.HasPrefix(string(body), "{\"status\":429")
		if v2 {
			shaped = strings.HasPrefix(string(body), "[{\"status\":429")
		}
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" ||
			resp.Header.Get(HeaderLeft) != "0" || resp.Header.Get(HeaderRetryAfter) == "" ||
			resp.Header.Get(HeaderReset) == "" || !shaped {
			t.Errorf("%s: %d %v %s, want 429 with the rate-limit headers only", name,
				resp.StatusCode, resp.Header, body)
		}
	}
	resp, body := do(t, srv, http.MethodGet, root+"/v3/inventory/locations", "")
	check429("over the quota", resp, body, false)

	srv, _, _, faults := serve(t)
	if err := faults.Enqueue(erpsandbox.Shot{Op: "orders/list",
		Kind: erpsandbox.KindRateLimit, RetryAfterSeconds: 2}); err != nil {
		t.Fatal(err)
	}
	resp, body = do(t, srv, http.MethodGet, root+"/v2/orders", "")
	check429("injected", resp, body, true)
	if resp.Header.Get(HeaderReset) != "2000" || resp.Header.Get(HeaderRetryAfter) != "2" {
		t.Errorf("injected 429 waits %s ms / %s s, want 2000 and 2",
			resp.Header.Get(HeaderReset), resp.Header.Get(HeaderRetryAfter))
	}
}

func TestAdjustmentsAreAllOrNothingWithTheBadItemsNamed(t *testing.T) {
	srv, _, m, _ := serve(t)
	east := m.Locations()[0].ID
	body := `{"reason":"test","items":[` +
		`{"location_id":` + strconv.FormatInt(east, 10) + `,"sku":"MUG","quantity":9},` +
		`{"location_id":` + strconv.FormatInt(east, 10) + `,"sku":"NOPE","quantity":1},` +
		`{"location_id":424242,"sku":"TEE","quantity":1},` +
		`{"location_id":` + strconv.FormatInt(east, 10) + `,"sku":"TEE","quantity":-2}]}`

	resp, got := do(t, srv, http.MethodPut, root+"/v3/inventory/adjustments/absolute", body)
	var p problem
	if resp.StatusCode != 422 || resp.Header.Get("Content-Type") != "application/problem+json" ||
		json.Unmarshal(got, &p) != nil || p.Errors["items.1.sku"] == "" ||
		p.Errors["items.2.location_id"] == "" || p.Errors["items.3.quantity"] == "" ||
		len(p.Errors) != 3 {
		t.Errorf("adjustment = %d %s, want 422 naming items 1, 2 and 3", resp.StatusCode, got)
	}
	if n, _ := m.Stock("MUG", "WH-EAST"); n != 5 {
		t.Errorf("stock of MUG = %d after a refused adjustment, want 5", n)
	}

	good := `{"reason":"test","items":[{"location_id":` + strconv.FormatInt(east, 10) +
		`,"sku":"MUG","quantity":9}]}`
	resp, got = do(t, srv, http.MethodPut, root+"/v3/inventory/adjustments/absolute", good)
	if n, _ := m.Stock("MUG", "WH-EAST"); resp.StatusCode != 200 || n != 9 ||
		!strings.Contains(string(got), "transaction_id") {
		t.Errorf("adjustment = %d %s, stock %d; want a transaction and 9", resp.StatusCode, got, n)
	}
}

func TestMetafieldsConflictAndNeedTheirFields(t *testing.T) {
	srv, _, m, _ := serve(t)
	id := strconv.FormatInt(m.ChangedOrders(time.Time{}, time.Time{}, 0, 0)[0].ID, 10)
	path := root + "/v3/orders/" + id + "/metafields"
	body := `{"permission_set":"app_only","namespace":"erp","key":"sales_order_id","value":"S1"}`

	if resp, got := do(t, srv, http.MethodPost, path, body); resp.StatusCode != 200 ||
		!strings.Contains(string(got), `"value":"S1"`) {
		t.Errorf("create = %d %s, want the metafield", resp.StatusCode, got)
	}
	if resp, _ := do(t, srv, http.MethodPost, path, body); resp.StatusCode != 409 {
		t.Errorf("second create: status %d, want 409", resp.StatusCode)
	}
	resp, got := do(t, srv, http.MethodPost, path, `{"namespace":"erp","key":"k"}`)
	var p problem
	if resp.StatusCode != 422 || json.Unmarshal(got, &p) != nil ||
		p.Errors["permission_set"] == "" || p.Errors["value"] == "" {
		t.Errorf("create without value = %d %s, want 422 naming the fields", resp.StatusCode, got)
	}
}

func TestVariantBatchesAreBoundedAndChecked(t *testing.T) {
	srv, _, m, _ := serve(t)
	mug, _ := m.ProductBySKU("MUG")
	var many []string
	for range maxVariantBatch + 1 {
		many = append(many, `{"id":`+strconv.FormatInt(variantID(mug.ID), 10)+`,"price":1}`)
	}
	if resp, _ := do(t, srv, http.MethodPut, root+"/v3/catalog/variants",
		"["+strings.Join(many, ",")+"]"); resp.StatusCode != 413 {
		t.Errorf("51 variants: status %d, want 413", resp.StatusCode)
	}

	resp, got := do(t, srv, http.MethodPut, root+"/v3/catalog/variants",
		`[{"id":`+strconv.FormatInt(variantID(mug.ID), 10)+`,"price":13.5},{"id":1,"price":1}]`)
	if resp.StatusCode != 422 || !strings.Contains(string(got), "batch_errors") {
		t.Errorf("unknown variant: %d %s, want 422 with batch_errors", resp.StatusCode, got)
	}
	resp, got = do(t, srv, http.MethodPut, root+"/v3/catalog/variants",
		`[{"id":`+strconv.FormatInt(variantID(mug.ID), 10)+`,"price":13.5}]`)
	if p, _ := m.ProductBySKU("MUG"); resp.StatusCode != 200 || p.PriceMinor != 1350 {
		t.Errorf("update = %d %s, price %d; want 1350", resp.StatusCode, got, p.PriceMinor)
	}
}

func TestAHookIsDeactivatedAfterItsLastRetry(t *testing.T) {
	_, sb, m, _ := serve(t, WithWebhookScale(1e-6))
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer down.Close()
	_, err := sb.Subscribe(ScopeOrderCreated, down.URL, map[string]string{"X-S": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Subscribe(ScopeOrderCreated, "http://example.com/hooks", nil); err == nil {
		t.Error("Subscribe(http destination off loopback) succeeded, want it refused")
	}

	if _, err := m.CreateOrder(storesandbox.Order{Currency: "EUR",
		Customer: storesandbox.Customer{Email: "c@example.test"},
		Lines:    []storesandbox.Line{{SKU: "MUG", Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	sb.Sender().Wait()

	st := sb.Stats()
	if st.Webhooks.Attempts != int64(len(RetrySchedule)+1) || st.Webhooks.GaveUp != 1 ||
		st.ActiveHooks != 0 || st.Hooks != 1 {
		t.Errorf("stats %+v, want %d attempts, then the hook deactivated", st,
			len(RetrySchedule)+1)
	}
}
