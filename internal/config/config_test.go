package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(key string) string { return vars[key] }
}

func TestFromEnvDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.TemporalAddress != DefaultTemporalAddress || c.TemporalNamespace != DefaultNamespace ||
		c.TaskQueue != DefaultTaskQueue || c.ListenAddr != DefaultListenAddr {
		t.Errorf("defaults: %+v", c)
	}
	if c.ShutdownTimeout != 30*time.Second || c.ERP != "odoo" {
		t.Errorf("defaults: shutdown %s, erp %q", c.ShutdownTimeout, c.ERP)
	}
	if names := c.StoreNames(); len(names) != 1 || names[0] != "demo" {
		t.Errorf("default stores %v, want [demo]", names)
	}
}

func TestFromEnvStoresAndSecrets(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		EnvStores:        "shop-eu=s3cret, shop_us",
		EnvWebhookSecret: "shared",
		EnvDatabaseURL:   "postgres://erpsync@db/erpsync",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Stores["shop-eu"].WebhookSecret; got != "s3cret" {
		t.Errorf("shop-eu secret %q, want its own", got)
	}
	if got := c.Stores["shop_us"].WebhookSecret; got != "shared" {
		t.Errorf("shop_us secret %q, want the shared one", got)
	}
	if err := c.CheckStarter(); err != nil {
		t.Errorf("CheckStarter: %v", err)
	}
}

func TestFromEnvRefusesBadSettings(t *testing.T) {
	cases := map[string]map[string]string{
		EnvStores:          {EnvStores: "good,bad name"},
		EnvShutdownTimeout: {EnvShutdownTimeout: "soon"},
		EnvERP:             {EnvERP: "sage"},
	}
	for name, vars := range cases {
		if _, err := FromEnv(env(vars)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming %s", name, err, name)
		}
	}
}

func TestChecksNameWhatIsMissing(t *testing.T) {
	c, err := FromEnv(env(map[string]string{EnvOdooURL: "http://odoo:8069"}))
	if err != nil {
		t.Fatal(err)
	}

	err = c.CheckWorker()
	for _, want := range []string{EnvDatabaseURL, EnvOdooDB, EnvOdooLogin, EnvOdooPassword} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckWorker: %v, want it to name %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), EnvOdooURL) {
		t.Errorf("CheckWorker names %s, which is set", EnvOdooURL)
	}

	c.DatabaseURL = "postgres://db/erpsync"
	if err := c.CheckStarter(); err == nil || !strings.Contains(err.Error(), EnvWebhookSecret) {
		t.Errorf("CheckStarter without a secret: %v, want it to name %s", err, EnvWebhookSecret)
	}
}

func TestStringHidesSecrets(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		EnvStores:       "demo=hook-secret",
		EnvDatabaseURL:  "postgres://u:db-password@db/erpsync",
		EnvOdooPassword: "odoo-password",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	for _, secret := range []string{"hook-secret", "db-password", "odoo-password"} {
		if strings.Contains(s, secret) {
			t.Errorf("String() = %q shows a secret", s)
		}
	}
}

func TestERPChoiceAndItsSettings(t *testing.T) {
	cases := []struct {
		name    string
		vars    map[string]string
		missing []string
		set     []string
	}{
		{"odoo json2 needs an API key",
			map[string]string{EnvOdooTransport: "json2", EnvOdooPassword: "pw"},
			[]string{EnvOdooAPIKey}, nil},
		{"odoo json-rpc takes an API key for the password",
			map[string]string{EnvOdooAPIKey: "key"}, []string{EnvOdooURL}, []string{EnvOdooPassword}},
		{"netsuite by token-based authentication",
			map[string]string{EnvERPShort: ERPNetSuite, EnvNSConsumerKey: "ck"},
			[]string{EnvNSAccount, EnvNSConsumerSecret, EnvNSTokenID, EnvNSTokenSecret},
			[]string{EnvNSClientID}},
		{"netsuite by oauth 2.0",
			map[string]string{EnvERP: ERPNetSuite, EnvNSClientID: "id"},
			[]string{EnvNSCertificateID, EnvNSPrivateKey}, []string{EnvNSConsumerKey}},
		{"sap", map[string]string{EnvERP: ERPSAP}, []string{EnvSAPUser, EnvSAPPassword}, nil},
		{"business central", map[string]string{EnvERP: ERPBusinessCentral},
			[]string{EnvBCTokenURL, EnvBCClientSecret, EnvBCCompanyID}, nil},
	}
	for _, tc := range cases {
		c, err := FromEnv(env(tc.vars))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		err = c.CheckWorker()
		for _, want := range tc.missing {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: CheckWorker %v, want it to name %s", tc.name, err, want)
			}
		}
		for _, notWanted := range tc.set {
			if err != nil && strings.Contains(err.Error(), notWanted) {
				t.Errorf("%s: CheckWorker %v names %s, which is not needed", tc.name, err,
					notWanted)
			}
		}
	}
}

