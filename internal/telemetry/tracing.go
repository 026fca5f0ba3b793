package telemetry

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Tracing sends the spans of workflows and activities to an OTLP gRPC
// collector.
type Tracing struct {
	// Interceptor makes the spans; it goes into client.Options.Interceptors.
	Interceptor interceptor.ClientInterceptor

	provider *sdktrace.TracerProvider
}

// NewTracing sets up tracing to the OTLP gRPC endpoint (host:port, or a URL
// whose http:// scheme sends without TLS), naming this process service.
// Exporting starts lazily: a collector that is down loses spans but does not
// stop erpsync.
func NewTracing(ctx context.Context, endpoint, service string) (*Tracing, error) {
	exporter, err := otlptracegrpc.New(ctx, exporterOptions(endpoint)...)
	if err != nil {
		return nil, fmt.Errorf("create otlp trace exporter for %s: %w", endpoint, err)
	}

	res := resource.NewSchemaless(semconv.ServiceName(service))
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter),
		sdktrace.WithResource(res))
	ic, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{
		Tracer: provider.Tracer("erpsync"),
	})
	if err != nil {
		return nil, fmt.Errorf("create temporal tracing interceptor: %w", err)
	}
	return &Tracing{Interceptor: ic, provider: provider}, nil
}

// Shutdown sends the spans still buffered and stops exporting.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if err := t.provider.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down tracing: %w", err)
	}
	return nil
}

// exporterOptions reads endpoint: "http://host:port" sends in plain text,
// "https://host:port" and a bare "host:port" with TLS.
func exporterOptions(endpoint string) []otlptracegrpc.Option {
	const plain, secure = "http://", "https://"
	switch {
	case len(endpoint) > len(plain) && endpoint[:len(plain)] == plain:
		return []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(endpoint[len(plain):]),
			otlptracegrpc.WithInsecure()}
	case len(endpoint) > len(secure) && endpoint[:len(secure)] == secure:
		return []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(endpoint[len(secure):])}
	}
	return []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(endpoint)}
}
