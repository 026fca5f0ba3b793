package shopifysandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

var testCreds = Credentials{ShopDomain: "erpsync-check.myshopify.com",
	AccessToken: "shpat_check_token", ClientID: "check-client-id",
	ClientSecret: "check-client-secret"}

// serve serves a sandbox over checkModel.
func serve(t *testing.T, opts ...Option) (*httptest.Server, *storesandbox.Model) {
	t.Helper()
	model := checkModel(t)
	sb := New(model, nil, testCreds, opts...)
	t.Cleanup(sb.Close)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return srv, model
}

// answer is a GraphQL answer as the tests read it.
type answer struct {
	Data       map[string]any `json:"data"`
	Errors     []gqlError     `json:"errors"`
	Extensions struct {
		Cost queryCost `json:"cost"`
	} `json:"extensions"`
}

// post sends a GraphQL request to API version and decodes the answer.
func post(t *testing.T, srv *httptest.Server, version, query string,
	vars map[string]any) (int, answer, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/api/"+version+"/graphql.json",
		bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", testCreds.AccessToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a answer
	_ = json.Unmarshal(raw, &a)
	return resp.StatusCode, a, string(raw)
}

func TestSchemaLoads(t *testing.T) {
	if schema.Query == nil || schema.Mutation == nil || schema.Types["Order"] == nil {
		t.Fatal("the embedded schema lacks its roots or Order")
	}
}

func TestGraphQLAnswersKeepTheQueryShape(t *testing.T) {
	srv, _ := serve(t)
	q := `query Q($n: Int!) {
	  a: orders(first: $n, sortKey: ID) { nodes { ...o } pageInfo { hasNextPage } }
	  shop { __typename myshopifyDomain }
	}
	fragment o on Order { id number skip: email @skip(if: true) }`

	status, a, raw := post(t, srv, "2026-10", q, map[string]any{"n": 2})
	want := `"data":{"a":{"nodes":[{"id":"gid://shopify/Order/4","number":1001},` +
		`{"id":"gid://shopify/Order/8","number":1002}],"pageInfo":{"hasNextPage":true}},` +
		`"shop":{"__typename":"Shop","myshopifyDomain":"erpsync-check.myshopify.com"}}`
	if status != 200 || !strings.Contains(raw, want) {
		t.Errorf("answer %d %s, want %s", status, raw, want)
	}
	if c := a.Extensions.Cost; c.RequestedQueryCost < 4 || c.ActualQueryCost == nil ||
		*c.ActualQueryCost > c.RequestedQueryCost || c.ThrottleStatus.MaximumAvailable != 2000 {
		t.Errorf("cost %+v, want requested >= actual and the default bucket", c)
	}
}

func TestGraphQLErrors(t *testing.T) {
	srv, _ := serve(t)
	tests := []struct {
		name, query, want string
	}{
		{"unknown field", `{ shop { nope } }`, "Field 'nope' doesn't exist on type 'Shop'"},
		{"syntax", `{ shop { name `, "Expected Name"},
		{"missing variable", `query($id: ID!) { order(id: $id) { id } }`, "must be defined"},
		{"no page size", `{ orders { nodes { id } } }`, "you must provide one of first or last"},
		{"page too big", `{ orders(first: 251) { nodes { id } } }`, "between 0 and 250"},
		{"bad id", `{ order(id: "1") { id } }`, "Invalid global id '1'"},
		{"too costly", `{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { ` +
			`sku } } } } }`, "exceeds the single query max cost"},
		{"no idempotency key", `mutation { inventorySetQuantities(input: {name: ` +
			`"available", reason: "correction", quantities: []}) { userErrors { code } } }`,
			"@idempotent directive is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, a, raw := post(t, srv, "2026-10", tt.query, nil)
			if status != 200 || len(a.Errors) == 0 || !strings.Contains(a.Errors[0].Message,
				tt.want) {
				t.Errorf("answer %d %s, want an error saying %q", status, raw, tt.want)
			}
		})
	}
}

func TestRefusedTokenGetsShopifysAnswer(t *testing.T) {
	srv, _ := serve(t)
	for _, path := range []string{"/admin/api/2026-10/graphql.json",
		"/admin/api/2026-10/orders.json"} {
		method := http.MethodGet
		if strings.HasSuffix(path, "graphql.json") {
			method = http.MethodPost
		}
		req, _ := http.NewRequest(method, srv.URL+path,
			strings.NewReader(`{"query":"{shop{name}}"}`))
		req.Header.Set("X-Shopify-Access-Token", "wrong")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || string(body) != `{"errors":"`+invalidToken+`"}` {
			t.Errorf("%s %s with a wrong token: %d %s", method, path, resp.StatusCode, body)
		}
	}
}