func TestNetSuiteLimits(t *testing.T) {
	c, err := FromEnv(env(map[string]string{EnvERP: ERPNetSuite, EnvNSMaxConcurrency: "3",
		EnvNSTimeZone: "America/Los_Angeles"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.NetSuite.MaxConcurrency != 3 || c.NetSuite.TimeZone != "America/Los_Angeles" {
		t.Errorf("NetSuite = %+v, want 3 requests at most in America/Los_Angeles", c.NetSuite)
	}

	for _, bad := range []string{"-1", "four", "2.5"} {
		_, err := FromEnv(env(map[string]string{EnvNSMaxConcurrency: bad}))
		if err == nil || !strings.Contains(err.Error(), EnvNSMaxConcurrency) {
			t.Errorf("%s=%s: error %v, want one naming the variable", EnvNSMaxConcurrency, bad,
				err)
		}
	}
}

func TestStoreSettings(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		EnvStores:                                "demo,eu-shop=s3cret",
		StoreEnv("eu-shop", SettingPlatform):     PlatformShopify,
		StoreEnv("eu-shop", SettingURL):          "https://eu-shop.myshopify.com",
		StoreEnv("eu-shop", SettingAccessToken):  "shpat_1",
		"ERPSYNC_STORE_DEMO_" + SettingStoreHash: "ignored-by-headless",
	}))
	if err != nil {
		t.Fatal(err)
	}

	shop := c.Stores["eu-shop"]
	if StoreEnv("eu-shop", SettingURL) != "ERPSYNC_STORE_EU_SHOP_URL" ||
		shop.Platform != PlatformShopify || shop.WebhookSecret != "s3cret" ||
		shop.URL != "https://eu-shop.myshopify.com" || shop.AccessToken != "shpat_1" {
		t.Errorf("eu-shop = %+v, want its shopify settings", shop)
	}
	if c.Stores["demo"].Platform != PlatformHeadless {
		t.Errorf("demo platform %q, want headless by default", c.Stores["demo"].Platform)
	}

	_, err = FromEnv(env(map[string]string{StoreEnv("demo", SettingPlatform): "magento"}))
	if err == nil || !strings.Contains(err.Error(), "ERPSYNC_STORE_DEMO_PLATFORM") {
		t.Errorf("unknown platform: error %v, want one naming the variable", err)
	}
}

func TestInventorySettings(t *testing.T) {
	c, err := FromEnv(env(nil))
	want := Inventory{Interval: time.Minute, Overlap: 5 * time.Minute, PageSize: 1000,
		Concurrency: 4}
	if err != nil || c.Inventory != want {
		t.Errorf("default inventory settings %+v, %v; want %+v", c.Inventory, err, want)
	}

	c, err = FromEnv(env(map[string]string{EnvInventoryInterval: "30s", EnvSafetyStock: "2",
		EnvStockPageSize: "5000", EnvStockConcurrency: "8", EnvStockOverlap: "10m"}))
	want = Inventory{Interval: 30 * time.Second, Overlap: 10 * time.Minute, SafetyStock: 2,
		PageSize: 5000, Concurrency: 8}
	if err != nil || c.Inventory != want {
		t.Errorf("inventory settings %+v, %v; want %+v", c.Inventory, err, want)
	}

	for key, bad := range map[string]string{EnvInventoryInterval: "10ms",
		EnvSafetyStock: "-1", EnvStockPageSize: "many", EnvStockOverlap: "soon"} {
		_, err := FromEnv(env(map[string]string{key: bad}))
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%s: error %v, want one naming %s", key, bad, err, key)
		}
	}
}

func TestStoreLocations(t *testing.T) {
	key := StoreEnv("demo", SettingLocations)
	c, err := FromEnv(env(map[string]string{key: "WH-EAST=Online, WH-WEST=Online,=Shop"}))
	want := map[string]string{"WH-EAST": "Online", "WH-WEST": "Online", "": "Shop"}
	if err != nil || fmt.Sprint(c.Stores["demo"].Locations) != fmt.Sprint(want) {
		t.Errorf("locations %v, %v; want %v", c.Stores["demo"].Locations, err, want)
	}
	for _, bad := range []string{"WH-EAST", "WH-EAST=", "A=B,A=C"} {
		_, err := FromEnv(env(map[string]string{key: bad}))
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%q: error %v, want one naming %s", key, bad, err, key)
		}
	}
}
