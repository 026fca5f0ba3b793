// Package erps opens the adapter of the configured ERP, for the worker and
// for devstack's benchmarks alike.
package erps

import (
	"cmp"
	"fmt"
	"net/http"
	"time"
	// The time zones of ERP users load from the binary, in images without
	// a zone database too.
	_ "time/tzdata"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/businesscentral"
	"github.com/erpsync/erpsync/adapters/erp/netsuite"
	"github.com/erpsync/erpsync/adapters/erp/odoo"
	"github.com/erpsync/erpsync/adapters/erp/sap"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/httpretry"
)

// requestTimeout bounds one HTTP request to the ERP.
const requestTimeout = 30 * time.Second

// Open returns the adapter of the ERP that cfg names, with its settings
// checked. Its HTTP requests retry a few times, fast, where that is safe,
// before an error reaches the activity's slower retry policy.
func Open(cfg config.Config, log *zap.Logger) (erp.ERP, error) {
	hc := &http.Client{Timeout: requestTimeout, Transport: &httpretry.Transport{}}
	log = log.Named("erp")

	switch cfg.ERP {
	case config.ERPOdoo:
		return newOdoo(cfg.Odoo, hc, log)
	case config.ERPNetSuite:
		return newNetSuite(cfg.NetSuite, hc, log)
	case config.ERPSAP:
		return newSAP(cfg.SAP, hc, log)
	case config.ERPBusinessCentral:
		return newBusinessCentral(cfg.BusinessCentral, hc, log)
	}
	return nil, fmt.Errorf("%s: no adapter for ERP %q", config.EnvERP, cfg.ERP)
}

func newOdoo(o config.Odoo, hc *http.Client, log *zap.Logger) (erp.ERP, error) {
	c := odoo.Config{URL: o.URL, DB: o.DB, Login: o.Login, Transport: o.Transport,
		Password: o.Password, APIKey: o.APIKey, HTTPClient: hc, Logger: log}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return odoo.New(c), nil
}

// newNetSuite returns the NetSuite adapter, authenticating with OAuth 2.0
// when its settings are given and with token-based authentication if not.
func newNetSuite(ns config.NetSuite, hc *http.Client, log *zap.Logger) (erp.ERP, error) {
	tz, err := time.LoadLocation(cmp.Or(ns.TimeZone, "UTC"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvNSTimeZone, err)
	}

	c := netsuite.Config{URL: ns.URL, Account: ns.Account, ConsumerKey: ns.ConsumerKey,
		ConsumerSecret: ns.ConsumerSecret, TokenID: ns.TokenID, TokenSecret: ns.TokenSecret,
		ClientID: ns.ClientID, CertificateID: ns.CertificateID,
		PrivateKeyPEM: ns.PrivateKeyPEM, MaxConcurrency: ns.MaxConcurrency, TimeZone: tz,
		HTTPClient: hc, Logger: log}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return netsuite.New(c), nil
}

func newSAP(s config.SAP, hc *http.Client, log *zap.Logger) (erp.ERP, error) {
	c := sap.Config{URL: s.URL, User: s.User, Password: s.Password,
		RejectionReason: s.RejectionReason, HTTPClient: hc, Logger: log}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return sap.New(c), nil
}

func newBusinessCentral(b config.BusinessCentral, hc *http.Client, log *zap.Logger) (erp.ERP,
	error) {
	c := businesscentral.Config{URL: b.URL, TokenURL: b.TokenURL, ClientID: b.ClientID,
		ClientSecret: b.ClientSecret, CompanyID: b.CompanyID, HTTPClient: hc, Logger: log}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return businesscentral.New(c), nil
}
