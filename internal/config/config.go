// Package config reads the settings of the worker and the starter from the
// environment, checks them once at start-up, and prints them without their
// secrets.
package config

import (
	"errors"
	"fmt"
	"sort"
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

	// Stores lists the names of the stores served by the headless
	// storefront adapter, each with the secret its webhooks are signed
	// with.
	Stores map[string]Store

	ERP  string
	Odoo Odoo

	ListenAddr      string
	ShutdownTimeout time.Duration
	LogLevel        string
}

// Store is the configuration of one store.
type Store struct {
	WebhookSecret string `json:"-"`
}

// Odoo holds the credentials of the Odoo adapter.
type Odoo struct {
	URL      string
	DB       string
	Login    string
	Password string `json:"-"`
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
	EnvOdooURL           = "ODOO_URL"
	EnvOdooDB            = "ODOO_DB"
	EnvOdooLogin         = "ODOO_LOGIN"
	EnvOdooPassword      = "ODOO_PASSWORD"
	EnvListenAddr        = "ERPSYNC_LISTEN_ADDR"
	EnvShutdownTimeout   = "ERPSYNC_SHUTDOWN_TIMEOUT"
	EnvLogLevel          = "ERPSYNC_LOG_LEVEL"
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
		ERP:               get(EnvERP, "odoo"),
		Odoo: Odoo{
			URL:      get(EnvOdooURL, ""),
			DB:       get(EnvOdooDB, ""),
			Login:    get(EnvOdooLogin, ""),
			Password: getenv(EnvOdooPassword),
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
	c.Stores, err = parseStores(get(EnvStores, "demo"), getenv(EnvWebhookSecret))
	if err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(append(errs, c.check()...)...)
}

// parseStores reads a comma-separated list of store names, each optionally
// followed by "=secret"; names without their own secret use defaultSecret.
func parseStores(list, defaultSecret string) (map[string]Store, error) {
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
		stores[name] = Store{WebhookSecret: secret}
	}
	return stores, nil
}

func (c Config) check() []error {
	var errs []error
	if c.ERP != "odoo" {
		errs = append(errs, fmt.Errorf("%s: unknown ERP %q (supported: odoo)", EnvERP, c.ERP))
	}
	return errs
}

// CheckWorker reports the settings that the worker needs beyond the common
// ones.
func (c Config) CheckWorker() error {
	var missing []string
	for key, v := range map[string]string{
		EnvDatabaseURL: c.DatabaseURL,
		EnvOdooURL:     c.Odoo.URL, EnvOdooDB: c.Odoo.DB,
		EnvOdooLogin: c.Odoo.Login, EnvOdooPassword: c.Odoo.Password,
	} {
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
	return fmt.Sprintf("temporal=%s namespace=%s task_queue=%s stores=%s erp=%s odoo_url=%s",
		c.TemporalAddress, c.TemporalNamespace, c.TaskQueue,
		strings.Join(c.StoreNames(), ","), c.ERP, c.Odoo.URL)
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
