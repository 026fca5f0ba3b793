package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/config"
)

func TestRegisterMetricsFollowsTheSetting(t *testing.T) {
	for _, on := range []bool{true, false} {
		mux := http.NewServeMux()
		var cfg config.Config
		cfg.Telemetry.Metrics = on
		if err := registerMetrics(mux, cfg, zap.NewNop()); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))

		served := rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), "go_goroutines")
		if served != on {
			t.Errorf("metrics on=%t: GET /metrics answered %d", on, rec.Code)
		}
	}
}
