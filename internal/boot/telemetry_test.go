package boot

import (
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/erpsync/erpsync/internal/config"
)

func TestWithTelemetrySetsMetricsAndTracing(t *testing.T) {
	var c config.Config
	var opts client.Options
	if err := withTelemetry(c, &opts); err != nil {
		t.Fatal(err)
	}
	if opts.MetricsHandler == nil || len(opts.Interceptors) != 0 {
		t.Fatalf("tracing off: handler %v, %d interceptors", opts.MetricsHandler,
			len(opts.Interceptors))
	}

	c.Telemetry.OTelEndpoint = "http://127.0.0.1:4317"
	c.Telemetry.OTelServiceName = "erpsync-test"
	opts = client.Options{}
	if err := withTelemetry(c, &opts); err != nil {
		t.Fatal(err)
	}
	if len(opts.Interceptors) != 1 {
		t.Fatalf("tracing on: %d interceptors, want 1", len(opts.Interceptors))
	}
}
