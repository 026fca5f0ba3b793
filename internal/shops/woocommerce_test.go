package shops

import (
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store/woocommerce"
	"github.com/erpsync/erpsync/internal/config"
)

func TestOpenWooCommerce(t *testing.T) {
	cfg := config.Config{Stores: map[string]config.Store{
		"woo": {Platform: config.PlatformWooCommerce, URL: "https://shop.example",
			ConsumerKey: "ck_1", ConsumerSecret: "cs_1", WebhookSecret: "s",
			Location: "WH-EAST"},
	}}
	stores, err := Open(cfg, nil, zap.NewNop())
	if _, ok := stores["woo"].(*woocommerce.Store); err != nil || !ok {
		t.Fatalf("Open = %v, %v; want the WooCommerce adapter", stores, err)
	}

	cfg.Stores["woo"] = config.Store{Platform: config.PlatformWooCommerce,
		URL: "https://shop.example"}
	if _, err := Open(cfg, nil, zap.NewNop()); err == nil ||
		!strings.Contains(err.Error(), "store woo") ||
		!strings.Contains(err.Error(), "consumer key") {
		t.Errorf("Open without a consumer key = %v, want an error naming store woo and "+
			"the key", err)
	}
}
