package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/config"
)

// Sandboxes serves one in-memory ERP model through the protocol of every ERP
// erpsync supports, each on a port of its own, all with one fault injection.
type Sandboxes struct {
	Model  *erpsandbox.Model
	Faults *erpsandbox.Faults

	// Systems lists the sandboxes in the order of [config.ERPs].
	Systems []System

	servers servers
}

// System is one ERP sandbox.
type System struct {
	// Name is the ERP's name as [config.Config.ERP] gives it.
	Name string

	// URL is the base a client of the ERP is configured with.
	URL string

	// Info is what a client needs to reach the sandbox, as one JSON object
	// that starts with "system" and "url".
	Info json.RawMessage

	// Env configures the worker for this ERP.
	Env []string
}

// sandboxStarter makes one ERP's sandbox over model and faults, served at
// url, and describes it.
type sandboxStarter func(model *erpsandbox.Model, faults *erpsandbox.Faults,
	url string) (http.Handler, System, error)

// sandboxStarters makes the sandbox of each ERP, by name.
var sandboxStarters = map[string]sandboxStarter{
	config.ERPOdoo:            odooSandbox,
	config.ERPNetSuite:        netsuiteSandbox,
	config.ERPSAP:             sapSandbox,
	config.ERPBusinessCentral: businessCentralSandbox,
}

// StartSandboxes serves the sandbox of every ERP on free ports of host, over
// a new, empty model whose times come from now, or from the wall clock when
// now is nil.
func StartSandboxes(host string, now func() time.Time) (*Sandboxes, error) {
	faults, err := erpsandbox.NewFaults(erpsandbox.Config{})
	if err != nil {
		return nil, err
	}
	sb := &Sandboxes{Model: erpsandbox.NewModel(now), Faults: faults}

	for _, name := range config.ERPs {
		start, ok := sandboxStarters[name]
		if !ok {
			return nil, errors.Join(fmt.Errorf("no sandbox for ERP %q", name), sb.Close())
		}
		if err := sb.serve(host, start); err != nil {
			return nil, errors.Join(fmt.Errorf("start the %s sandbox: %w", name, err), sb.Close())
		}
	}
	return sb, nil
}

// serve starts one sandbox on a free port of host.
func (sb *Sandboxes) serve(host string, start sandboxStarter) error {
	return sb.servers.serve(host, func(url string) (http.Handler, error) {
		h, sys, err := start(sb.Model, sb.Faults, url)
		if err == nil {
			sb.Systems = append(sb.Systems, sys)
		}
		return h, err
	})
}

// System returns the sandbox of the ERP name.
func (sb *Sandboxes) System(name string) (System, error) {
	for _, s := range sb.Systems {
		if s.Name == name {
			return s, nil
		}
	}
	return System{}, fmt.Errorf("no sandbox for ERP %q", name)
}

// Close stops serving every sandbox.
func (sb *Sandboxes) Close() error { return sb.servers.close() }

// info marshals what a client needs to reach a sandbox.
func info(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("describe sandbox: %w", err)
	}
	return b, nil
}
