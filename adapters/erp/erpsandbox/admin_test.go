package erpsandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func adminRequest(t *testing.T, h http.Handler, method, path, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))

	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: body %q is not a JSON object: %v", method, path, rec.Body, err)
	}
	return rec.Code, out
}

func TestAdminFaults(t *testing.T) {
	m, _ := newTestModel()
	f, _ := NewFaults(Config{})
	h := AdminHandler(m, f)

	code, out := adminRequest(t, h, http.MethodPut, "/_sandbox/faults",
		`{"rate_limit":{"probability":0.25,"retry_after_seconds":3,"ops":["sale.order/*"]}}`)
	if code != http.StatusOK {
		t.Fatalf("PUT faults = %d %v, want 200", code, out)
	}
	if got := f.Config().RateLimit; got.Probability != 0.25 || got.RetryAfterSeconds != 3 {
		t.Errorf("Config().RateLimit = %+v, want probability 0.25, retry after 3", got)
	}

	code, out = adminRequest(t, h, http.MethodGet, "/_sandbox/faults", "")
	rl, _ := out["rate_limit"].(map[string]any)
	if code != http.StatusOK || rl["probability"] != 0.25 {
		t.Errorf("GET faults = %d %v, want the config just set", code, out)
	}
}

func TestAdminRefusesBadInput(t *testing.T) {
	tests := []struct {
		name, method, path, body, want string
	}{
		{"not json", http.MethodPut, "/_sandbox/faults", `{"latency":`, "invalid JSON"},
		{"unknown field", http.MethodPut, "/_sandbox/faults", `{"lag":{}}`, "unknown field"},
		{"bad value", http.MethodPut, "/_sandbox/faults",
			`{"server_error":{"probability":7}}`, "server_error.probability"},
		{"trailing data", http.MethodPut, "/_sandbox/faults", `{} {}`, "after the first value"},
		{"bad shot", http.MethodPost, "/_sandbox/faults/next", `{"kind":"meteor"}`, "meteor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestModel()
			f, _ := NewFaults(Config{})
			code, out := adminRequest(t, AdminHandler(m, f), tt.method, tt.path, tt.body)

			reason, _ := out["error"].(string)
			if code != http.StatusBadRequest || !strings.Contains(reason, tt.want) {
				t.Errorf("%s %s = %d %q, want 400 naming %q", tt.method, tt.path, code,
					reason, tt.want)
			}
		})
	}
}

func TestAdminQueueAndStats(t *testing.T) {
	m, _ := newTestModel()
	cust, _, _ := seed(t, m)
	for _, ref := range []string{"demo:1", "demo:1", "demo:2"} {
		if _, err := m.CreateSalesOrder(SalesOrder{CustomerID: cust, Currency: "USD",
			ExternalRef: ref}); err != nil {
			t.Fatalf("CreateSalesOrder() error = %v", err)
		}
	}
	m.CountRequest()
	f, _ := NewFaults(Config{})
	h := AdminHandler(m, f)

	code, out := adminRequest(t, h, http.MethodPost, "/_sandbox/faults/next",
		`[{"op":"sale.order/create","kind":"drop_response","count":2},{"kind":"latency"}]`)
	if code != http.StatusOK || out["queued"] != 2.0 {
		t.Fatalf("POST faults/next = %d %v, want 200 with 2 queued", code, out)
	}
	f.decide("sale.order/create")

	code, out = adminRequest(t, h, http.MethodGet, "/_sandbox/stats", "")
	if code != http.StatusOK {
		t.Fatalf("GET stats = %d, want 200", code)
	}
	var stats Stats
	body, _ := json.Marshal(out)
	if err := json.Unmarshal(body, &stats); err != nil {
		t.Fatalf("stats %s do not decode: %v", body, err)
	}
	if stats.RequestsServed != 1 || stats.FaultsInjected[KindDropResponse] != 1 ||
		stats.FaultsQueued != 2 {
		t.Errorf("stats = %+v, want 1 request, 1 drop injected, 2 shots queued", stats)
	}
	so := stats.SalesOrders
	if so.Total != 3 || so.ExternalRefs != 2 || so.Duplicates["demo:1"] != 2 {
		t.Errorf("sales order stats = %+v, want 3 orders, 2 refs, demo:1 twice", so)
	}
}
