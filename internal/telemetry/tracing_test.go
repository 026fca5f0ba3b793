package telemetry

import (
	"context"
	"testing"
	"time"
)

func TestNewTracingMakesAnInterceptorAndShutsDown(t *testing.T) {
	tr, err := NewTracing(context.Background(), "http://127.0.0.1:4317", "erpsync-test")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Interceptor == nil {
		t.Fatal("no interceptor")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with no spans: %v", err)
	}
}

func TestExporterOptionsByScheme(t *testing.T) {
	for endpoint, want := range map[string]int{
		"http://collector:4317":  2, // endpoint and plain text
		"https://collector:4317": 1,
		"collector:4317":         1,
	} {
		if got := len(exporterOptions(endpoint)); got != want {
			t.Errorf("exporterOptions(%q): %d options, want %d", endpoint, got, want)
		}
	}
}
