package shops

import (
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store/bigcommerce"
	"github.com/erpsync/erpsync/internal/config"
)

func TestOpenBigCommerce(t *testing.T) {
	st := config.Store{Platform: config.PlatformBigCommerce, StoreHash: "abc123",
		AccessToken: "token", WebhookSecret: "secret"}
	stores, err := Open(config.Config{Stores: map[string]config.Store{"us": st}}, nil,
		zap.NewNop())
	if _, ok := stores["us"].(*bigcommerce.Store); err != nil || !ok {
		t.Fatalf("Open = %v, %v; want the BigCommerce adapter of store us", stores, err)
	}

	st.StoreHash = ""
	_, err = Open(config.Config{Stores: map[string]config.Store{"us": st}}, nil, zap.NewNop())
	if err == nil || !strings.Contains(err.Error(), "store us") ||
		!strings.Contains(err.Error(), "store hash") {
		t.Errorf("Open without a store hash = %v, want an error naming store us and the hash",
			err)
	}
}
