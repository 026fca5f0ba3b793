package config

import (
	"strings"
	"testing"
)

func TestTelemetryDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Telemetry{Metrics: true, WorkerMetricsAddr: "127.0.0.1:9464",
		OTelServiceName: "erpsync"}
	if c.Telemetry != want {
		t.Errorf("defaults = %+v, want %+v", c.Telemetry, want)
	}
	if c.Telemetry.Tracing() {
		t.Error("tracing is on by default")
	}
}

func TestTelemetrySettings(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		EnvMetrics:           "false",
		EnvWorkerMetricsAddr: "off",
		EnvOTelEndpoint:      "http://otel-collector:4317",
		EnvOTelServiceName:   "erpsync-worker",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := Telemetry{OTelEndpoint: "http://otel-collector:4317",
		OTelServiceName: "erpsync-worker"}
	if c.Telemetry != want {
		t.Errorf("settings = %+v, want %+v", c.Telemetry, want)
	}
	if !c.Telemetry.Tracing() {
		t.Error("an endpoint did not turn tracing on")
	}
}

func TestTelemetryRefusesBadSettings(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{EnvMetrics, "maybe"},
		{EnvWorkerMetricsAddr, "9464"},
		{EnvWorkerMetricsAddr, "127.0.0.1:port"},
		{EnvWorkerMetricsAddr, "127.0.0.1:70000"},
		{EnvOTelEndpoint, "otel-collector"},
		{EnvOTelEndpoint, "http://otel-collector"},
	} {
		_, err := FromEnv(env(map[string]string{tc.key: tc.value}))
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s=%q: err = %v, want one naming %s", tc.key, tc.value, err, tc.key)
		}
	}
}
