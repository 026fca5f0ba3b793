package main

import (
	"strings"
	"testing"

	"github.com/erpsync/erpsync/internal/config"
)

func TestWebhookSources(t *testing.T) {
	cfg := config.Config{Stores: map[string]config.Store{
		"demo": {Platform: config.PlatformHeadless, WebhookSecret: "s"},
	}}
	sources, err := webhookSources(cfg, nil)
	if err != nil || sources["demo"].Platform != config.PlatformHeadless ||
		sources["demo"].Verifier == nil {
		t.Fatalf("webhookSources = %+v, %v; want the headless demo store", sources, err)
	}

	cfg.Stores["eu"] = config.Store{Platform: "magento"}
	if _, err := webhookSources(cfg, nil); err == nil || !strings.Contains(err.Error(), "eu") {
		t.Errorf("webhookSources with an unknown platform = %v, want an error naming eu", err)
	}
}
