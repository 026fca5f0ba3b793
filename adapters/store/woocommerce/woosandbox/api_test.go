package woosandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// get sends a signed GET of path and its query to f's plain server.
func (f *fixture) get(t *testing.T, pathAndQuery string) answer {
	t.Helper()
	u := f.srv.URL + "/wp-json/wc/v3/" + pathAndQuery
	return do(t, f.srv.Client(), "GET", goodSigning().sign(t, "GET", u), "", nil)
}

// send sends a signed request with a JSON body to f's plain server.
func (f *fixture) send(t *testing.T, method, path, body string) answer {
	t.Helper()
	u := f.srv.URL + "/wp-json/wc/v3/" + path
	return do(t, f.srv.Client(), method, goodSigning().sign(t, method, u), body, nil)
}

func TestOrderListingPagesWithWordPressHeaders(t *testing.T) {
	f := newFixture(t, "")
	for range 4 {
		_, err := f.model.CreateOrder(storesandbox.Order{Currency: "EUR",
			Customer: storesandbox.Customer{Email: "b@example.test"},
			Lines:    []storesandbox.Line{{SKU: "TEE", Quantity: 2, UnitPriceMinor: 1900}}})
		if err != nil {
			t.Fatal(err)
		}
	}

	a := f.get(t, "orders?per_page=2&page=2&orderby=modified&order=asc&_fields=id,number")
	links := strings.Join(a.header.Values("Link"), ", ")
	if a.status != 200 || a.header.Get("X-WP-Total") != "5" ||
		a.header.Get("X-WP-TotalPages") != "3" || len(a.list) != 2 {
		t.Fatalf("answer %d, total %q, pages %q, %d orders; want page 2 of 3 of 5 orders",
			a.status, a.header.Get("X-WP-Total"), a.header.Get("X-WP-TotalPages"), len(a.list))
	}
	for _, want := range []*regexp.Regexp{regexp.MustCompile(`[?&]page=1[&>][^<]*rel="prev"`),
		regexp.MustCompile(`[?&]page=3[&>][^<]*rel="next"`),
		regexp.MustCompile(`orderby=modified`)} {
		if !want.MatchString(links) {
			t.Errorf("Link %q does not match %s", links, want)
		}
	}
	if strings.Contains(links, "oauth_") {
		t.Errorf("Link %q repeats the signature", links)
	}
	if len(a.list[0]) != 2 || a.list[0]["number"] != "1003" {
		t.Errorf("first order %v, want only id and number 1003", a.list[0])
	}
}

func TestInvalidParametersAreRefused(t *testing.T) {
	f := newFixture(t, "")
	tests := []struct{ query, param, reason string }{
		{"per_page=101", "per_page", "per_page must be between 1 (inclusive) and 100 " +
			"(inclusive)"},
		{"orderby=total", "orderby",
			"orderby is not one of date, id, include, title, slug, and modified."},
		{"modified_after=yesterday", "modified_after", "Invalid date."},
		{"dates_are_gmt=maybe", "dates_are_gmt", "dates_are_gmt is not of type boolean."},
	}
	for _, tt := range tests {
		a := f.get(t, "orders?"+tt.query)
		a.wantError(t, 400, "rest_invalid_param", "Invalid parameter(s): "+tt.param)
		params, _ := a.body["data"].(map[string]any)["params"].(map[string]any)
		if params[tt.param] != tt.reason {
			t.Errorf("%s: params %v, want %q", tt.query, params, tt.reason)
		}
	}
}

func TestOrderMetaIsMatchedByKey(t *testing.T) {
	f := newFixture(t, "")
	path := "orders/" + strconv.FormatInt(f.order.ID, 10)
	for _, v := range []string{"SO-1", "SO-2"} {
		a := f.send(t, "PUT", path,
			`{"meta_data":[{"key":"erp_sales_order_id","value":"`+v+`"}]}`)
		if a.status != 200 {
			t.Fatalf("PUT answered %d %v", a.status, a.body)
		}
	}
	meta, _ := f.get(t, path).body["meta_data"].([]any)
	if len(meta) != 1 || fmt.Sprint(meta[0].(map[string]any)["value"]) != "SO-2" {
		t.Errorf("meta_data %v, want one entry holding SO-2", meta)
	}

	f.send(t, "PUT", path, `{"status":"shipped"}`).wantError(t, 400, "rest_invalid_param",
		"Invalid parameter(s): status")
	f.send(t, "PUT", path, `{"total":"1.00"}`).wantError(t, 400, "rest_invalid_param",
		"Invalid parameter(s): total")
	f.send(t, "PUT", "orders/999", `{"meta_data":[]}`).wantError(t, 400,
		"woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
	f.send(t, "PUT", path, `{"meta_data":`).wantError(t, 400, "rest_invalid_json",
		"Invalid JSON body passed.")
}

func TestProductBatchLimitAndItemErrors(t *testing.T) {
	f := newFixture(t, "")
	mug, _ := f.model.ProductBySKU("MUG")
	items := make([]string, 101)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":%d,"regular_price":"1.00"}`, mug.ID)
	}
	f.send(t, "POST", "products/batch", `{"update":[`+strings.Join(items, ",")+`]}`).
		wantError(t, 413, "woocommerce_rest_request_entity_too_large",
			"Unable to accept more than 100 items for this request.")

	a := f.send(t, "POST", "products/batch", fmt.Sprintf(`{"update":[`+
		`{"id":%d,"manage_stock":true,"stock_quantity":7,"regular_price":"13.00"},`+
		`{"id":999,"stock_quantity":1}]}`, mug.ID))
	updates, _ := a.body["update"].([]any)
	if a.status != 200 || len(updates) != 2 {
		t.Fatalf("batch answered %d %v, want two answers", a.status, a.body)
	}
	ok, refused := updates[0].(map[string]any), updates[1].(map[string]any)
	if ok["stock_quantity"] != float64(7) || ok["regular_price"] != "13.00" {
		t.Errorf("updated product %v, want stock 7 and price 13.00", ok)
	}
	e, _ := refused["error"].(map[string]any)
	if refused["id"] != float64(999) || e["code"] != "woocommerce_rest_product_invalid_id" {
		t.Errorf("refused item %v, want id 999 with woocommerce_rest_product_invalid_id", refused)
	}
	if got, _ := f.model.Stock("MUG", "WH-EAST"); got != 7 {
		t.Errorf("stock of MUG = %d, want 7", got)
	}

	list := f.get(t, "products?sku=TEE,MUG,NONE").list
	if len(list) != 2 || list[1]["on_sale"] != false || list[0]["sale_price"] != "19.00" {
		t.Errorf("products by sku %v, want TEE on sale and MUG", list)
	}
}

