// Package sap is the SAP S/4HANA Cloud adapter of erpsync: it implements
// [erp.ERP] over SAP's OData V2 APIs, with Basic authentication of a
// communication user and SAP's CSRF token protocol.
//
// Sales orders are A_SalesOrder of API_SALES_ORDER_SRV, created by deep
// insert with their to_Item; the external reference travels in
// PurchaseOrderByCustomer (at most 35 characters). SAP has no idempotent
// create, so CreateSalesOrder relies on the caller's FindSalesOrder under
// one writer per order, and an order whose answer was lost is found by the
// next FindSalesOrder. Customers are business partners of
// API_BUSINESS_PARTNER with their address-independent e-mail
// (to_AddressIndependentEmail) and the store's customer id in
// BusinessPartnerIDByExtSystem. Products and their base price come from
// A_Product of API_PRODUCT_SRV, stock from A_MatlStkInAcctMod of
// API_MATERIAL_STOCK_SRV, shipments from outbound deliveries of
// API_OUTBOUND_DELIVERY_SRV and cancellations from sales orders whose
// items are all rejected. CancelSalesOrder cancels an order as SAP does, by
// rejecting every item; ChangedSalesOrders lists A_SalesOrder by
// LastChangeDateTime. Credit memos are not offered yet. Vendor errors are
// translated into the [syncerr] vocabulary at the transport boundary.
//
// [syncerr]: github.com/erpsync/erpsync/internal/syncerr
package sap

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
)

// defaultTimeout bounds one HTTP request when Config gives no HTTP client.
const defaultTimeout = 30 * time.Second

// Log field keys.
const (
	fieldERP         = "erp"
	fieldExternalRef = "external_ref"
	fieldOrderID     = "order_id"
	fieldPartnerID   = "business_partner"
	fieldCount       = "count"
	fieldService     = "service"
	fieldPath        = "path"
	fieldStatus      = "status"
)

// Defaults of the sales area and document type of new sales orders, and of
// the reason for rejection that cancels them.
const (
	DefaultSalesOrderType       = "OR"
	DefaultSalesOrganization    = "1010"
	DefaultDistributionChannel  = "10"
	DefaultOrganizationDivision = "00"
	DefaultRejectionReason      = "Z1"
)

// Config is how to reach one SAP S/4HANA Cloud system.
type Config struct {
	// URL is the host base of the system, such as
	// "https://my123456-api.s4hana.cloud.sap"; services live under
	// URL + "/sap/opu/odata/sap/<SERVICE>/".
	URL string `json:"url"`

	// User and Password are those of the communication user.
	User     string `json:"user"`
	Password string `json:"-"`

	// The sales area and the document type of the orders the adapter
	// creates; the Default* constants when empty.
	SalesOrderType       string `json:"sales_order_type"`
	SalesOrganization    string `json:"sales_organization"`
	DistributionChannel  string `json:"distribution_channel"`
	OrganizationDivision string `json:"organization_division"`

	// RejectionReason is the reason for rejection (SalesDocumentRjcnReason,
	// two characters) that CancelSalesOrder sets on every item of an order;
	// DefaultRejectionReason when empty. It must be a reason configured in
	// the system.
	RejectionReason string `json:"rejection_reason"`

	// CustomerCurrency is the currency of the sales area data of customers
	// created by CreateCustomer. A customer created for an order gets the
	// order's currency; when empty, SAP's default applies.
	CustomerCurrency string `json:"customer_currency"`

	// Language picks the product description, "EN" when empty.
	Language string `json:"language"`

	// Timeout bounds each HTTP request; 30s when zero. It is ignored when
	// HTTPClient is set.
	Timeout    time.Duration `json:"timeout"`
	HTTPClient *http.Client  `json:"-"`

	// Logger receives structured logs with ids and counts, never
	// credentials or customer data. Nothing is logged when it is nil.
	Logger *zap.Logger `json:"-"`
}

// Validate reports the first missing or malformed setting of c.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("sap config: url %q is not an http(s) URL", c.URL)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("sap config: url %q may not have a query or a fragment", c.URL)
	case c.User == "":
		return errors.New("sap config: user is required")
	case c.Password == "":
		return errors.New("sap config: password is required")
	case c.Timeout < 0:
		return errors.New("sap config: timeout may not be negative")
	case utf8.RuneCountInString(strings.TrimSpace(c.RejectionReason)) > maxRejectionReason:
		return fmt.Errorf("sap config: rejection reason %q has more than %d characters",
			c.RejectionReason, maxRejectionReason)
	case c.CustomerCurrency != "" && !money.ValidCurrency(strings.ToUpper(c.CustomerCurrency)):
		return fmt.Errorf("sap config: customer currency %q is not an ISO 4217 code",
			c.CustomerCurrency)
	}
	return nil
}

// A Client is an SAP S/4HANA adapter. It is safe for concurrent use.
type Client struct {
	odata *odata
	log   *zap.Logger
	now   func() time.Time

	area                       salesArea
	orderType, rejection       string
	customerCurrency, language string
}

var _ erp.ERP = (*Client)(nil)

// New returns a client for cfg. It does not touch the network: the first
// modifying call fetches a CSRF token. Call [Config.Validate] first to
// fail fast on bad configuration.
func New(cfg Config) *Client {
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	log = log.With(zap.String(fieldERP, "sap"))

	hc := cfg.HTTPClient
	if hc == nil {
		timeout := cfg.Timeout
		if timeout == 0 {
			timeout = defaultTimeout
		}
		hc = &http.Client{Timeout: timeout}
	}

	return &Client{
		odata: newOData(strings.TrimRight(cfg.URL, "/")+"/sap/opu/odata/sap/", cfg.User,
			cfg.Password, hc, log),
		log:       log,
		now:       time.Now,
		orderType: orDefault(cfg.SalesOrderType, DefaultSalesOrderType),
		area: salesArea{
			org:      orDefault(cfg.SalesOrganization, DefaultSalesOrganization),
			channel:  orDefault(cfg.DistributionChannel, DefaultDistributionChannel),
			division: orDefault(cfg.OrganizationDivision, DefaultOrganizationDivision),
		},
		rejection: orDefault(cfg.RejectionReason, DefaultRejectionReason),
		language:  strings.ToUpper(orDefault(cfg.Language, "EN")),

		customerCurrency: strings.ToUpper(strings.TrimSpace(cfg.CustomerCurrency)),
	}
}

func orDefault(v, fallback string) string {
	if strings.TrimSpace(v) == "" {
		return fallback
	}
	return strings.TrimSpace(v)
}
