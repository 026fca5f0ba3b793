package shops

import (
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store/shopify"
	"github.com/erpsync/erpsync/internal/config"
)

func TestOpenShopify(t *testing.T) {
	cfg := config.Config{Stores: map[string]config.Store{
		"eu": {Platform: config.PlatformShopify, URL: "https://eu.myshopify.com",
			AccessToken: "shpat_x", WebhookSecret: "s", APIVersion: "2026-10"},
	}}
	stores, err := Open(cfg, nil, zap.NewNop())
	if _, ok := stores["eu"].(*shopify.Store); err != nil || !ok {
		t.Fatalf("Open = %v, %v; want the Shopify adapter for store eu", stores, err)
	}

	cfg.Stores["eu"] = config.Store{Platform: config.PlatformShopify,
		URL: "https://eu.myshopify.com", WebhookSecret: "s"}
	if _, err := Open(cfg, nil, zap.NewNop()); err == nil ||
		!strings.Contains(err.Error(), "store eu") ||
		!strings.Contains(err.Error(), "client id") {
		t.Errorf("Open without credentials = %v, want an error naming store eu and the "+
			"missing setting", err)
	}
}
