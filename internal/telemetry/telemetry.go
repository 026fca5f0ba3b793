// Package telemetry holds erpsync's metrics and traces: the process-wide
// Prometheus registry, the business metrics of syncing, the handler through
// which the Temporal SDK reports its own metrics, and OpenTelemetry tracing.
package telemetry

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// registry holds every metric of this process, so that /metrics shows the
// business metrics, the SDK's and the Go runtime's together.
var registry = newRegistry()

// process records the business metrics of this process.
var process = newBusiness(registry)

func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Handler serves the metrics of this process in Prometheus' text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(registry, promhttp.HandlerOpts{})
}
