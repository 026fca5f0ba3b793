package stack

import (
	"net"
	"net/http"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/erp/odoo/odoosandbox"
)

// Sandbox is the ERP sandbox served over HTTP: one in-memory ERP model
// behind Odoo's JSON-RPC protocol, with its fault injection.
type Sandbox struct {
	Model  *erpsandbox.Model
	Faults *erpsandbox.Faults
	URL    string

	srv *http.Server
}

// StartSandbox serves a new, empty ERP sandbox on addr ("127.0.0.1:0" picks
// a free port).
func StartSandbox(addr string) (*Sandbox, error) {
	faults, err := erpsandbox.NewFaults(erpsandbox.Config{})
	if err != nil {
		return nil, err
	}
	model := erpsandbox.NewModel(nil)
	h := odoosandbox.New(model, faults, odoosandbox.Credentials{
		DB: OdooDB, Login: OdooLogin, Password: OdooPassword,
	})

	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }() // returns ErrServerClosed on Close

	return &Sandbox{Model: model, Faults: faults, URL: "http://" + l.Addr().String(), srv: srv}, nil
}

// Close stops serving.
func (s *Sandbox) Close() error {
	return s.srv.Close()
}
