package main

import (
	"net/http"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/codec"
	"github.com/erpsync/erpsync/internal/config"
)

// registerCodec serves the codec endpoints that cfg configures on mux:
// POST /codec/encode and /codec/decode, through which the Temporal Web UI
// and CLI show encrypted payloads in plain. Without keys it serves nothing.
func registerCodec(mux *http.ServeMux, cfg config.Config, log *zap.Logger) error {
	if !cfg.Codec.Enabled() {
		return nil
	}
	cdc, err := codec.New(cfg.Codec.Keys...)
	if err != nil {
		return err
	}

	srv := codec.NewServer(cdc, codec.ServerOptions{
		Token:   cfg.Codec.AuthToken,
		Origins: cfg.Codec.CORSOrigins,
	})
	mux.Handle("/codec/", srv)
	log.Info("codec endpoints serving", zap.String("path", "/codec"),
		zap.String("encryption_key_id", cdc.EncryptionKeyID()),
		zap.Int("keys", len(cfg.Codec.Keys)), zap.Strings("cors_origins", cfg.Codec.CORSOrigins))
	if cfg.Codec.AuthToken == "" {
		log.Warn("codec endpoints require no token; set " + config.EnvCodecAuthToken +
			" unless only trusted clients reach the listen address")
	}
	return nil
}
