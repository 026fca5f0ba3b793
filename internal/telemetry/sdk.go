package telemetry

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// timerBuckets are the upper bounds, in seconds, of the histograms that
// hold the SDK's timers: from a fast workflow task to a long activity.
var timerBuckets = []float64{
	.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900,
}

var (
	sdkOnce    sync.Once
	sdkMetrics *SDKMetrics
)

// SDKHandler returns the handler through which the Temporal SDK reports its
// metrics to this process' /metrics.
func SDKHandler() client.MetricsHandler {
	sdkOnce.Do(func() {
		sdkMetrics = NewSDKMetrics()
		registry.MustRegister(sdkMetrics)
	})
	return sdkMetrics.Handler()
}

// SDKMetrics holds the metrics the Temporal SDK reports, under the SDK's own
// names (such as temporal_workflow_completed), with its tags as labels:
// counters and gauges as they are, timers as histograms in seconds. It is a
// prometheus.Collector; the SDK tags a metric differently from call to call,
// so a name's label set is not fixed in advance.
type SDKMetrics struct {
	mu     sync.Mutex
	series map[string]*series
}

// series is one metric name with one set of label values.
type series struct {
	kind    prometheus.ValueType // CounterValue, GaugeValue or UntypedValue for a timer
	name    string
	keys    []string
	values  []string
	value   float64
	count   uint64
	sum     float64
	buckets []uint64
}

// NewSDKMetrics returns an empty set of SDK metrics, to be registered on a
// prometheus.Registerer.
func NewSDKMetrics() *SDKMetrics {
	return &SDKMetrics{series: map[string]*series{}}
}

// Handler returns a client.MetricsHandler that records into m.
func (m *SDKMetrics) Handler() client.MetricsHandler {
	return sdkHandler{metrics: m}
}

// Describe sends nothing: the label sets are only known as the SDK reports.
func (m *SDKMetrics) Describe(chan<- *prometheus.Desc) {}

// Collect sends the current value of every series.
func (m *SDKMetrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()

	for _, s := range m.series {
		desc := prometheus.NewDesc(s.name, "Reported by the Temporal SDK.", s.keys, nil)
		if metric, err := s.metric(desc); err == nil {
			ch <- metric
		}
		// A series whose label values are not valid UTF-8 is left out
		// rather than failing the whole scrape.
	}
}

// metric makes the Prometheus metric of s, described by desc.
func (s *series) metric(desc *prometheus.Desc) (prometheus.Metric, error) {
	if s.kind != prometheus.UntypedValue {
		return prometheus.NewConstMetric(desc, s.kind, s.value, s.values...)
	}
	cumulative := make(map[float64]uint64, len(timerBuckets))
	var total uint64
	for i, bound := range timerBuckets {
		total += s.buckets[i]
		cumulative[bound] = total
	}
	return prometheus.NewConstHistogram(desc, s.count, s.sum, cumulative, s.values...)
}

// update finds or makes the series of name and tags and changes it by f.
func (m *SDKMetrics) update(kind prometheus.ValueType, name string, tags map[string]string,
	f func(*series)) {
	keys := slices.Sorted(maps.Keys(tags))
	values := make([]string, len(keys))
	var id strings.Builder
	id.WriteString(name)
	for i, k := range keys {
		values[i] = tags[k]
		id.WriteString("\xff" + k + "\xfe" + tags[k])
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.series[id.String()]
	if !ok {
		s = &series{kind: kind, name: name, keys: keys, values: values}
		if kind == prometheus.UntypedValue {
			s.buckets = make([]uint64, len(timerBuckets))
		}
		m.series[id.String()] = s
	}
	if s.kind == kind {
		f(s)
	}
}

// sdkHandler is one view of SDKMetrics with a set of tags.
type sdkHandler struct {
	metrics *SDKMetrics
	tags    map[string]string
}

// WithTags returns a handler whose metrics carry tags on top of h's.
func (h sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(h.tags)+len(tags))
	maps.Copy(merged, h.tags)
	for k, v := range tags {
		merged[labelName(k)] = v
	}
	return sdkHandler{metrics: h.metrics, tags: merged}
}

// Counter returns the counter of name.
func (h sdkHandler) Counter(name string) client.MetricsCounter {
	name = metricName(name)
	return counterFunc(func(d int64) {
		if d < 0 {
			return // a Prometheus counter only goes up
		}
		h.metrics.update(prometheus.CounterValue, name, h.tags, func(s *series) {
			s.value += float64(d)
		})
	})
}

// Gauge returns the gauge of name.
func (h sdkHandler) Gauge(name string) client.MetricsGauge {
	name = metricName(name)
	return gaugeFunc(func(v float64) {
		h.metrics.update(prometheus.GaugeValue, name, h.tags, func(s *series) {
			s.value = v
		})
	})
}

// Timer returns the timer of name, kept as a histogram in seconds.
func (h sdkHandler) Timer(name string) client.MetricsTimer {
	name = metricName(name)
	return timerFunc(func(d time.Duration) {
		h.metrics.update(prometheus.UntypedValue, name, h.tags, func(s *series) {
			sec := d.Seconds()
			s.count++
			s.sum += sec
			if i, _ := slices.BinarySearch(timerBuckets, sec); i < len(s.buckets) {
				s.buckets[i]++
			}
		})
	})
}

// metricName makes name a valid Prometheus metric name.
func metricName(name string) string { return sanitize(name, true) }

// labelName makes name a valid Prometheus label name, and one that does not
// clash with the le label of a histogram's buckets.
func labelName(name string) string {
	if name = sanitize(name, false); name == "le" || strings.HasPrefix(name, "__") {
		return "tag_" + strings.TrimLeft(name, "_")
	}
	return name
}

// sanitize replaces each character Prometheus does not allow in a name with
// an underscore, and a leading digit too.
func sanitize(name string, colon bool) string {
	b := []byte(name)
	for i, c := range b {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
			(i > 0 && c >= '0' && c <= '9') || (colon && c == ':')
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}

// counterFunc, gaugeFunc and timerFunc make a client.MetricsCounter,
// client.MetricsGauge and client.MetricsTimer of a function.
type (
	counterFunc func(int64)
	gaugeFunc   func(float64)
	timerFunc   func(time.Duration)
)

// Inc adds d to the counter.
func (f counterFunc) Inc(d int64) { f(d) }

// Update sets the gauge to v.
func (f gaugeFunc) Update(v float64) { f(v) }

// Record observes d.
func (f timerFunc) Record(d time.Duration) { f(d) }
