package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Names of the environment variables of metrics and tracing.
const (
	EnvMetrics           = "ERPSYNC_METRICS"
	EnvWorkerMetricsAddr = "ERPSYNC_WORKER_METRICS_ADDR"
	EnvOTelEndpoint      = "ERPSYNC_OTEL_ENDPOINT"
	EnvOTelServiceName   = "ERPSYNC_OTEL_SERVICE_NAME"
	DefaultWorkerMetrics = "127.0.0.1:9464"
	DefaultOTelService   = "erpsync"
)

// Telemetry holds the settings of metrics and tracing.
type Telemetry struct {
	// Metrics turns on the starter's GET /metrics on its listen address.
	Metrics bool

	// WorkerMetricsAddr is where the worker serves GET /metrics; empty
	// serves none. The variable turns it off with "off", since an empty
	// variable reads as unset.
	WorkerMetricsAddr string

	// OTelEndpoint is the OTLP gRPC collector that traces go to; empty
	// turns tracing off. OTelServiceName names erpsync in the traces.
	OTelEndpoint    string
	OTelServiceName string
}

// Tracing reports whether traces are sent.
func (t Telemetry) Tracing() bool { return t.OTelEndpoint != "" }

// readTelemetry reads the settings of metrics and tracing through get.
func readTelemetry(get func(key, fallback string) string) (Telemetry, error) {
	on, err := strconv.ParseBool(get(EnvMetrics, "true"))
	if err != nil {
		return Telemetry{}, fmt.Errorf("%s: want true or false: %w", EnvMetrics, err)
	}
	t := Telemetry{
		Metrics:           on,
		WorkerMetricsAddr: get(EnvWorkerMetricsAddr, DefaultWorkerMetrics),
		OTelEndpoint:      get(EnvOTelEndpoint, ""),
		OTelServiceName:   get(EnvOTelServiceName, DefaultOTelService),
	}
	if strings.EqualFold(t.WorkerMetricsAddr, "off") {
		t.WorkerMetricsAddr = ""
	}

	if t.WorkerMetricsAddr != "" {
		if err := checkHostPort(t.WorkerMetricsAddr); err != nil {
			return Telemetry{}, fmt.Errorf("%s: %w", EnvWorkerMetricsAddr, err)
		}
	}
	if t.OTelEndpoint != "" {
		if err := checkHostPort(endpointHost(t.OTelEndpoint)); err != nil {
			return Telemetry{}, fmt.Errorf("%s: %w", EnvOTelEndpoint, err)
		}
	}
	return t, nil
}

// endpointHost strips the http:// or https:// an OTLP endpoint may start
// with.
func endpointHost(endpoint string) string {
	for _, scheme := range []string{"http://", "https://"} {
		if rest, ok := strings.CutPrefix(endpoint, scheme); ok {
			return strings.TrimRight(rest, "/")
		}
	}
	return endpoint
}

// checkHostPort checks that addr is host:port with a port number.
func checkHostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q is not host:port: %w", addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("address %q has no valid port", addr)
	}
	return nil
}
