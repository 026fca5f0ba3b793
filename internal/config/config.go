// Package config reads the settings of the worker and the starter from the
// environment, checks them once at start-up, and prints them without their
// secrets.
package config

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of the worker and the starter.
type Config struct {
	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string

	// DatabaseURL reaches erpsync's own Postgres, which also holds the
	// schema of the headless storefront.
	DatabaseURL string `json:"-"`

	// Stores holds the configuration of each store, by name.
	Stores map[string]Store

	// ERP names the ERP adapter: one of [ERPs]. Only its settings below
	// are read.
	ERP             string
	ERPBudget       Budget
	Odoo            Odoo
	NetSuite        NetSuite
	SAP             SAP
	BusinessCentral BusinessCentral

	ListenAddr      string
	ShutdownTimeout time.Duration
	LogLevel        string

	// Inventory configures inventory sync.
	Inventory Inventory

	// Flows configures customer, catalog and fulfillment sync and
	// reconciling.
	Flows Flows

	// Codec configures the encryption of payloads in Temporal's history,
	// and Telemetry the metrics and traces of both processes.
	Codec     Codec
	Telemetry Telemetry
}

// Inventory holds the settings of inventory sync: how often the schedule
// starts it, the safety stock held back by default, and how the ERP's
// stock is paged.
type Inventory struct {
	Interval    time.Duration
	SafetyStock int64
	PageSize    int
	Concurrency int
	Overlap     time.Duration
}

// The ERPs erpsync has adapters for, as [Config.ERP] names them.
const (
	ERPOdoo            = "odoo"
	ERPNetSuite        = "netsuite"
	ERPSAP             = "sap"
	ERPBusinessCentral = "business_central"
)

// ERPs lists the supported ERPs.
var ERPs = []string{ERPOdoo, ERPNetSuite, ERPSAP, ERPBusinessCentral}

// Odoo holds the settings of the Odoo adapter. Transport is "jsonrpc"
// (password or API key) or "json2" (Odoo 19's API; API key only).
type Odoo struct {
	URL       string
	DB        string
	Login     string
	Password  string `json:"-"`
	APIKey    string `json:"-"`
	Transport string
}

// NetSuite holds the settings of the NetSuite adapter: either the four
// token-based authentication values or the three of OAuth 2.0 client
// credentials. MaxConcurrency caps the adapter's requests in flight (0
// means the adapter's default), and TimeZone names the integration user's
// time zone, in which SuiteQL reads and writes datetimes ("" means UTC).
type NetSuite struct {
	URL            string
	Account        string
	ConsumerKey    string
	ConsumerSecret string `json:"-"`
	TokenID        string
	TokenSecret    string `json:"-"`
	ClientID       string
	CertificateID  string
	PrivateKeyPEM  string `json:"-"`
	MaxConcurrency int
	TimeZone       string
}

// SAP holds the settings of the SAP S/4HANA adapter. RejectionReason is
// the reason code set on the items of a sales order it cancels.
type SAP struct {
	URL             string
	User            string
	Password        string `json:"-"`
	RejectionReason string
}

// BusinessCentral holds the settings of the Dynamics 365 Business Central
// adapter. URL is the API root, up to /api/v2.0.
type BusinessCentral struct {
	URL          string
	TokenURL     string
	ClientID     string
	ClientSecret string `json:"-"`
	CompanyID    string
}