func TestCostBucketThrottles(t *testing.T) {
	srv, _ := serve(t, WithCostBucket(200, 1))
	if _, a, raw := post(t, srv, "2026-10", `{ orders(first: 150) { nodes { id } } }`,
		nil); len(a.Errors) > 0 {
		t.Fatalf("a query that fits: %s", raw)
	}
	_, a, raw := post(t, srv, "2026-10", `{ orders(first: 250) { nodes { id } } }`, nil)
	ts := a.Extensions.Cost.ThrottleStatus
	if len(a.Errors) != 1 || a.Errors[0].Extensions["code"] != "THROTTLED" ||
		a.Extensions.Cost.RequestedQueryCost != 252 || ts.CurrentlyAvailable >= 252 ||
		a.Data != nil {
		t.Errorf("a query over the bucket: %s, want THROTTLED with the bucket's state", raw)
	}
}

func TestInventoryIsComparedAndIdempotent(t *testing.T) {
	srv, model := serve(t)
	m := `mutation($input: InventorySetQuantitiesInput!, $key: String!) {
	  inventorySetQuantities(input: $input) @idempotent(key: $key) {
	    inventoryAdjustmentGroup { id } userErrors { code field message }
	  }
	}`
	input := func(q int, from any) map[string]any {
		return map[string]any{"name": "available", "reason": "correction",
			"quantities": []any{map[string]any{"inventoryItemId": gid(typeInventoryItem,
				itemIDBase+1), "locationId": gid(typeLocation, 3), "quantity": q,
				"changeFromQuantity": from}}}
	}
	tests := []struct {
		name, key string
		input     map[string]any
		want      string
	}{
		{"set from null", "k1", input(5, nil), `"userErrors":[]`},
		{"replay", "k1", input(5, nil), `"id":"gid://shopify/InventoryAdjustmentGroup/`},
		{"key reused", "k1", input(6, 5), "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"},
		{"stale", "k2", input(7, 1), `"CHANGE_FROM_QUANTITY_STALE","field":["input",` +
			`"quantities","0","changeFromQuantity"]`},
		{"fresh", "k3", input(7, 5), `"userErrors":[]`},
		{"no change-from", "k4", map[string]any{"name": "available", "reason": "correction",
			"quantities": []any{map[string]any{"inventoryItemId": gid(typeInventoryItem,
				itemIDBase+1), "locationId": gid(typeLocation, 3), "quantity": 1}}},
			"changeFromQuantity is required"},
	}
	var firstGroup string
	for _, tt := range tests {
		_, a, raw := post(t, srv, "2026-10", m, map[string]any{"key": tt.key,
			"input": tt.input})
		if !strings.Contains(raw, tt.want) || len(a.Errors) > 0 {
			t.Errorf("%s: %s, want %s", tt.name, raw, tt.want)
		}
		group, _ := json.Marshal(a.Data)
		if tt.name == "set from null" {
			firstGroup = string(group)
		} else if tt.name == "replay" && string(group) != firstGroup {
			t.Errorf("replay answered %s, want the first answer %s", group, firstGroup)
		}
	}
	if got, _ := model.Stock("CHECK-1", "WH-EAST"); got != 7 {
		t.Errorf("stock %d, want 7", got)
	}
}

