package telemetry

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// scrape serves reg's metrics and returns the text /metrics answers with.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: status %d: %s", resp.StatusCode, body)
	}
	return string(body)
}

func wantLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, l+"\n") {
			t.Errorf("/metrics lacks %q", l)
		}
	}
}

func TestSDKHandlerRecordsCountersGaugesAndTimers(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewSDKMetrics()
	reg.MustRegister(m)
	h := m.Handler().WithTags(map[string]string{"namespace": "default"})

	wf := h.WithTags(map[string]string{"workflow_type": "OrderWorkflow"})
	wf.Counter("temporal_workflow_completed").Inc(2)
	wf.Counter("temporal_workflow_completed").Inc(1)
	wf.Counter("temporal_workflow_completed").Inc(-5)
	h.Gauge("temporal_num_pollers").Update(4)
	h.Gauge("temporal_num_pollers").Update(3)
	act := h.WithTags(map[string]string{"activity_type": "WriteBack"})
	act.Timer("temporal_activity_execution_latency").Record(30 * time.Millisecond)
	act.Timer("temporal_activity_execution_latency").Record(2 * time.Hour)
	// A tag the SDK adds to a name seen before makes a series of its own.
	h.Counter("temporal_workflow_completed").Inc(7)

	text := scrape(t, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	wantLines(t, text,
		`temporal_workflow_completed{namespace="default",workflow_type="OrderWorkflow"} 3`,
		`temporal_workflow_completed{namespace="default"} 7`,
		`temporal_num_pollers{namespace="default"} 3`,
		`temporal_activity_execution_latency_bucket{activity_type="WriteBack",`+
			`namespace="default",le="0.025"} 0`,
		`temporal_activity_execution_latency_bucket{activity_type="WriteBack",`+
			`namespace="default",le="0.05"} 1`,
		`temporal_activity_execution_latency_bucket{activity_type="WriteBack",`+
			`namespace="default",le="900"} 1`,
		`temporal_activity_execution_latency_bucket{activity_type="WriteBack",`+
			`namespace="default",le="+Inf"} 2`,
		`temporal_activity_execution_latency_count{activity_type="WriteBack",`+
			`namespace="default"} 2`,
		`# TYPE temporal_workflow_completed counter`,
		`# TYPE temporal_num_pollers gauge`,
		`# TYPE temporal_activity_execution_latency histogram`,
	)
}

func TestSDKHandlerSanitizesNamesAndKeepsKindsApart(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewSDKMetrics()
	reg.MustRegister(m)
	h := m.Handler().WithTags(map[string]string{"task-queue": "erpsync"})

	h.WithTags(map[string]string{"le": "x"}).Timer("temporal_odd_timer").Record(time.Second)
	h.WithTags(map[string]string{"bad": "\xff"}).Counter("temporal_odd_name").Inc(5)
	h.Counter("temporal.odd-name").Inc(1)
	// The same name as a gauge is ignored rather than corrupting the counter.
	h.Gauge("temporal.odd-name").Update(99)

	text := scrape(t, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	wantLines(t, text, `temporal_odd_name{task_queue="erpsync"} 1`,
		`temporal_odd_timer_count{tag_le="x",task_queue="erpsync"} 1`)
	if strings.Contains(text, "} 5\n") {
		t.Error("a series with a label value that is not UTF-8 was exported")
	}
}
