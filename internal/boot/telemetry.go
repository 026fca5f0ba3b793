package boot

import (
	"context"

	"go.temporal.io/sdk/client"

	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/telemetry"
)

// withTelemetry sets the metrics handler and tracing interceptor that c
// configures on opts.
func withTelemetry(c config.Config, opts *client.Options) error {
	opts.MetricsHandler = telemetry.SDKHandler()
	if !c.Telemetry.Tracing() {
		return nil
	}

	// TODO: spans still buffered when the process exits are lost, because
	// nothing calls Tracing.Shutdown: boot.Temporal hands back only the
	// client, so the worker and starter have no hook to flush the exporter.
	tr, err := telemetry.NewTracing(context.Background(), c.Telemetry.OTelEndpoint,
		c.Telemetry.OTelServiceName)
	if err != nil {
		return err
	}
	opts.Interceptors = append(opts.Interceptors, tr.Interceptor)
	return nil
}
