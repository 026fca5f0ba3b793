package telemetry

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Names of the business metrics, in one place so that the dashboard can be
// checked against them.
const (
	MetricOrdersSynced       = "erpsync_orders_synced_total"
	MetricOrdersParked       = "erpsync_orders_parked_total"
	MetricSyncLag            = "erpsync_sync_lag_seconds"
	MetricStockLevelsPushed  = "erpsync_stock_levels_pushed_total"
	MetricWebhookAnswer      = "erpsync_webhook_answer_seconds"
	labelStore, labelERP     = "store", "erp"
	labelField, labelPlatfrm = "field", "platform"
	labelCode                = "code"
)

// Business records how syncing goes: orders synced and parked, how long an
// order took from being placed to being in the ERP, stock levels pushed and
// how fast webhooks were answered.
type Business struct {
	synced  *prometheus.CounterVec
	parked  *prometheus.CounterVec
	lag     prometheus.Histogram
	stock   *prometheus.CounterVec
	webhook *prometheus.HistogramVec
}

// Default returns the business metrics of this process, which /metrics
// shows.
func Default() *Business { return process }

// NewBusiness registers a fresh set of business metrics on reg.
func NewBusiness(reg prometheus.Registerer) (*Business, error) {
	b := buildBusiness()
	for _, c := range b.collectors() {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func newBusiness(reg prometheus.Registerer) *Business {
	b, err := NewBusiness(reg)
	if err != nil {
		panic(err) // the names are constants; a clash is a programming error
	}
	return b
}

func buildBusiness() *Business {
	return &Business{
		synced: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricOrdersSynced,
			Help: "Orders written to the ERP, by store and ERP.",
		}, []string{labelStore, labelERP}),
		parked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricOrdersParked,
			Help: "Orders parked for a missing or invalid field, by store, ERP and field.",
		}, []string{labelStore, labelERP, labelField}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    MetricSyncLag,
			Help:    "Seconds from an order being placed to it being in the ERP.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 86400},
		}),
		stock: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricStockLevelsPushed,
			Help: "Stock levels written to a store, by store.",
		}, []string{labelStore}),
		webhook: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricWebhookAnswer,
			Help:    "Seconds the starter took to answer a webhook, by platform and status class.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{labelPlatfrm, labelCode}),
	}
}

func (b *Business) collectors() []prometheus.Collector {
	return []prometheus.Collector{b.synced, b.parked, b.lag, b.stock, b.webhook}
}

// OrderSynced counts an order of store written to erp and, when placed is
// known, observes how long after being placed it got there.
func (b *Business) OrderSynced(store, erp string, placed time.Time) {
	b.synced.WithLabelValues(store, erp).Inc()
	if !placed.IsZero() {
		b.lag.Observe(max(time.Since(placed).Seconds(), 0))
	}
}

// OrderParked counts an order of store parked on its way to erp because of
// field.
func (b *Business) OrderParked(store, erp, field string) {
	b.parked.WithLabelValues(store, erp, field).Inc()
}

// StockLevelsPushed counts n stock levels written to store.
func (b *Business) StockLevelsPushed(store string, n int) {
	if n > 0 {
		b.stock.WithLabelValues(store).Add(float64(n))
	}
}

// WebhookAnswered observes a webhook of platform answered with status code
// after took.
func (b *Business) WebhookAnswered(platform string, code int, took time.Duration) {
	b.webhook.WithLabelValues(platform, codeClass(code)).Observe(took.Seconds())
}

// codeClass names the class of an HTTP status code, such as "2xx".
func codeClass(code int) string {
	if code < 100 || code > 599 {
		return "other"
	}
	return strconv.Itoa(code/100) + "xx"
}

// Webhooks wraps next so that each request to a webhook path, POST
// /webhooks/{platform}/{store} or POST /webhooks/orders/{store}, is
// observed as answered for its platform; other requests pass unobserved.
func (b *Business) Webhooks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		platform, ok := webhookPlatform(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}

		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		b.WebhookAnswered(platform, rec.code, time.Since(start))
	})
}

// knownPlatforms bounds the platform label to the values the receiver
// routes, so that a caller cannot grow the metric with made-up paths.
var knownPlatforms = map[string]bool{
	"orders": true, "shopify": true, "woocommerce": true, "bigcommerce": true,
	"headless": true,
}

// webhookPlatform returns the platform of a webhook request: the path's
// segment after /webhooks/, or "other" for one erpsync does not know.
func webhookPlatform(r *http.Request) (string, bool) {
	const prefix = "/webhooks/"
	if r.Method != http.MethodPost || len(r.URL.Path) <= len(prefix) ||
		r.URL.Path[:len(prefix)] != prefix {
		return "", false
	}
	rest := r.URL.Path[len(prefix):]
	for i := range len(rest) {
		if rest[i] == '/' {
			rest = rest[:i]
			break
		}
	}
	if !knownPlatforms[rest] {
		return "other", true
	}
	return rest, true
}

// statusRecorder remembers the status code a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	code    int
	written bool
}

// WriteHeader records code and passes it on.
func (s *statusRecorder) WriteHeader(code int) {
	if !s.written {
		s.code, s.written = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap gives http.ResponseController the writer underneath.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
