package stack

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/bigcommerce"
	"github.com/erpsync/erpsync/adapters/store/bigcommerce/bcstoresandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/config"
)

// Fixed store, API account and webhook secret of the BigCommerce sandbox.
// They protect nothing but a sandbox on loopback, and being fixed lets
// printed examples work as they are.
const (
	BigCommerceStoreHash     = "erpsyncdemo"
	BigCommerceStoreID       = "1000001"
	BigCommerceAccessToken   = "bigcommerce-sandbox-access-token"
	BigCommerceClientID      = "bigcommerce-sandbox-client-id"
	BigCommerceClientSecret  = "bigcommerce-sandbox-client-secret"
	BigCommerceWebhookSecret = "bigcommerce-sandbox-webhook-secret"
)

// bigCommerceWebhookScale compresses BigCommerce's retry schedule so that
// its first retry, a minute after a failed callback, comes after a second.
const bigCommerceWebhookScale = 1.0 / 60

// bigCommerceInfo is what a BigCommerce client needs.
type bigCommerceInfo struct {
	System      string `json:"system"`
	URL         string `json:"url"`
	StoreHash   string `json:"store_hash"`
	AccessToken string `json:"access_token"`
	ClientID    string `json:"client_id"`
}

// bigCommerceSandbox serves the BigCommerce sandbox at url, the API host
// that clients are configured with.
func bigCommerceSandbox(model *storesandbox.Model, faults *erpsandbox.Faults, url string) (
	http.Handler, StoreSystem, error) {
	sb := bcstoresandbox.New(model, faults, bcstoresandbox.Credentials{
		StoreHash: BigCommerceStoreHash, StoreID: BigCommerceStoreID,
		AccessToken: BigCommerceAccessToken, ClientID: BigCommerceClientID,
		ClientSecret: BigCommerceClientSecret,
	}, bcstoresandbox.WithCurrency(Currency),
		bcstoresandbox.WithWebhookScale(bigCommerceWebhookScale))
	desc, err := info(bigCommerceInfo{System: config.PlatformBigCommerce, URL: url,
		StoreHash: BigCommerceStoreHash, AccessToken: BigCommerceAccessToken,
		ClientID: BigCommerceClientID})

	return sb, StoreSystem{
		Platform: config.PlatformBigCommerce, URL: url, Info: desc,
		Env: func(store string) []string {
			return []string{
				config.StoreEnv(store, config.SettingPlatform) + "=" + config.PlatformBigCommerce,
				config.StoreEnv(store, config.SettingURL) + "=" + url,
				config.StoreEnv(store, config.SettingStoreHash) + "=" + BigCommerceStoreHash,
				config.StoreEnv(store, config.SettingAccessToken) + "=" + BigCommerceAccessToken,
				config.StoreEnv(store, config.SettingClientID) + "=" + BigCommerceClientID,
				config.StoreEnv(store, config.SettingClientSecret) + "=" +
					BigCommerceClientSecret,
				config.StoreEnv(store, config.SettingWebhookSecret) + "=" +
					BigCommerceWebhookSecret,
			}
		},
		Subscribe: func(dest string) error {
			scopes := append(slices.Clone(bigcommerce.OrderScopes), bigcommerce.CustomerScopes...)
			for _, scope := range scopes {
				_, err := sb.Subscribe(scope, dest,
					map[string]string{bigcommerce.HeaderSecret: BigCommerceWebhookSecret})
				if err != nil {
					return err
				}
			}
			return nil
		},
		Sender: sb.Sender(),
		Number: bigCommerceOrderNumber,
	}, err
}

// bigCommerceOrderNumber is the number BigCommerce shows for an order: its
// id, since BigCommerce numbers orders no other way.
func bigCommerceOrderNumber(o storesandbox.Order) string {
	return strconv.FormatInt(o.ID, 10)
}