func TestRateLimitAnswersWithRetryAfter(t *testing.T) {
	f := newFixture(t, "")
	if err := f.faults.Enqueue(erpsandbox.Shot{Op: "orders/list",
		Kind: erpsandbox.KindRateLimit, RetryAfterSeconds: 3}); err != nil {
		t.Fatal(err)
	}
	a := f.get(t, "orders")
	a.wantError(t, 429, "rate_limit_exceeded",
		"Too many requests. Please wait 3 seconds before trying again.")
	if a.header.Get("Retry-After") != "3" {
		t.Errorf("Retry-After %q, want 3", a.header.Get("Retry-After"))
	}
}

// hookReceiver records the requests that reach it.
type hookReceiver struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reqs, h.body = append(h.reqs, r), append(h.body, b)
}

func TestWebhooksPingThenDeliverSignedOrders(t *testing.T) {
	f := newFixture(t, "")
	rc := &hookReceiver{}
	hooks := httptest.NewServer(rc)
	t.Cleanup(hooks.Close)

	f.send(t, "POST", "webhooks", `{"topic":"order.nothing","delivery_url":"`+hooks.URL+`"}`).
		wantError(t, 400, "woocommerce_rest_shop_webhook_invalid_topic",
			"Webhook topic is required and must be valid.")
	a := f.send(t, "POST", "webhooks", `{"name":"erp","topic":"order.created",`+
		`"delivery_url":"`+hooks.URL+`","secret":"s3cret"}`)
	if a.status != 201 || a.body["status"] != "active" || a.header.Get("Location") == "" {
		t.Fatalf("create answered %d %v", a.status, a.body)
	}
	if len(rc.reqs) != 1 || string(rc.body[0]) != fmt.Sprintf("webhook_id=%v", a.body["id"]) ||
		rc.reqs[0].Header.Get("X-WC-Webhook-Signature") != "" ||
		!strings.HasPrefix(rc.reqs[0].UserAgent(), "WooCommerce/") {
		t.Fatalf("ping %v, want one unsigned webhook_id form from WooCommerce", rc.body)
	}

	o, err := f.model.CreateOrder(storesandbox.Order{Currency: "EUR",
		Customer: storesandbox.Customer{Email: "c@example.test"},
		Lines:    []storesandbox.Line{{SKU: "MUG", Quantity: 1, UnitPriceMinor: 1250}}})
	if err != nil {
		t.Fatal(err)
	}
	f.sb.Sender().Wait()

	if len(rc.reqs) != 2 {
		t.Fatalf("%d requests, want the ping and one delivery", len(rc.reqs))
	}
	r, body := rc.reqs[1], rc.body[1]
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write(body)
	want := map[string]string{
		"X-WC-Webhook-Topic": "order.created", "X-WC-Webhook-Resource": "order",
		"X-WC-Webhook-Event": "created", "X-WC-Webhook-Source": f.srv.URL + "/",
		"X-WC-Webhook-ID":        fmt.Sprint(a.body["id"]),
		"X-WC-Webhook-Signature": base64.StdEncoding.EncodeToString(mac.Sum(nil)),
	}
	for k, v := range want {
		if r.Header.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, r.Header.Get(k), v)
		}
	}
	if r.Header.Get("X-WC-Webhook-Delivery-ID") == "" ||
		!strings.Contains(string(body), fmt.Sprintf(`"id":%d,`, o.ID)) {
		t.Errorf("delivery %s without a delivery id or the order", body)
	}

	hook := fmt.Sprintf("webhooks/%v", a.body["id"])
	if p := f.send(t, "PUT", hook, `{"status":"paused"}`); p.body["status"] != "paused" {
		t.Errorf("pausing answered %d %v", p.status, p.body)
	}
	if g := f.get(t, hook); g.status != 200 || g.body["status"] != "paused" {
		t.Errorf("reading the paused webhook answered %d %v", g.status, g.body)
	}
	f.send(t, "PUT", "webhooks/999", `{"status":"active"}`).wantError(t, 400,
		"woocommerce_rest_shop_webhook_invalid_id", "ID is invalid.")
}
