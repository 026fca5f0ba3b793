package config

import (
	"fmt"
	"slices"
	"strings"
)

// The store platforms, as [Store.Platform] names them. Headless is the
// custom storefront whose data lives in erpsync's own Postgres.
const (
	PlatformHeadless    = "headless"
	PlatformShopify     = "shopify"
	PlatformWooCommerce = "woocommerce"
	PlatformBigCommerce = "bigcommerce"
)

// Platforms lists the supported store platforms.
var Platforms = []string{PlatformHeadless, PlatformShopify, PlatformWooCommerce,
	PlatformBigCommerce}

// Store is the configuration of one store. Each platform reads the
// settings it needs; the others stay empty.
type Store struct {
	// Platform is one of [Platforms]; headless when not set.
	Platform string

	// WebhookSecret is the key the store signs its webhooks with (or, for
	// BigCommerce, the secret header value given at registration).
	WebhookSecret string `json:"-"`

	// URL is the base a client of the platform is configured with.
	URL string

	// AccessToken authenticates Shopify and BigCommerce API calls.
	AccessToken string `json:"-"`

	// APIVersion is the Shopify Admin API version, such as "2026-01".
	APIVersion string

	// ConsumerKey and ConsumerSecret authenticate WooCommerce calls.
	ConsumerKey    string
	ConsumerSecret string `json:"-"`

	// StoreHash and ClientID identify a BigCommerce store and app;
	// ClientSecret, the app's secret, keys the signatures of its callbacks.
	StoreHash    string
	ClientID     string
	ClientSecret string `json:"-"`

	// Budget is the store's share of requests: the rate of its order
	// activities across all workers, and how many run at once per worker.
	Budget Budget

	// Location names the one stock location of a platform that keeps a
	// single stock quantity per product (WooCommerce): the location whose
	// levels the store sells.
	Location string

	// Locations maps ERP locations to the store locations that sell their
	// stock; several may feed one. Empty: every ERP location is sold under
	// its own name.
	Locations map[string]string
}

// Per-store settings are read from ERPSYNC_STORE_<NAME>_<SETTING>, with
// NAME the store's name upper-cased and '-' written as '_'.
const (
	storeEnvPrefix       = "ERPSYNC_STORE_"
	SettingPlatform      = "PLATFORM"
	SettingWebhookSecret = "WEBHOOK_SECRET"
	SettingURL           = "URL"
	SettingAccessToken   = "ACCESS_TOKEN"
	SettingAPIVersion    = "API_VERSION"
	SettingConsumerKey   = "CONSUMER_KEY"
	SettingConsumerSec   = "CONSUMER_SECRET"
	SettingStoreHash     = "STORE_HASH"
	SettingClientID      = "CLIENT_ID"
	SettingClientSecret  = "CLIENT_SECRET"
	SettingLocation      = "LOCATION"
	SettingLocations     = "LOCATIONS"
	SettingRate          = "RATE"
	SettingConcurrency   = "CONCURRENCY"
)

// StoreEnv returns the name of the environment variable that holds
// setting of the store named store.
func StoreEnv(store, setting string) string {
	return storeEnvPrefix + strings.ToUpper(strings.ReplaceAll(store, "-", "_")) + "_" + setting
}

// readStore fills s with the per-store settings of the store named name
// that get returns, and checks its platform.
func readStore(name string, s Store, get func(key, fallback string) string) (Store, error) {
	env := func(setting, fallback string) string { return get(StoreEnv(name, setting), fallback) }

	s.Platform = env(SettingPlatform, PlatformHeadless)
	s.WebhookSecret = env(SettingWebhookSecret, s.WebhookSecret)
	s.URL = env(SettingURL, "")
	s.AccessToken = env(SettingAccessToken, "")
	s.APIVersion = env(SettingAPIVersion, "")
	s.ConsumerKey = env(SettingConsumerKey, "")
	s.ConsumerSecret = env(SettingConsumerSec, "")
	s.StoreHash = env(SettingStoreHash, "")
	s.ClientID = env(SettingClientID, "")
	s.ClientSecret = env(SettingClientSecret, "")
	s.Location = env(SettingLocation, "")

	var err error
	s.Budget, err = readBudget(StoreEnv(name, SettingRate), StoreEnv(name, SettingConcurrency),
		get)
	if err != nil {
		return s, err
	}
	if s.Locations, err = parseLocations(env(SettingLocations, "")); err != nil {
		return s, fmt.Errorf("%s: %w", StoreEnv(name, SettingLocations), err)
	}
	if !slices.Contains(Platforms, s.Platform) {
		return s, fmt.Errorf("%s: unknown platform %q (supported: %s)",
			StoreEnv(name, SettingPlatform), s.Platform, strings.Join(Platforms, ", "))
	}
	return s, nil
}

// parseLocations reads a comma-separated list of erp=store location pairs,
// such as "WH-EAST=Online,WH-WEST=Online,=Online" (an empty ERP location
// is the whole stock of an ERP that keeps no locations).
func parseLocations(list string) (map[string]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	m := map[string]string{}
	for _, pair := range strings.Split(list, ",") {
		erpLoc, storeLoc, ok := strings.Cut(pair, "=")
		erpLoc, storeLoc = strings.TrimSpace(erpLoc), strings.TrimSpace(storeLoc)
		if !ok || storeLoc == "" {
			return nil, fmt.Errorf("%q is not erp-location=store-location", pair)
		}
		if _, dup := m[erpLoc]; dup {
			return nil, fmt.Errorf("erp location %q is mapped twice", erpLoc)
		}
		m[erpLoc] = storeLoc
	}
	return m, nil
}
