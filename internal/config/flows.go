package config

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Flows holds the settings of the flows beyond orders and stock: how often
// their schedules run, the ERP's service items for an order's charges, who
// owns which customer field, and what reconciling looks at.
type Flows struct {
	CustomerInterval    time.Duration
	CatalogInterval     time.Duration
	FulfillmentInterval time.Duration
	ReconcileInterval   time.Duration
	DriftInterval       time.Duration

	// CustomerOwnership overrides the default owner of customer fields,
	// as "phone=erp,price_group=store".
	CustomerOwnership string

	ShippingSKU string
	DiscountSKU string
	TaxSKU      string
	RefundSKU   string

	// ReconcileDays is how far back the sweep and the drift report look;
	// DriftThreshold the stock difference a drift report names.
	ReconcileDays  int
	DriftThreshold int64
}

// Names of the environment variables of [Flows].
const (
	EnvCustomerInterval    = "ERPSYNC_CUSTOMER_INTERVAL"
	EnvCatalogInterval     = "ERPSYNC_CATALOG_INTERVAL"
	EnvFulfillmentInterval = "ERPSYNC_FULFILLMENT_INTERVAL"
	EnvReconcileInterval   = "ERPSYNC_RECONCILE_INTERVAL"
	EnvDriftInterval       = "ERPSYNC_DRIFT_INTERVAL"
	EnvCustomerOwnership   = "ERPSYNC_CUSTOMER_OWNERSHIP"
	EnvShippingSKU         = "ERPSYNC_SHIPPING_SKU"
	EnvDiscountSKU         = "ERPSYNC_DISCOUNT_SKU"
	EnvTaxSKU              = "ERPSYNC_TAX_SKU"
	EnvRefundSKU           = "ERPSYNC_REFUND_SKU"
	EnvReconcileDays       = "ERPSYNC_RECONCILE_DAYS"
	EnvDriftThreshold      = "ERPSYNC_DRIFT_THRESHOLD"
)

// readFlows reads the settings of the flows through get. A service item
// set to "-" is not used: that charge reaches the ERP only in the total.
func readFlows(get func(key, fallback string) string) (Flows, error) {
	var errs []error
	duration := func(key, fallback string) time.Duration {
		d, err := time.ParseDuration(get(key, fallback))
		if err != nil || d < time.Second {
			errs = append(errs, fmt.Errorf("%s: %q is not a duration of at least 1s", key,
				get(key, fallback)))
		}
		return d
	}
	sku := func(key, fallback string) string {
		if v := get(key, fallback); v != "-" {
			return v
		}
		return ""
	}

	f := Flows{
		CustomerInterval:    duration(EnvCustomerInterval, "5m"),
		CatalogInterval:     duration(EnvCatalogInterval, "15m"),
		FulfillmentInterval: duration(EnvFulfillmentInterval, "5m"),
		ReconcileInterval:   duration(EnvReconcileInterval, "15m"),
		DriftInterval:       duration(EnvDriftInterval, "24h"),
		CustomerOwnership:   get(EnvCustomerOwnership, ""),
		ShippingSKU:         sku(EnvShippingSKU, "SHIPPING"),
		DiscountSKU:         sku(EnvDiscountSKU, "DISCOUNT"),
		TaxSKU:              sku(EnvTaxSKU, "TAX"),
		RefundSKU:           sku(EnvRefundSKU, "REFUND"),
	}
	days, err := parseCount(EnvReconcileDays, get(EnvReconcileDays, "7"))
	if err == nil && days == 0 {
		err = fmt.Errorf("%s: must be at least 1", EnvReconcileDays)
	}
	f.ReconcileDays = days
	errs = append(errs, err)
	threshold, err := strconv.ParseInt(get(EnvDriftThreshold, "0"), 10, 64)
	if err != nil || threshold < 0 {
		errs = append(errs, fmt.Errorf("%s: %q is not a whole number of at least 0",
			EnvDriftThreshold, get(EnvDriftThreshold, "0")))
	}
	f.DriftThreshold = threshold
	return f, errors.Join(errs...)
}
