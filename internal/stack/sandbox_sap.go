package stack

import (
	"net/http"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/erp/sap/sapsandbox"
	"github.com/erpsync/erpsync/internal/config"
)

// Fixed credentials of the SAP sandbox's communication user. They protect
// nothing but a sandbox on loopback, and being fixed lets printed examples
// work as they are.
const (
	SAPUser     = "ERPSYNC_COMM_USER"
	SAPPassword = "sap-sandbox-password"
)

// sapInfo is what an SAP client needs: the host base, under which the
// services live at /sap/opu/odata/sap/<SERVICE>/, and the user.
type sapInfo struct {
	System   string `json:"system"`
	URL      string `json:"url"`
	User     string `json:"user"`
	Password string `json:"password"`
}

func sapSandbox(model *erpsandbox.Model, faults *erpsandbox.Faults, url string) (
	http.Handler, System, error) {
	h := sapsandbox.New(model, faults, sapsandbox.Credentials{User: SAPUser,
		Password: SAPPassword}, sapsandbox.WithCurrency(Currency))
	desc, err := info(sapInfo{System: config.ERPSAP, URL: url, User: SAPUser,
		Password: SAPPassword})

	return h, System{Name: config.ERPSAP, URL: url, Info: desc, Env: []string{
		config.EnvSAPURL + "=" + url,
		config.EnvSAPUser + "=" + SAPUser,
		config.EnvSAPPassword + "=" + SAPPassword,
	}}, err
}
