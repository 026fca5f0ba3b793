package bcstoresandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/money"
)

// BigCommerce numbers variants apart from products, and an order's
// shipping addresses apart from the order. The sandbox derives those ids
// from the model's, so that they stay the same from one request to the
// next.
const (
	variantBase = 1_000_000
	addressBase = 2_000_000
)

// variantID returns the id of the base variant of the model's product id.
func variantID(productID int64) int64 { return productID + variantBase }

// amount formats minor units of currency as BigCommerce's V2 money
// strings: decimals with four places, such as "225.0000".
func amount(minor int64, currency string) string {
	d := money.Decimal(minor, currency)
	whole, frac, _ := strings.Cut(d, ".")
	return whole + "." + frac + strings.Repeat("0", 4-len(frac))
}

// number formats minor units of currency as a JSON number, as the V3
// catalog gives prices, without going through floating point.
func number(minor int64, currency string) json.Number {
	return json.Number(money.Decimal(minor, currency))
}

// rfc2822 formats t as V2 dates are: "Tue, 05 Mar 2019 21:40:11 +0000".
func rfc2822(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// parseDate reads a date filter of the V2 API: RFC 2822 or ISO 8601.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, time.RFC3339Nano,
		"2006-01-02T15:04:05-0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if unix, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(unix, 0), true
	}
	return time.Time{}, false
}

// pagination is the "pagination" of a V3 collection's meta.
type pagination struct {
	Total       int   `json:"total"`
	Count       int   `json:"count"`
	PerPage     int   `json:"per_page"`
	CurrentPage int   `json:"current_page"`
	TotalPages  int   `json:"total_pages"`
	Links       links `json:"links"`
}

// links are the relative links of a V3 page.
type links struct {
	Previous string `json:"previous,omitempty"`
	Current  string `json:"current"`
	Next     string `json:"next,omitempty"`
}

// paging is a page and limit asked for.
type paging struct{ page, limit int }

// readPaging reads page and limit from q, limit defaulting to def and at
// most most. It answers 400 (or 413 for a limit over the maximum) in the
// error shape of version and reports false when they are not numbers.
func readPaging(w http.ResponseWriter, q url.Values, version, def, most int) (paging, bool) {
	p := paging{page: 1, limit: def}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"page", &p.page}, {"limit", &p.limit}} {
		name, v := f.name, q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, version, http.StatusBadRequest,
				"The field '"+name+"' is invalid: "+strconv.Quote(v), nil)
			return paging{}, false
		}
		*f.dst = n
	}
	if p.limit > most {
		writeError(w, version, http.StatusRequestEntityTooLarge,
			"The field 'limit' exceeds the maximum of "+strconv.Itoa(most)+".", nil)
		return paging{}, false
	}
	return p, true
}

// cut returns the page p of items, and its pagination.
func cut[T any](items []T, p paging) ([]T, *pagination) {
	total := len(items)
	pages := (total + p.limit - 1) / p.limit
	from := min(total, (p.page-1)*p.limit)
	to := min(total, from+p.limit)

	link := func(page int) string {
		return "?page=" + strconv.Itoa(page) + "&limit=" + strconv.Itoa(p.limit)
	}
	meta := &pagination{Total: total, Count: to - from, PerPage: p.limit,
		CurrentPage: p.page, TotalPages: pages, Links: links{Current: link(p.page)}}
	if p.page > 1 {
		meta.Links.Previous = link(p.page - 1)
	}
	if p.page < pages {
		meta.Links.Next = link(p.page + 1)
	}
	return items[from:to], meta
}

// idSet reads a comma-separated list of numeric ids, such as the value of
// "location_id:in", and reports false when one is not a number.
func idSet(v string) (map[int64]bool, bool) {
	if v == "" {
		return nil, true
	}
	set := map[int64]bool{}
	for _, s := range strings.Split(v, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, false
		}
		set[id] = true
	}
	return set, true
}

// stringSet reads a comma-separated list, such as the value of "sku:in".
func stringSet(v string) map[string]bool {
	if v == "" {
		return nil
	}
	set := map[string]bool{}
	for _, s := range strings.Split(v, ",") {
		set[strings.TrimSpace(s)] = true
	}
	return set
}

// admits reports whether set, a filter read by idSet or stringSet, lets v
// through: an absent filter lets everything through.
func admits[K comparable](set map[K]bool, v K) bool {
	return set == nil || set[v]
}
