package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/boot"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/intake"
	"github.com/erpsync/erpsync/internal/shops"
	"github.com/erpsync/erpsync/internal/telemetry"
	"github.com/erpsync/erpsync/workflows"
)

// serve runs the webhook receiver until ctx is done, then drains requests in
// flight within the configured shutdown timeout.
func serve(ctx context.Context, cfg config.Config) error {
	if err := cfg.CheckStarter(); err != nil {
		return err
	}
	log, err := boot.Logger(cfg.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	log.Info("starter starting", zap.Stringer("config", cfg))

	pool, err := boot.Database(ctx, cfg.DatabaseURL, 0)
	if err != nil {
		return err
	}
	defer pool.Close()
	stores, err := shops.Open(cfg, pool, log)
	if err != nil {
		return err
	}
	sources := map[string]intake.Source{}
	for name, st := range stores {
		sources[name] = intake.Source{Platform: cfg.Stores[name].Platform, Verifier: st}
	}

	tc, err := boot.Temporal(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer tc.Close()

	mux := http.NewServeMux()
	starter := &intake.TemporalStarter{Client: tc, TaskQueue: cfg.TaskQueue}
	intake.NewHandler(sources, starter, intake.NewPGDeliveries(pool), log.Named("intake"),
		workflows.OrderWorkflowID).Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	if err := registerCodec(mux, cfg, log); err != nil {
		return err
	}
	if err := registerMetrics(mux, cfg, log); err != nil {
		return err
	}

	return listen(ctx, cfg, telemetry.Default().Webhooks(mux), log)
}

func listen(ctx context.Context, cfg config.Config, h http.Handler, log *zap.Logger) error {
	srv := &http.Server{
		Addr:              cfg.ListenAddr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("webhook receiver listening", zap.String("addr", cfg.ListenAddr))

	select {
	case err := <-errc:
		return fmt.Errorf("serve webhooks on %s: %w", cfg.ListenAddr, err)
	case <-ctx.Done():
	}

	// The serving context is done; draining gets a fresh one.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("drain webhook receiver: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("starter stopped")
	return nil
}