// Names of the environment variables, in one place so that docs and
// docker-compose can be checked against them.
const (
	EnvTemporalAddress   = "TEMPORAL_ADDRESS"
	EnvTemporalNamespace = "TEMPORAL_NAMESPACE"
	EnvTaskQueue         = "ERPSYNC_TASK_QUEUE"
	EnvDatabaseURL       = "DATABASE_URL"
	EnvStores            = "ERPSYNC_STORES"
	EnvWebhookSecret     = "ERPSYNC_WEBHOOK_SECRET"
	EnvERP               = "ERPSYNC_ERP"
	EnvERPShort          = "ERP"
	EnvOdooURL           = "ODOO_URL"
	EnvOdooDB            = "ODOO_DB"
	EnvOdooLogin         = "ODOO_LOGIN"
	EnvOdooPassword      = "ODOO_PASSWORD"
	EnvOdooAPIKey        = "ODOO_API_KEY"
	EnvOdooTransport     = "ODOO_TRANSPORT"
	EnvNSURL             = "NETSUITE_URL"
	EnvNSAccount         = "NETSUITE_ACCOUNT"
	EnvNSConsumerKey     = "NETSUITE_CONSUMER_KEY"
	EnvNSConsumerSecret  = "NETSUITE_CONSUMER_SECRET"
	EnvNSTokenID         = "NETSUITE_TOKEN_ID"
	EnvNSTokenSecret     = "NETSUITE_TOKEN_SECRET"
	EnvNSClientID        = "NETSUITE_CLIENT_ID"
	EnvNSCertificateID   = "NETSUITE_CERTIFICATE_ID"
	EnvNSPrivateKey      = "NETSUITE_PRIVATE_KEY"
	EnvNSMaxConcurrency  = "NETSUITE_MAX_CONCURRENCY"
	EnvNSTimeZone        = "NETSUITE_TIMEZONE"
	EnvSAPURL            = "SAP_URL"
	EnvSAPUser           = "SAP_USER"
	EnvSAPPassword       = "SAP_PASSWORD"
	EnvSAPRejection      = "SAP_REJECTION_REASON"
	EnvBCURL             = "BC_URL"
	EnvBCTokenURL        = "BC_TOKEN_URL"
	EnvBCClientID        = "BC_CLIENT_ID"
	EnvBCClientSecret    = "BC_CLIENT_SECRET"
	EnvBCCompanyID       = "BC_COMPANY_ID"
	EnvListenAddr        = "ERPSYNC_LISTEN_ADDR"
	EnvShutdownTimeout   = "ERPSYNC_SHUTDOWN_TIMEOUT"
	EnvLogLevel          = "ERPSYNC_LOG_LEVEL"
	EnvInventoryInterval = "ERPSYNC_INVENTORY_INTERVAL"
	EnvSafetyStock       = "ERPSYNC_SAFETY_STOCK"
	EnvStockPageSize     = "ERPSYNC_STOCK_PAGE_SIZE"
	EnvStockConcurrency  = "ERPSYNC_STOCK_CONCURRENCY"
	EnvStockOverlap      = "ERPSYNC_STOCK_OVERLAP"
)

// Defaults of the settings that have one.
const (
	DefaultTemporalAddress = "127.0.0.1:7233"
	DefaultNamespace       = "default"
	DefaultTaskQueue       = "erpsync"
	DefaultListenAddr      = "127.0.0.1:8080"
)

