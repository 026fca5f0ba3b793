package main

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/config"
)

// codecConfig reads a configuration with vars set.
func codecConfig(t *testing.T, vars map[string]string) config.Config {
	t.Helper()
	cfg, err := config.FromEnv(func(key string) string { return vars[key] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// post sends an empty payload list to path on mux with the header auth.
func post(mux *http.ServeMux, path, auth string) int {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"payloads":[]}`))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec.Code
}

func TestRegisterCodecServesWithToken(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(make([]byte, 32))
	cfg := codecConfig(t, map[string]string{
		config.EnvCodecKeys:      "k1=" + key,
		config.EnvCodecAuthToken: "tok",
	})
	mux := http.NewServeMux()
	if err := registerCodec(mux, cfg, zap.NewNop()); err != nil {
		t.Fatal(err)
	}

	if code := post(mux, "/codec/decode", ""); code != http.StatusUnauthorized {
		t.Errorf("decode without token: %d, want 401", code)
	}
	if code := post(mux, "/codec/decode", "Bearer tok"); code != http.StatusOK {
		t.Errorf("decode with token: %d, want 200", code)
	}
}

func TestRegisterCodecServesNothingWithoutKeys(t *testing.T) {
	mux := http.NewServeMux()
	if err := registerCodec(mux, codecConfig(t, nil), zap.NewNop()); err != nil {
		t.Fatal(err)
	}
	if code := post(mux, "/codec/decode", ""); code != http.StatusNotFound {
		t.Errorf("decode without keys configured: %d, want 404", code)
	}
}
