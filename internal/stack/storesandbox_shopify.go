package stack

import (
	"errors"
	"net/http"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/shopify"
	"github.com/erpsync/erpsync/adapters/store/shopify/shopifysandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/config"
)

// Fixed shop and app of the Shopify sandbox. They protect nothing but a
// sandbox on loopback, and being fixed lets printed examples work as they
// are.
const (
	ShopifyShop          = "erpsync-demo.myshopify.com"
	ShopifyAccessToken   = "shpat_erpsync_sandbox_0123456789abcdef"
	ShopifyClientID      = "erpsync-sandbox-client-id"
	ShopifyWebhookSecret = "shopify-sandbox-client-secret"
	ShopifyAPIVersion    = shopify.DefaultAPIVersion
)

// shopifyRetryScale compresses Shopify's retry schedule so that its first
// retry, a minute after a failed delivery, comes a second after it.
const shopifyRetryScale = 1.0 / 60

// shopifyInfo is what a Shopify client needs.
type shopifyInfo struct {
	System        string `json:"system"`
	URL           string `json:"url"`
	Shop          string `json:"shop"`
	AccessToken   string `json:"access_token"`
	WebhookSecret string `json:"webhook_secret"`
	APIVersion    string `json:"api_version"`
}

// shopifySandbox serves Shopify's Admin API over model at url, and
// delivers its order webhooks with a compressed retry schedule.
func shopifySandbox(model *storesandbox.Model, faults *erpsandbox.Faults, url string) (
	http.Handler, StoreSystem, error) {
	sender := shopifysandbox.NewSender()
	sender.Scale = shopifyRetryScale
	sb := shopifysandbox.New(model, faults, shopifysandbox.Credentials{
		ShopDomain: ShopifyShop, AccessToken: ShopifyAccessToken, ClientID: ShopifyClientID,
		ClientSecret: ShopifyWebhookSecret,
	}, shopifysandbox.WithCurrency(Currency), shopifysandbox.WithSender(sender))

	desc, err := info(shopifyInfo{System: config.PlatformShopify, URL: url, Shop: ShopifyShop,
		AccessToken: ShopifyAccessToken, WebhookSecret: ShopifyWebhookSecret,
		APIVersion: ShopifyAPIVersion})
	return sb, StoreSystem{
		Platform: config.PlatformShopify, URL: url, Info: desc, Sender: sender,
		Env: func(store string) []string {
			return []string{
				config.StoreEnv(store, config.SettingPlatform) + "=" + config.PlatformShopify,
				config.StoreEnv(store, config.SettingURL) + "=" + url,
				config.StoreEnv(store, config.SettingAccessToken) + "=" + ShopifyAccessToken,
				config.StoreEnv(store, config.SettingAPIVersion) + "=" + ShopifyAPIVersion,
				config.StoreEnv(store, config.SettingWebhookSecret) + "=" + ShopifyWebhookSecret,
			}
		},
		Subscribe: func(uri string) error {
			var errs []error
			for _, topic := range []string{"ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED",
				"ORDERS_EDITED", "REFUNDS_CREATE", "CUSTOMERS_CREATE", "CUSTOMERS_UPDATE"} {
				_, err := sb.Subscribe(topic, uri, ShopifyAPIVersion)
				errs = append(errs, err)
			}
			return errors.Join(errs...)
		},
	}, err
}
