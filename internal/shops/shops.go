// Package shops opens the adapter of each configured store, by its
// platform, for the worker (which loads orders and writes back) and the
// starter (which verifies webhooks) alike.
package shops

import (
	"cmp"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/bigcommerce"
	"github.com/erpsync/erpsync/adapters/store/postgres"
	"github.com/erpsync/erpsync/adapters/store/shopify"
	"github.com/erpsync/erpsync/adapters/store/woocommerce"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/httpretry"
)

// requestTimeout bounds one HTTP request to a store platform.
const requestTimeout = 30 * time.Second

// Open returns the adapter of every store of cfg, by store name. The
// headless storefront's live in pool. Requests to platforms retry a few
// times, fast, where that is safe.
func Open(cfg config.Config, pool *pgxpool.Pool, log *zap.Logger) (map[string]store.Store,
	error) {
	hc := &http.Client{Timeout: requestTimeout, Transport: &httpretry.Transport{}}
	stores := map[string]store.Store{}
	for _, name := range cfg.StoreNames() {
		s, err := open(cfg.Stores[name], pool, hc, log.Named("store").With(
			zap.String("store", name)))
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", name, err)
		}
		stores[name] = s
	}
	return stores, nil
}

// open returns the adapter of one store.
func open(st config.Store, pool *pgxpool.Pool, hc *http.Client, log *zap.Logger) (store.Store,
	error) {
	switch st.Platform {
	case config.PlatformHeadless:
		return postgres.New(pool, postgres.WithWebhookSecret(st.WebhookSecret)), nil
	case config.PlatformBigCommerce:
		return bigcommerce.New(bigcommerce.Config{URL: st.URL, StoreHash: st.StoreHash,
			AccessToken: st.AccessToken, ClientID: st.ClientID, ClientSecret: st.ClientSecret,
			WebhookSecret: st.WebhookSecret}, hc, log)
	case config.PlatformShopify:
		// A Shopify app's client secret is what signs its webhooks.
		return shopify.New(shopify.Config{URL: st.URL, AccessToken: st.AccessToken,
			ClientID: st.ClientID, APIVersion: st.APIVersion,
			WebhookSecret: cmp.Or(st.WebhookSecret, st.ClientSecret)}, hc, log)
	case config.PlatformWooCommerce:
		return woocommerce.New(woocommerce.Config{URL: st.URL, ConsumerKey: st.ConsumerKey,
			ConsumerSecret: st.ConsumerSecret, WebhookSecret: st.WebhookSecret,
			Location: st.Location}, hc, log)
	}
	return nil, fmt.Errorf("no adapter for platform %q", st.Platform)
}
