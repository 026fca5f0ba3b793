package main

import (
	"net/http"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/telemetry"
)

// registerMetrics serves the metrics endpoint that cfg configures on mux.
func registerMetrics(mux *http.ServeMux, cfg config.Config, log *zap.Logger) error {
	if !cfg.Telemetry.Metrics {
		log.Info("metrics endpoint off")
		return nil
	}
	mux.Handle("GET /metrics", telemetry.Handler())
	log.Info("metrics served", zap.String("path", "/metrics"))
	return nil
}
