package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/config"
)

// StoreSandboxes serves one in-memory store model through the protocol of
// every store platform that has a sandbox, each on a port of its own, all
// with one fault injection.
type StoreSandboxes struct {
	Model  *storesandbox.Model
	Faults *erpsandbox.Faults

	// Systems lists the sandboxes in the order of [config.Platforms].
	Systems []StoreSystem

	servers servers
}

// StoreSystem is one store platform's sandbox.
type StoreSystem struct {
	// Platform is the platform's name as [config.Store] gives it.
	Platform string

	// URL is the base a client of the platform is configured with.
	URL string

	// Info is what a client needs to reach the sandbox, as one JSON object
	// that starts with "system" and "url".
	Info json.RawMessage

	// Env configures the worker and the starter for a store of this
	// platform named store.
	Env func(store string) []string

	// Subscribe makes the sandbox deliver the webhooks of new and updated
	// orders to url, signed and retried as the platform does.
	Subscribe func(url string) error

	// Sender delivers the sandbox's webhooks.
	Sender *storesandbox.Sender

	// Number gives the order number that the platform shows for a model
	// order, from which the ERP reference is made; nil means the model's
	// Number.
	Number func(o storesandbox.Order) string
}

// OrderNumber returns the number the platform shows for the model order o.
func (s StoreSystem) OrderNumber(o storesandbox.Order) string {
	if s.Number != nil {
		return s.Number(o)
	}
	return strconv.FormatInt(o.Number, 10)
}

// storeSandboxStarter makes one platform's sandbox over model and faults,
// served at url, and describes it.
type storeSandboxStarter func(model *storesandbox.Model, faults *erpsandbox.Faults,
	url string) (http.Handler, StoreSystem, error)

// storeSandboxStarters makes the sandbox of each store platform, by name.
var storeSandboxStarters = map[string]storeSandboxStarter{
	config.PlatformBigCommerce: bigCommerceSandbox,
	config.PlatformShopify:     shopifySandbox,
	config.PlatformWooCommerce: wooCommerceSandbox,
}

// StartStoreSandboxes serves the sandbox of every store platform that has
// one on free ports of host, over a new, empty model, with faults.
func StartStoreSandboxes(host string, faults *erpsandbox.Faults) (*StoreSandboxes, error) {
	sb := &StoreSandboxes{Model: storesandbox.NewModel(nil), Faults: faults}

	for _, platform := range config.Platforms {
		start, ok := storeSandboxStarters[platform]
		if !ok {
			continue // the headless store is served from Postgres
		}
		err := sb.servers.serve(host, func(url string) (http.Handler, error) {
			h, sys, err := start(sb.Model, sb.Faults, url)
			if err == nil {
				sb.Systems = append(sb.Systems, sys)
			}
			return h, err
		})
		if err != nil {
			return nil, errors.Join(fmt.Errorf("start the %s sandbox: %w", platform, err),
				sb.Close())
		}
	}
	return sb, nil
}

// System returns the sandbox of the store platform.
func (sb *StoreSandboxes) System(platform string) (StoreSystem, error) {
	i := slices.IndexFunc(sb.Systems, func(s StoreSystem) bool { return s.Platform == platform })
	if i < 0 {
		return StoreSystem{}, fmt.Errorf("no sandbox for store platform %q", platform)
	}
	return sb.Systems[i], nil
}

// Close stops serving every sandbox and gives up their webhook deliveries
// in flight.
func (sb *StoreSandboxes) Close() error {
	err := sb.servers.close()
	for _, sys := range sb.Systems {
		if sys.Sender != nil {
			sys.Sender.Close()
		}
	}
	return err
}