func TestRESTOrdersPageByLinkAndCountCalls(t *testing.T) {
	srv, _ := serve(t)
	next := srv.URL + "/admin/api/2026-10/orders.json?limit=2&updated_at_min=2000-01-01" +
		"&fields=id,name"
	var ids []float64
	var calls int
	for next != "" && calls < 10 {
		req, _ := http.NewRequest(http.MethodGet, next, nil)
		req.Header.Set("X-Shopify-Access-Token", testCreds.AccessToken)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Orders []map[string]any `json:"orders"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		calls++
		if got := resp.Header.Get("X-Shopify-Shop-Api-Call-Limit"); got == "" {
			t.Errorf("page %d has no call limit header", calls)
		}
		for _, o := range body.Orders {
			if len(o) != 2 || o["name"] == nil {
				t.Errorf("order %v, want only its id and name", o)
			}
			ids = append(ids, o["id"].(float64))
		}
		next = nextLink(resp.Header.Get("Link"))
	}
	if len(ids) != 5 || calls != 3 {
		t.Errorf("paged %v in %d calls, want 5 orders in 3", ids, calls)
	}
}

// nextLink returns the URL of rel="next" in a Link header, or "".
func nextLink(link string) string {
	for _, part := range strings.Split(link, ", ") {
		if u, ok := strings.CutSuffix(part, `>; rel="next"`); ok {
			return strings.TrimPrefix(u, "<")
		}
	}
	return ""
}

func TestRESTCallLimit(t *testing.T) {
	var b restBucket
	now := time.Unix(0, 0)
	b.at = now
	for i := range restBucketSize {
		if _, ok := b.take(now); !ok {
			t.Fatalf("call %d refused, want %d calls", i+1, restBucketSize)
		}
	}
	if wait, ok := b.take(now); ok || wait != 500*time.Millisecond {
		t.Errorf("call over the limit: %v, %v; want a wait of 500ms", wait, ok)
	}
	if _, ok := b.take(now.Add(time.Second)); !ok {
		t.Error("a second later, the bucket has not leaked")
	}
}

func TestSearchSyntax(t *testing.T) {
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	rec := searchable{"sku": `A "B"`, "updated_at": at, "id": int64(7)}
	tests := []struct {
		query string
		want  bool
	}{
		{`sku:"A \"B\""`, true},
		{`sku:'a "b"'`, true},
		{`sku:A*`, true},
		{`sku:B OR id:7`, true},
		{`sku:B OR id:8`, false},
		{`updated_at:>='2026-05-01T09:00:00Z' AND id:<8`, true},
		{`updated_at:>'2026-05-01T09:00:00Z'`, false},
		{`unknown:field`, true},
	}
	for _, tt := range tests {
		s, err := parseSearch(tt.query)
		if err != nil || s.match(rec) != tt.want {
			t.Errorf("parseSearch(%q).match = %v, %v; want %v", tt.query, s.match(rec), err,
				tt.want)
		}
	}
	if _, err := parseSearch(`sku:"open`); err == nil {
		t.Error("an unterminated quote parsed")
	}
}

func TestWebhookSubscriptions(t *testing.T) {
	srv, _ := serve(t)
	create := `mutation($topic: WebhookSubscriptionTopic!, $uri: String!) {
	  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri}) {
	    webhookSubscription { id topic endpoint { __typename ... on WebhookHttpEndpoint {
	      callbackUrl } } }
	    userErrors { field message }
	  }
	}`
	vars := map[string]any{"topic": "ORDERS_CREATE", "uri": "https://example.test/hooks"}
	_, _, raw := post(t, srv, "2026-10", create, vars)
	if !strings.Contains(raw, `"endpoint":{"__typename":"WebhookHttpEndpoint",`+
		`"callbackUrl":"https://example.test/hooks"}`) || !strings.Contains(raw,
		`"userErrors":[]`) {
		t.Errorf("create: %s", raw)
	}
	if _, _, raw := post(t, srv, "2026-10", create, vars); !strings.Contains(raw,
		"already been taken") {
		t.Errorf("create again: %s, want the address taken", raw)
	}
	vars["topic"] = "PRODUCTS_UPDATE"
	if _, a, raw := post(t, srv, "2026-10", create, vars); len(a.Errors) == 0 {
		t.Errorf("create for a topic the sandbox does not serve: %s", raw)
	}

	list := `{ webhookSubscriptions(first: 10, topics: [ORDERS_CREATE]) { nodes { id uri } } }`
	_, a, raw := post(t, srv, "2026-10", list, nil)
	nodes, _ := a.Data["webhookSubscriptions"].(map[string]any)["nodes"].([]any)
	if len(nodes) != 1 {
		t.Fatalf("list: %s, want one subscription", raw)
	}
	del := `mutation($id: ID!) { webhookSubscriptionDelete(id: $id) {
	  deletedWebhookSubscriptionId userErrors { message } } }`
	subID := nodes[0].(map[string]any)["id"]
	if _, _, raw := post(t, srv, "2026-10", del, map[string]any{"id": subID}); !strings.Contains(
		raw, `"deletedWebhookSubscriptionId":"gid://shopify/WebhookSubscription/`) {
		t.Errorf("delete: %s", raw)
	}
}
