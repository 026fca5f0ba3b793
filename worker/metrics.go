package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/telemetry"
)

// serveMetrics serves the worker's metrics endpoint that cfg configures,
// until the returned function is called.
func serveMetrics(ctx context.Context, cfg config.Config, log *zap.Logger) (func(), error) {
	addr := cfg.Telemetry.WorkerMetricsAddr
	if addr == "" {
		log.Info("metrics endpoint off")
		return func() {}, nil
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s: %w", addr, err)
	}

	stop := startMetricsServer(ln, cfg.ShutdownTimeout, log)
	log.Info("metrics served", zap.String("addr", ln.Addr().String()),
		zap.String("path", "/metrics"))
	return stop, nil
}

// startMetricsServer serves GET /metrics on ln and returns the function
// that stops it, waiting up to timeout for scrapes under way.
func startMetricsServer(ln net.Listener, timeout time.Duration, log *zap.Logger) func() {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", telemetry.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics endpoint stopped", zap.Error(err))
		}
	}()

	return func() {
		if timeout <= 0 {
			timeout = 5 * time.Second
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			log.Warn("stop metrics endpoint", zap.Error(err))
		}
		<-done
	}
}