// FromEnv reads the configuration from the environment through getenv
// (usually [os.Getenv]) and checks it.
func FromEnv(getenv func(string) string) (Config, error) {
	get := func(key, fallback string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return fallback
	}

	c := Config{
		TemporalAddress:   get(EnvTemporalAddress, DefaultTemporalAddress),
		TemporalNamespace: get(EnvTemporalNamespace, DefaultNamespace),
		TaskQueue:         get(EnvTaskQueue, DefaultTaskQueue),
		DatabaseURL:       get(EnvDatabaseURL, ""),
		ERP:               get(EnvERP, get(EnvERPShort, ERPOdoo)),
		Odoo: Odoo{
			URL:       get(EnvOdooURL, ""),
			DB:        get(EnvOdooDB, ""),
			Login:     get(EnvOdooLogin, ""),
			Password:  getenv(EnvOdooPassword),
			APIKey:    getenv(EnvOdooAPIKey),
			Transport: get(EnvOdooTransport, "jsonrpc"),
		},
		NetSuite: NetSuite{
			URL:            get(EnvNSURL, ""),
			Account:        get(EnvNSAccount, ""),
			ConsumerKey:    get(EnvNSConsumerKey, ""),
			ConsumerSecret: getenv(EnvNSConsumerSecret),
			TokenID:        get(EnvNSTokenID, ""),
			TokenSecret:    getenv(EnvNSTokenSecret),
			ClientID:       get(EnvNSClientID, ""),
			CertificateID:  get(EnvNSCertificateID, ""),
			PrivateKeyPEM:  getenv(EnvNSPrivateKey),
			TimeZone:       get(EnvNSTimeZone, ""),
		},
		SAP: SAP{
			URL: get(EnvSAPURL, ""), User: get(EnvSAPUser, ""), Password: getenv(EnvSAPPassword),
			RejectionReason: get(EnvSAPRejection, ""),
		},
		BusinessCentral: BusinessCentral{
			URL:          get(EnvBCURL, ""),
			TokenURL:     get(EnvBCTokenURL, ""),
			ClientID:     get(EnvBCClientID, ""),
			ClientSecret: getenv(EnvBCClientSecret),
			CompanyID:    get(EnvBCCompanyID, ""),
		},
		ListenAddr: get(EnvListenAddr, DefaultListenAddr),
		LogLevel:   get(EnvLogLevel, "info"),
	}

	var errs []error
	var err error
	c.ShutdownTimeout, err = time.ParseDuration(get(EnvShutdownTimeout, "30s"))
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", EnvShutdownTimeout, err))
	}
	c.Stores, err = parseStores(get(EnvStores, "demo"), getenv(EnvWebhookSecret), get)
	if err != nil {
		errs = append(errs, err)
	}
	c.NetSuite.MaxConcurrency, err = parseCount(EnvNSMaxConcurrency, get(EnvNSMaxConcurrency, "0"))
	if err != nil {
		errs = append(errs, err)
	}
	c.Inventory, err = readInventory(get)
	if err != nil {
		errs = append(errs, err)
	}
	c.ERPBudget, err = readBudget(EnvERPRate, EnvERPConcurrency, get)
	if err != nil {
		errs = append(errs, err)
	}
	c.Flows, err = readFlows(get)
	if err != nil {
		errs = append(errs, err)
	}
	c.Codec, err = readCodec(get)
	if err != nil {
		errs = append(errs, err)
	}
	c.Telemetry, err = readTelemetry(get)
	if err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(append(errs, c.check()...)...)
}

// readInventory reads the settings of inventory sync through get.
func readInventory(get func(key, fallback string) string) (Inventory, error) {
	var inv Inventory
	var errs []error
	duration := func(key, fallback string, min time.Duration) time.Duration {
		d, err := time.ParseDuration(get(key, fallback))
		if err != nil || d < min {
			errs = append(errs, fmt.Errorf("%s: %q is not a duration of at least %s", key,
				get(key, fallback), min))
		}
		return d
	}
	count := func(key, fallback string) int {
		n, err := parseCount(key, get(key, fallback))
		errs = append(errs, err)
		return n
	}

	inv.Interval = duration(EnvInventoryInterval, "1m", time.Second)
	inv.Overlap = duration(EnvStockOverlap, "5m", 0)
	inv.SafetyStock = int64(count(EnvSafetyStock, "0"))
	inv.PageSize = count(EnvStockPageSize, "1000")
	inv.Concurrency = count(EnvStockConcurrency, "4")
	return inv, errors.Join(errs...)
}

// parseCount reads the whole number of variable key, which may not be
// negative.
func parseCount(key, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: %q is not a whole number of at least 0", key, v)
	}
	return n, nil
}

// parseStores reads a comma-separated list of store names, each optionally
// followed by "=secret"; names without their own secret use defaultSecret.
// The other settings of each store come from its ERPSYNC_STORE_<NAME>_*
// variables, read through get.
func parseStores(list, defaultSecret string, get func(key, fallback string) string) (
	map[string]Store, error) {
	stores := map[string]Store{}
	for _, item := range strings.Split(list, ",") {
		name, secret, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			secret = defaultSecret
		}
		if !ValidName(name) {
			return nil, fmt.Errorf("%s: store name %q must be 1 to 64 letters, digits, - or _",
				EnvStores, name)
		}
		st, err := readStore(name, Store{WebhookSecret: secret}, get)
		if err != nil {
			return nil, err
		}
		stores[name] = st
	}
	return stores, nil
}

func (c Config) check() []error {
	if !slices.Contains(ERPs, c.ERP) {
		return []error{fmt.Errorf("%s: unknown ERP %q (supported: %s)", EnvERP, c.ERP,
			strings.Join(ERPs, ", "))}
	}
	return nil
}

