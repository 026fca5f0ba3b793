package shops

import (
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/config"
)

func TestOpen(t *testing.T) {
	cfg := config.Config{Stores: map[string]config.Store{
		"demo": {Platform: config.PlatformHeadless, WebhookSecret: "s"},
	}}
	stores, err := Open(cfg, nil, zap.NewNop())
	if err != nil || stores["demo"] == nil {
		t.Fatalf("Open = %v, %v; want the headless demo store", stores, err)
	}

	cfg.Stores["eu"] = config.Store{Platform: "magento"}
	if _, err := Open(cfg, nil, zap.NewNop()); err == nil ||
		!strings.Contains(err.Error(), "store eu") {
		t.Errorf("Open with an unknown platform = %v, want an error naming store eu", err)
	}
}
