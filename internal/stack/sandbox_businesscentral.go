package stack

import (
	"net/http"

	"github.com/erpsync/erpsync/adapters/erp/businesscentral/bcsandbox"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/config"
)

// Fixed tenant, company and app registration of the Business Central
// sandbox. They protect nothing but a sandbox on loopback, and being fixed
// lets printed examples work as they are.
const (
	BCTenant       = "7a1c5e2b-3f4d-4e6a-9b8c-0d1e2f3a4b5c"
	BCEnvironment  = "Production"
	BCCompanyID    = "5d115c9c-44e3-ea11-bb43-000d3a2feca1"
	BCCompanyName  = "erpsync demo"
	BCClientID     = "c0ffee00-1d2e-4f3a-8b4c-5d6e7f8a9b0c"
	BCClientSecret = "bc-sandbox-client-secret"
)

// bcInfo is what a Business Central client needs.
type bcInfo struct {
	System       string `json:"system"`
	URL          string `json:"url"`
	TokenURL     string `json:"token_url"`
	Tenant       string `json:"tenant"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	CompanyID    string `json:"company_id"`
}

func businessCentralSandbox(model *erpsandbox.Model, faults *erpsandbox.Faults, url string) (
	http.Handler, System, error) {
	h := bcsandbox.New(model, faults, bcsandbox.Credentials{
		Tenant: BCTenant, Environment: BCEnvironment, CompanyID: BCCompanyID,
		CompanyName: BCCompanyName, ClientID: BCClientID, ClientSecret: BCClientSecret,
	}, bcsandbox.WithCurrency(Currency))

	apiURL := url + "/v2.0/" + BCTenant + "/" + BCEnvironment + "/api/v2.0"
	tokenURL := url + "/" + BCTenant + "/oauth2/v2.0/token"
	desc, err := info(bcInfo{System: config.ERPBusinessCentral, URL: apiURL,
		TokenURL: tokenURL, Tenant: BCTenant, ClientID: BCClientID,
		ClientSecret: BCClientSecret, CompanyID: BCCompanyID})

	return h, System{Name: config.ERPBusinessCentral, URL: apiURL, Info: desc, Env: []string{
		config.EnvBCURL + "=" + apiURL,
		config.EnvBCTokenURL + "=" + tokenURL,
		config.EnvBCClientID + "=" + BCClientID,
		config.EnvBCClientSecret + "=" + BCClientSecret,
		config.EnvBCCompanyID + "=" + BCCompanyID,
	}}, err
}
