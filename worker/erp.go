package main

import (
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/odoo"
	"github.com/erpsync/erpsync/adapters/erp/sap"
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
			Password: cfg.Odoo.Password, HTTPClient: hc, Logger: log}
		if err := o.Validate(); err != nil {
			return nil, err
		}
		return odoo.New(o), nil
	case config.ERPSAP:
		s := sap.Config{URL: cfg.SAP.URL, User: cfg.SAP.User, Password: cfg.SAP.Password,
			HTTPClient: hc, Logger: log}
		if err := s.Validate(); err != nil {
			return nil, err
		}
		return sap.New(s), nil
	}
	return nil, fmt.Errorf("%s: no adapter for ERP %q", config.EnvERP, cfg.ERP)
}
