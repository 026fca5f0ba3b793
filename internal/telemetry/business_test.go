package telemetry

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func newTestBusiness(t *testing.T) (*Business, http.Handler) {
	t.Helper()
	reg := prometheus.NewRegistry()
	b, err := NewBusiness(reg)
	if err != nil {
		t.Fatal(err)
	}
	return b, promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

func TestBusinessMetricsCarryTheirLabels(t *testing.T) {
	b, h := newTestBusiness(t)

	b.OrderSynced("eu", "odoo", time.Now().Add(-90*time.Second))
	b.OrderSynced("eu", "odoo", time.Time{})
	b.OrderParked("us", "netsuite", "sku")
	b.StockLevelsPushed("eu", 12)
	b.StockLevelsPushed("eu", 0)
	b.WebhookAnswered("shopify", 202, 20*time.Millisecond)
	b.WebhookAnswered("shopify", 401, time.Millisecond)

	text := scrape(t, h)
	wantLines(t, text,
		`erpsync_orders_synced_total{erp="odoo",store="eu"} 2`,
		`erpsync_orders_parked_total{erp="netsuite",field="sku",store="us"} 1`,
		`erpsync_stock_levels_pushed_total{store="eu"} 12`,
		`erpsync_sync_lag_seconds_bucket{le="60"} 0`,
		`erpsync_sync_lag_seconds_bucket{le="120"} 1`,
		`erpsync_sync_lag_seconds_count 1`,
		`erpsync_webhook_answer_seconds_count{code="2xx",platform="shopify"} 1`,
		`erpsync_webhook_answer_seconds_count{code="4xx",platform="shopify"} 1`,
	)
}

func TestNewBusinessRefusesASecondRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := NewBusiness(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := NewBusiness(reg); err == nil {
		t.Fatal("registering the business metrics twice on one registry succeeded")
	}
}

func TestWebhooksMiddlewareObservesOnlyWebhooks(t *testing.T) {
	b, h := newTestBusiness(t)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/{platform}/{store}", func(w http.ResponseWriter,
		r *http.Request) {
		if r.PathValue("store") == "bad" {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {})
	wrapped := b.Webhooks(mux)

	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodPost, "/webhooks/woocommerce/eu", nil),
		httptest.NewRequest(http.MethodPost, "/webhooks/woocommerce/bad", nil),
		httptest.NewRequest(http.MethodPost, "/webhooks/made-up/eu", nil),
		httptest.NewRequest(http.MethodGet, "/healthz", nil),
	} {
		wrapped.ServeHTTP(httptest.NewRecorder(), req)
	}

	text := scrape(t, h)
	wantLines(t, text,
		`erpsync_webhook_answer_seconds_count{code="2xx",platform="woocommerce"} 1`,
		`erpsync_webhook_answer_seconds_count{code="4xx",platform="woocommerce"} 1`,
		`erpsync_webhook_answer_seconds_count{code="2xx",platform="other"} 1`,
	)
	if strings.Contains(text, "healthz") || strings.Contains(text, `platform="made-up"`) {
		t.Errorf("middleware observed a request it should not have:\n%s", text)
	}
}

func TestCodeClass(t *testing.T) {
	for code, want := range map[int]string{200: "2xx", 503: "5xx", 0: "other", 700: "other"} {
		if got := codeClass(code); got != want {
			t.Errorf("codeClass(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestProcessHandlerShowsBusinessAndSDKMetrics(t *testing.T) {
	Default().OrderParked("process-test", "sap", "tax_code")
	SDKHandler().Counter("temporal_workflow_failed").Inc(1)

	text := scrape(t, Handler())
	wantLines(t, text,
		`erpsync_orders_parked_total{erp="sap",field="tax_code",store="process-test"} 1`,
		`temporal_workflow_failed 1`)
	if !strings.Contains(text, "go_goroutines ") {
		t.Error("/metrics lacks the Go runtime's metrics")
	}
}