// CheckWorker reports the settings that the worker needs beyond the common
// ones: a database, and the settings of the configured ERP.
func (c Config) CheckWorker() error {
	required := map[string]string{EnvDatabaseURL: c.DatabaseURL}
	maps.Copy(required, c.erpSettings())

	var missing []string
	for key, v := range required {
		if v == "" {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("the worker needs %s", strings.Join(missing, ", "))
	}
	return nil
}

// erpSettings returns the settings the configured ERP requires, by
// environment variable.
func (c Config) erpSettings() map[string]string {
	switch c.ERP {
	case ERPNetSuite:
		return c.NetSuite.settings()
	case ERPSAP:
		s := c.SAP
		return map[string]string{EnvSAPURL: s.URL, EnvSAPUser: s.User, EnvSAPPassword: s.Password}
	case ERPBusinessCentral:
		b := c.BusinessCentral
		return map[string]string{EnvBCURL: b.URL, EnvBCTokenURL: b.TokenURL,
			EnvBCClientID: b.ClientID, EnvBCClientSecret: b.ClientSecret,
			EnvBCCompanyID: b.CompanyID}
	default:
		return c.Odoo.settings()
	}
}

// settings returns what Odoo requires: an API key for JSON-2, a password
// or an API key for JSON-RPC.
func (o Odoo) settings() map[string]string {
	s := map[string]string{EnvOdooURL: o.URL, EnvOdooDB: o.DB, EnvOdooLogin: o.Login}
	switch {
	case o.Transport == "json2":
		s[EnvOdooAPIKey] = o.APIKey
	case o.APIKey == "":
		s[EnvOdooPassword] = o.Password
	}
	return s
}

// settings returns what NetSuite requires: the OAuth 2.0 values when any
// of them is set, the token-based ones otherwise.
func (n NetSuite) settings() map[string]string {
	s := map[string]string{EnvNSURL: n.URL, EnvNSAccount: n.Account}
	if n.ClientID != "" || n.CertificateID != "" || n.PrivateKeyPEM != "" {
		s[EnvNSClientID], s[EnvNSCertificateID] = n.ClientID, n.CertificateID
		s[EnvNSPrivateKey] = n.PrivateKeyPEM
		return s
	}
	s[EnvNSConsumerKey], s[EnvNSConsumerSecret] = n.ConsumerKey, n.ConsumerSecret
	s[EnvNSTokenID], s[EnvNSTokenSecret] = n.TokenID, n.TokenSecret
	return s
}

// CheckStarter reports the settings that the webhook receiver needs beyond
// the common ones: a database, and a webhook secret for every store.
func (c Config) CheckStarter() error {
	if c.DatabaseURL == "" {
		return fmt.Errorf("the webhook receiver needs %s", EnvDatabaseURL)
	}
	for name, s := range c.Stores {
		if s.WebhookSecret == "" {
			return fmt.Errorf("store %q has no webhook secret: set %s or %s=%s=SECRET",
				name, EnvWebhookSecret, EnvStores, name)
		}
	}
	return nil
}

// StoreNames returns the configured store names in order.
func (c Config) StoreNames() []string {
	names := make([]string, 0, len(c.Stores))
	for name := range c.Stores {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// String describes the configuration for a start-up log line, without
// secrets or the database password.
func (c Config) String() string {
	return fmt.Sprintf("temporal=%s namespace=%s task_queue=%s stores=%s erp=%s erp_url=%s",
		c.TemporalAddress, c.TemporalNamespace, c.TaskQueue,
		strings.Join(c.StoreNames(), ","), c.ERP, c.ERPURL())
}

// ValidName reports whether s can name a store or a store's order: 1 to 64
// letters, digits, '-' or '_'. Such names are safe inside workflow ids.
func ValidName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r == '-' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') ||
			(r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// ERPURL returns the address of the configured ERP.
func (c Config) ERPURL() string {
	switch c.ERP {
	case ERPNetSuite:
		return c.NetSuite.URL
	case ERPSAP:
		return c.SAP.URL
	case ERPBusinessCentral:
		return c.BusinessCentral.URL
	default:
		return c.Odoo.URL
	}
}
