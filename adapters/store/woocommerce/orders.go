package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// gmtLayout is how WooCommerce writes its *_gmt dates: UTC, without a zone.
const gmtLayout = "2006-01-02T15:04:05"

// order is the part of WooCommerce's order resource that erpsync reads.
// Amounts are decimal strings in the order's currency.
type order struct {
	ID               int64   `json:"id"`
	Number           string  `json:"number"`
	Status           string  `json:"status"`
	Currency         string  `json:"currency"`
	PricesIncludeTax bool    `json:"prices_include_tax"`
	DateCreatedGMT   *string `json:"date_created_gmt"`
	DateModifiedGMT  *string `json:"date_modified_gmt"`
	Total            string  `json:"total"`
	TotalTax         string  `json:"total_tax"`
	DiscountTotal    string  `json:"discount_total"`
	DiscountTax      string  `json:"discount_tax"`
	ShippingTotal    string  `json:"shipping_total"`
	ShippingTax      string  `json:"shipping_tax"`
	CustomerID       int64   `json:"customer_id"`
	Billing          address `json:"billing"`
	LineItems        []line  `json:"line_items"`
	MetaData         []meta  `json:"meta_data"`
	Refunds          []struct {
		ID int64 `json:"id"`
	} `json:"refunds"`
}

// address is an order's billing address.
type address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

// line is an order's line item. Subtotal is before discounts, and neither
// amount includes tax.
type line struct {
	Name        string      `json:"name"`
	SKU         string      `json:"sku"`
	Quantity    json.Number `json:"quantity"`
	Subtotal    string      `json:"subtotal"`
	SubtotalTax string      `json:"subtotal_tax"`
}

// meta is one meta data entry of a resource.
type meta struct {
	ID    int64           `json:"id,omitempty"`
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// LoadOrder reads the order with the decimal id orderID from GET
// /orders/{id}, the reason of its cancellation from its notes when it is
// cancelled, and its refunds from GET /orders/{id}/refunds when it has
// any. An order the store does not have gives an error wrapping
// [syncerr.ErrNotFound].
func (s *Store) LoadOrder(ctx context.Context, orderID string) (store.Order, error) {
	path, err := orderPath(orderID)
	if err != nil {
		return store.Order{}, err
	}

	var o order
	if _, err := s.do(ctx, call{method: http.MethodGet, path: path}, &o); err != nil {
		return store.Order{}, fmt.Errorf("load woocommerce order %s: %w", orderID, err)
	}
	if strconv.FormatInt(o.ID, 10) != orderID {
		return store.Order{}, fmt.Errorf("load woocommerce order %s: the answer is order %d: %w",
			orderID, o.ID, syncerr.ErrUnavailable)
	}

	out, err := mapOrder(o)
	if err == nil {
		err = s.readLifecycle(ctx, path, o, &out)
	}
	if err != nil {
		return store.Order{}, fmt.Errorf("load woocommerce order %s: %w", orderID, err)
	}
	return out, nil
}

// SetERPID writes erpID into the order's meta entry erp_sales_order_id with
// PUT /orders/{id}. WooCommerce matches meta entries by key, so the entry is
// updated rather than added again; an order that already holds erpID is not
// written, so that no update webhook follows.
func (s *Store) SetERPID(ctx context.Context, orderID, erpID string) error {
	path, err := orderPath(orderID)
	if err != nil {
		return err
	}
	if erpID == "" {
		return syncerr.Invalid("erp_id", "is empty")
	}

	var cur order
	read := call{method: http.MethodGet, path: path,
		query: url.Values{"_fields": {"id,meta_data"}}}
	if _, err := s.do(ctx, read, &cur); err != nil {
		return fmt.Errorf("read meta of woocommerce order %s: %w", orderID, err)
	}
	if metaValue(cur.MetaData, MetaKeyERPID) == erpID {
		return nil
	}

	var updated order
	write := call{method: http.MethodPut, path: path, body: map[string]any{
		"meta_data": []map[string]string{{"key": MetaKeyERPID, "value": erpID}},
	}}
	if _, err := s.do(ctx, write, &updated); err != nil {
		return fmt.Errorf("write erp id of woocommerce order %s: %w", orderID, err)
	}
	if got := metaValue(updated.MetaData, MetaKeyERPID); got != erpID {
		return fmt.Errorf("write erp id of woocommerce order %s: the order holds %q: %w",
			orderID, got, syncerr.ErrUnavailable)
	}
	return nil
}

// orderPath returns the API path of the order, or an error when orderID is
// not a WooCommerce order id.
func orderPath(orderID string) (string, error) {
	n, err := strconv.ParseInt(orderID, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != orderID {
		return "", syncerr.Invalid("order_id", "%q is not a woocommerce order id", orderID)
	}
	return "orders/" + orderID, nil
}

// metaValue returns the value of the first entry with key as text, or "".
func metaValue(entries []meta, key string) string {
	for _, m := range entries {
		if m.Key != key {
			continue
		}
		var s string
		if json.Unmarshal(m.Value, &s) == nil {
			return s
		}
		return strings.TrimSpace(string(m.Value))
	}
	return ""
}

// parseGMT reads one of WooCommerce's *_gmt dates; a missing date is the
// zero time.
func parseGMT(field string, v *string) (time.Time, error) {
	if v == nil || *v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(gmtLayout, *v, time.UTC)
	if err != nil {
		return time.Time{}, syncerr.Invalid(field, "%q is not a date like %s", *v, gmtLayout)
	}
	return t, nil
}
