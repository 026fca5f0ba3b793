package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/telemetry"
)

func TestServeMetricsServesAndStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	var cfg config.Config
	cfg.Telemetry.WorkerMetricsAddr = addr
	cfg.ShutdownTimeout = time.Second
	telemetry.Default().StockLevelsPushed("worker-test", 3)

	stop, err := serveMetrics(context.Background(), cfg, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := `erpsync_stock_levels_pushed_total{store="worker-test"} 3`
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		t.Fatalf("GET /metrics: status %d, body lacks %q", resp.StatusCode, want)
	}

	stop()
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Fatal("the metrics endpoint still answers after stop")
	}
}

func TestServeMetricsOffAndBusyAddress(t *testing.T) {
	var cfg config.Config
	stop, err := serveMetrics(context.Background(), cfg, zap.NewNop())
	if err != nil {
		t.Fatalf("an empty address: %v", err)
	}
	stop()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg.Telemetry.WorkerMetricsAddr = ln.Addr().String()
	if _, err := serveMetrics(context.Background(), cfg, zap.NewNop()); err == nil {
		t.Fatal("serving on an address in use succeeded")
	}
}
