// Package boot opens what every erpsync process needs at start-up: its
// logger, its Postgres pool with the schema migrated, and its Temporal
// client. Each failure says which one could not be opened.
package boot

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/schema"
	"github.com/erpsync/erpsync/internal/zaplog"
)

// Logger returns a JSON production logger at level ("debug", "info", ...).
func Logger(level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvLogLevel, err)
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.Sampling = nil
	return cfg.Build()
}

// Database opens a pool on url, checks that Postgres answers, and applies
// the schema migrations.
func Database(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL, password included.
		return nil, fmt.Errorf("%s is not a valid Postgres connection string", config.EnvDatabaseURL)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("reach postgres at %s:%d: %w", cfg.ConnConfig.Host,
			cfg.ConnConfig.Port, err)
	}
	if err := schema.Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// Temporal connects to the Temporal frontend named in c, logging through log.
func Temporal(ctx context.Context, c config.Config, log *zap.Logger) (client.Client, error) {
	opts := client.Options{
		HostPort:  c.TemporalAddress,
		Namespace: c.TemporalNamespace,
		Logger:    zaplog.New(log.Named("temporal")),
	}
	if err := withCodec(c, &opts); err != nil {
		return nil, err
	}
	if err := withTelemetry(c, &opts); err != nil {
		return nil, err
	}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to temporal at %s: %w", c.TemporalAddress, err)
	}
	return tc, nil
}
