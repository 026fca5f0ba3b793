package stack

import (
	"net/http"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/erp/odoo/odoosandbox"
	"github.com/erpsync/erpsync/internal/config"
)

// Fixed credentials of the Odoo sandbox. They protect nothing but a sandbox
// on loopback, and being fixed lets printed examples work as they are.
const (
	OdooDB       = "erpsync"
	OdooLogin    = "admin"
	OdooPassword = "odoo-sandbox-password"
	OdooAPIKey   = "odoo-sandbox-api-key"
)

// odooInfo is what an Odoo client needs.
type odooInfo struct {
	System   string `json:"system"`
	URL      string `json:"url"`
	Database string `json:"database"`
	Login    string `json:"login"`
	Password string `json:"password"`
	APIKey   string `json:"api_key"`
}

// odooSandbox serves the Odoo sandbox. The worker gets both the password
// and the API key, so that ODOO_TRANSPORT=json2 in the environment of
// devstack (which the worker inherits) switches it from JSON-RPC to JSON-2.
func odooSandbox(model *erpsandbox.Model, faults *erpsandbox.Faults, url string) (
	http.Handler, System, error) {
	h := odoosandbox.New(model, faults, odoosandbox.Credentials{
		DB: OdooDB, Login: OdooLogin, Password: OdooPassword, APIKey: OdooAPIKey,
	})
	desc, err := info(odooInfo{System: config.ERPOdoo, URL: url, Database: OdooDB,
		Login: OdooLogin, Password: OdooPassword, APIKey: OdooAPIKey})

	return h, System{Name: config.ERPOdoo, URL: url, Info: desc, Env: []string{
		config.EnvOdooURL + "=" + url,
		config.EnvOdooDB + "=" + OdooDB,
		config.EnvOdooLogin + "=" + OdooLogin,
		config.EnvOdooPassword + "=" + OdooPassword,
		config.EnvOdooAPIKey + "=" + OdooAPIKey,
	}}, err
}
