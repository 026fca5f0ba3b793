package main

import (
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/businesscentral"
	"github.com/erpsync/erpsync/adapters/erp/odoo"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/httpretry"
)

// requestTimeout bounds one HTTP request to the ERP.
const requestTimeout = 30 * time.Second

// newERP returns the adapter of the ERP that cfg names. Its HTTP requests
// retry a few times, fast, where that is safe, before an error reaches the
// activity's slower retry policy.
func newERP(cfg config.Config, log *zap.Logger) (erp.SalesOrders, error) {
	hc := &http.Client{Timeout: requestTimeout, Transport: &httpretry.Transport{}}
	log = log.Named("erp")

	switch cfg.ERP {
	case config.ERPOdoo:
		o := odoo.Config{URL: cfg.Odoo.URL, DB: cfg.Odoo.DB, Login: cfg.Odoo.Login,
			Transport: cfg.Odoo.Transport, Password: cfg.Odoo.Password,
			APIKey: cfg.Odoo.APIKey, HTTPClient: hc, Logger: log}
		if err := o.Validate(); err != nil {
			return nil, err
		}
		return odoo.New(o), nil
	case config.ERPBusinessCentral:
		b := cfg.BusinessCentral
		bc := businesscentral.Config{URL: b.URL, TokenURL: b.TokenURL, ClientID: b.ClientID,
			ClientSecret: b.ClientSecret, CompanyID: b.CompanyID, HTTPClient: hc, Logger: log}
		if err := bc.Validate(); err != nil {
			return nil, err
		}
		return businesscentral.New(bc), nil
	}
	return nil, fmt.Errorf("%s: no adapter for ERP %q", config.EnvERP, cfg.ERP)
}
