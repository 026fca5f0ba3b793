package stack

import (
	"errors"
	"net/http"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/adapters/store/woocommerce/woosandbox"
	"github.com/erpsync/erpsync/internal/config"
)

// Fixed REST API key and webhook secret of the WooCommerce sandbox, shaped
// as WooCommerce issues them. They protect nothing but a sandbox on
// loopback, and being fixed lets printed examples work as they are.
const (
	WooConsumerKey    = "ck_5e1f0c0ffee0d15ea5e0b0a710ad0ca7e5a11ad5"
	WooConsumerSecret = "cs_0ddba11c0ffeedecade5eedbeefcafe0ba5e1eaf"
	WooWebhookSecret  = "woo-sandbox-webhook-secret"
)

// wooInfo is what a WooCommerce client needs.
type wooInfo struct {
	System         string `json:"system"`
	URL            string `json:"url"`
	ConsumerKey    string `json:"consumer_key"`
	ConsumerSecret string `json:"consumer_secret"`
	WebhookSecret  string `json:"webhook_secret"`
}

// wooCommerceSandbox serves the store model as a WooCommerce site at url,
// selling the stock of the first demo location. WooCommerce retries no
// delivery, so its sender has no schedule to scale.
func wooCommerceSandbox(model *storesandbox.Model, faults *erpsandbox.Faults, url string) (
	http.Handler, StoreSystem, error) {
	sb := woosandbox.New(model, faults, woosandbox.Config{
		ConsumerKey: WooConsumerKey, ConsumerSecret: WooConsumerSecret, SiteURL: url,
		Location: Locations[0], Currency: Currency,
	})

	desc, err := info(wooInfo{System: config.PlatformWooCommerce, URL: url,
		ConsumerKey: WooConsumerKey, ConsumerSecret: WooConsumerSecret,
		WebhookSecret: WooWebhookSecret})
	return sb, StoreSystem{
		Platform: config.PlatformWooCommerce,
		URL:      url,
		Info:     desc,
		Env: func(store string) []string {
			env := func(setting, v string) string {
				return config.StoreEnv(store, setting) + "=" + v
			}
			return []string{
				env(config.SettingPlatform, config.PlatformWooCommerce),
				env(config.SettingURL, url),
				env(config.SettingConsumerKey, WooConsumerKey),
				env(config.SettingConsumerSec, WooConsumerSecret),
				env(config.SettingWebhookSecret, WooWebhookSecret),
				env(config.SettingLocation, Locations[0]),
			}
		},
		Subscribe: func(deliveryURL string) error {
			return errors.Join(sb.Subscribe(deliveryURL, WooWebhookSecret),
				sb.SubscribeCustomers(deliveryURL, WooWebhookSecret))
		},
		Sender: sb.Sender(),
	}, err
}
