package shopifysandbox

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/money"
)

// Global id types of the Admin API.
const (
	typeOrder               = "Order"
	typeLineItem            = "LineItem"
	typeShippingLine        = "ShippingLine"
	typeCustomer            = "Customer"
	typeProduct             = "Product"
	typeVariant             = "ProductVariant"
	typeInventoryItem       = "InventoryItem"
	typeLocation            = "Location"
	typeMetafield           = "Metafield"
	typeShop                = "Shop"
	typeWebhookSubscription = "WebhookSubscription"
	typeAdjustmentGroup     = "InventoryAdjustmentGroup"
)

// Offsets that keep the ids of a model product's Shopify product and
// inventory item apart from its variant's, which is the model's id, so that
// a client mixing them up is caught.
const (
	productIDBase = 7_000_000_000
	itemIDBase    = 9_000_000_000
)

// gid returns the global id of the record of type typ with numeric id n.
func gid(typ string, n int64) string {
	return "gid://shopify/" + typ + "/" + strconv.FormatInt(n, 10)
}

// parseGID returns the numeric id of a global id of type typ, and whether
// s is one.
func parseGID(s, typ string) (int64, bool) {
	rest, ok := strings.CutPrefix(s, "gid://shopify/"+typ+"/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n > 0
}

// toInt reads an integer argument as the GraphQL layer hands it over.
func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}

// toString reads a string argument; ok is false when it is absent or not a
// string.
func toString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// apiTime formats a time as the GraphQL Admin API's DateTime.
func apiTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// restTime formats a time as the REST Admin API does, with the shop's
// offset, which is UTC here.
func restTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-07:00") }

// decimal formats minor units as Shopify's Decimal scalar, which drops
// trailing zeros but keeps one decimal: "12.5", "10.0".
func decimal(minor int64, currency string) string {
	s := money.Decimal(minor, currency)
	if !strings.Contains(s, ".") {
		return s + ".0"
	}
	s = strings.TrimRight(s, "0")
	if strings.HasSuffix(s, ".") {
		s += "0"
	}
	return s
}

// moneyBag is a MoneyBag with the same amount in shop and presentment
// currency.
func moneyBag(minor int64, currency string) obj {
	m := obj{typename: "MoneyV2", fields: map[string]any{
		"amount": decimal(minor, currency), "currencyCode": currency,
	}}
	return obj{typename: "MoneyBag", fields: map[string]any{
		"shopMoney": m, "presentmentMoney": m,
	}}
}

// nullable returns nil for "", so that empty strings are answered as null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
