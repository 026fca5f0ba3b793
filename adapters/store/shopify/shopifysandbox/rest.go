package shopifysandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// The REST Admin API's call limit: a bucket of 40 calls that leaks two a
// second.
const (
	restBucketSize = 40
	restLeakRate   = 2
	restPageSize   = 50
)

// restBucket counts REST calls.
type restBucket struct {
	used float64
	at   time.Time
}

// take counts a call, or returns how long to wait when the bucket is full.
func (b *restBucket) take(now time.Time) (time.Duration, bool) {
	if now.After(b.at) {
		b.used = math.Max(0, b.used-now.Sub(b.at).Seconds()*restLeakRate)
		b.at = now
	}
	if b.used+1 > restBucketSize {
		return time.Duration((b.used + 1 - restBucketSize) / restLeakRate * float64(time.Second)),
			false
	}
	b.used++
	return 0, true
}

// serveREST answers a REST request of operation name under the faults, the
// access token and the call limit.
func (s *Sandbox) serveREST(w http.ResponseWriter, r *http.Request, name string,
	handle func(http.ResponseWriter)) {
	s.requests.Add(1)
	if _, ok := apiVersion(w, r); !ok {
		return
	}
	s.faults.ServeLimited(w, r, op("rest", name), writeRESTLimited, func(w http.ResponseWriter) {
		if !s.authorized(w, r) {
			return
		}
		s.mu.Lock()
		wait, ok := s.rest.take(s.now())
		used := int(math.Ceil(s.rest.used))
		s.mu.Unlock()
		w.Header().Set("X-Shopify-Shop-Api-Call-Limit",
			strconv.Itoa(used)+"/"+strconv.Itoa(restBucketSize))
		if !ok {
			writeRESTLimited(w, wait)
			return
		}
		handle(w)
	})
}

// writeRESTLimited answers a REST call over the limit as Shopify does.
func writeRESTLimited(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.FormatFloat(math.Max(1, math.Ceil(wait.Seconds())),
		'f', 1, 64))
	writeJSON(w, http.StatusTooManyRequests, map[string]string{"errors": "Exceeded 2 calls " +
		"per second for api client. Reduce request rates to resume uninterrupted service."})
}

// serveOrder answers GET /admin/api/{version}/orders/{id}.json.
func (s *Sandbox) serveOrder(w http.ResponseWriter, r *http.Request) {
	s.serveREST(w, r, "order", func(w http.ResponseWriter) {
		id, err := strconv.ParseInt(strings.TrimSuffix(r.PathValue("file"), ".json"), 10, 64)
		o, ok := s.model.Order(id)
		if err != nil || !ok || !strings.HasSuffix(r.PathValue("file"), ".json") {
			writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Not Found"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"order": onlyFields(s.restOrder(o),
			r.URL.Query().Get("fields"))})
	})
}

// pageInfo is what a REST page_info cursor holds: the listing's filter and
// where the page starts.
type pageInfo struct {
	UpdatedAtMin string    `json:"updated_at_min,omitempty"`
	Key          cursorKey `json:"key"`
	Backward     bool      `json:"backward,omitempty"`
}

// serveOrders answers GET /admin/api/{version}/orders.json with
// updated_at_min, limit, fields and page_info, paging by the Link header,
// in id order.
func (s *Sandbox) serveOrders(w http.ResponseWriter, r *http.Request) {
	s.serveREST(w, r, "orders", func(w http.ResponseWriter) {
		q := r.URL.Query()
		limit, cursor, err := restPaging(q)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"errors": err.Error()})
			return
		}
		since, err := restSince(cursor.UpdatedAtMin)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]string{
				"updated_at_min": "is not a date"}})
			return
		}

		orders := s.model.ChangedOrders(since, time.Time{}, 0, 0)
		sort.Slice(orders, func(i, j int) bool { return orders[i].ID < orders[j].ID })
		page, prev, next := restPage(orders, cursor, limit, q.Has("page_info"))
		if link := linkHeader(r, cursor, limit, prev, next); link != "" {
			w.Header().Set("Link", link)
		}
		list := make([]map[string]any, len(page))
		for i, o := range page {
			list[i] = onlyFields(s.restOrder(o), q.Get("fields"))
		}
		writeJSON(w, http.StatusOK, map[string]any{"orders": list})
	})
}

// restPaging reads limit and page_info. A page_info carries the filter;
// other filters beside it are refused, as Shopify refuses them.
func restPaging(q url.Values) (int, pageInfo, error) {
	limit := restPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			return 0, pageInfo{}, fmt.Errorf("limit must be between 1 and %d", maxPage)
		}
		limit = n
	}
	if !q.Has("page_info") {
		return limit, pageInfo{UpdatedAtMin: q.Get("updated_at_min")}, nil
	}
	for k := range q {
		if k != "page_info" && k != "limit" && k != "fields" {
			return 0, pageInfo{}, fmt.Errorf("page_info cannot be combined with %s", k)
		}
	}
	var p pageInfo
	raw, err := base64.RawURLEncoding.DecodeString(q.Get("page_info"))
	if err == nil {
		err = json.Unmarshal(raw, &p)
	}
	if err != nil {
		return 0, pageInfo{}, fmt.Errorf("page_info is invalid")
	}
	return limit, p, nil
}

// restSince reads updated_at_min.
func restSince(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	return parseSearchTime(v)
}

// restPage cuts the page that cursor asks for out of orders, in id order,
// and returns it with the keys of the pages before and after it (nil when
// there is none).
func restPage(orders []storesandbox.Order, cursor pageInfo, limit int, paged bool) (
	[]storesandbox.Order, *cursorKey, *cursorKey) {
	start := 0
	switch {
	case paged && cursor.Backward:
		end := sort.Search(len(orders), func(i int) bool { return orders[i].ID >= cursor.Key.ID })
		start = max(0, end-limit)
		orders = orders[:end]
	case paged:
		start = sort.Search(len(orders), func(i int) bool { return orders[i].ID > cursor.Key.ID })
	}
	page := orders[start:min(start+limit, len(orders))]
	if len(page) == 0 {
		return page, nil, nil
	}

	var prev, next *cursorKey
	if start > 0 {
		prev = &cursorKey{ID: page[0].ID}
	}
	if start+len(page) < len(orders) {
		next = &cursorKey{ID: page[len(page)-1].ID}
	}
	return page, prev, next
}

// linkHeader writes the Link header of a page; its links keep the
// request's fields.
func linkHeader(r *http.Request, cursor pageInfo, limit int, prev, next *cursorKey) string {
	var links []string
	for _, l := range []struct {
		key      *cursorKey
		rel      string
		backward bool
	}{{prev, "previous", true}, {next, "next", false}} {
		if l.key == nil {
			continue
		}
		p := pageInfo{UpdatedAtMin: cursor.UpdatedAtMin, Key: *l.key, Backward: l.backward}
		raw, _ := json.Marshal(p) // strings and numbers always encode
		q := url.Values{"limit": {strconv.Itoa(limit)},
			"page_info": {base64.RawURLEncoding.EncodeToString(raw)}}
		if fields := r.URL.Query().Get("fields"); fields != "" {
			q.Set("fields", fields)
		}
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
		if r.TLS != nil {
			u.Scheme = "https"
		}
		links = append(links, "<"+u.String()+`>; rel="`+l.rel+`"`)
	}
	return strings.Join(links, ", ")
}

// onlyFields keeps the top-level fields of a resource that fields, a
// comma-separated list, names; all of them when it is empty.
func onlyFields(resource map[string]any, fields string) map[string]any {
	if strings.TrimSpace(fields) == "" {
		return resource
	}
	out := map[string]any{}
	for _, f := range strings.Split(fields, ",") {
		if v, ok := resource[strings.TrimSpace(f)]; ok {
			out[strings.TrimSpace(f)] = v
		}
	}
	return out
}

// restOrder is an order as the REST Admin API and webhooks give it.
func (s *Sandbox) restOrder(o storesandbox.Order) map[string]any {
	t := orderTotals(o)
	cur := o.Currency
	amount := func(minor int64) string { return money.Decimal(minor, cur) }
	out := map[string]any{
		"id":                       o.ID,
		"admin_graphql_api_id":     gid(typeOrder, o.ID),
		"order_number":             o.Number,
		"number":                   o.Number - 1000,
		"name":                     "#" + strconv.FormatInt(o.Number, 10),
		"email":                    o.Customer.Email,
		"contact_email":            o.Customer.Email,
		"phone":                    nullable(o.Customer.Phone),
		"created_at":               restTime(o.Created),
		"updated_at":               restTime(o.Modified),
		"processed_at":             restTime(o.Created),
		"currency":                 cur,
		"presentment_currency":     cur,
		"taxes_included":           o.TaxesIncluded,
		"test":                     false,
		"financial_status":         financialStatus(o),
		"fulfillment_status":       restFulfillmentStatus(o),
		"cancelled_at":             nil,
		"cancel_reason":            nil,
		"total_price":              amount(o.TotalMinor),
		"subtotal_price":           amount(t.subtotal),
		"total_line_items_price":   amount(t.subtotal + t.discounts),
		"total_discounts":          amount(t.discounts),
		"total_tax":                amount(o.TaxMinor),
		"total_price_set":          restMoney(o.TotalMinor, cur),
		"total_discounts_set":      restMoney(t.discounts, cur),
		"total_tax_set":            restMoney(o.TaxMinor, cur),
		"total_shipping_price_set": restMoney(o.ShippingMinor, cur),
		"line_items":               restLines(o),
		"shipping_lines":           restShipping(o),
		"tax_lines":                restTaxLines(o.TaxMinor, taxRate(o, t), cur),
		"discount_codes":           restDiscounts(o),
		"customer":                 restCustomer(o.Customer),
		"shipping_address":         restAddress(o.Customer),
		"billing_address":          restAddress(o.Customer),
		"note":                     nil,
		"tags":                     "",
		"source_name":              "web",
	}
	if o.Status == storesandbox.StatusCancelled {
		reason, _ := cancelReason(o).(string)
		out["cancelled_at"] = restTime(s.cancelTime(o))
		out["cancel_reason"] = strings.ToLower(reason)
	}
	return out
}

// financialStatus is the REST order's financial_status: paid, or what its
// refunds made of it.
func financialStatus(o storesandbox.Order) string {
	switch r := refunded(o); {
	case r == 0:
		return "paid"
	case r >= o.TotalMinor:
		return "refunded"
	}
	return "partially_refunded"
}

// restFulfillmentStatus is the REST order's fulfillment_status: null when
// nothing is shipped.
func restFulfillmentStatus(o storesandbox.Order) any {
	switch displayFulfillmentStatus(o) {
	case "FULFILLED":
		return "fulfilled"
	case "PARTIALLY_FULFILLED":
		return "partial"
	}
	return nil
}

func restMoney(minor int64, currency string) map[string]any {
	m := map[string]string{"amount": money.Decimal(minor, currency), "currency_code": currency}
	return map[string]any{"shop_money": m, "presentment_money": m}
}

func restLines(o storesandbox.Order) []map[string]any {
	out := make([]map[string]any, len(o.Lines))
	for i, l := range o.Lines {
		out[i] = map[string]any{
			"id": l.ID, "admin_graphql_api_id": gid(typeLineItem, l.ID),
			"sku": l.SKU, "title": l.Name, "name": l.Name, "quantity": l.Quantity,
			"price":                money.Decimal(l.UnitPriceMinor, o.Currency),
			"price_set":            restMoney(l.UnitPriceMinor, o.Currency),
			"total_discount":       money.Decimal(l.DiscountMinor, o.Currency),
			"total_discount_set":   restMoney(l.DiscountMinor, o.Currency),
			"tax_lines":            restTaxLines(l.TaxMinor, 0, o.Currency),
			"fulfillable_quantity": l.Quantity, "requires_shipping": true, "taxable": true,
		}
	}
	return out
}

func restShipping(o storesandbox.Order) []map[string]any {
	if o.ShippingMinor == 0 {
		return []map[string]any{}
	}
	price := money.Decimal(o.ShippingMinor, o.Currency)
	return []map[string]any{{
		"id": o.ID, "title": shippingTitle, "code": shippingCode, "price": price,
		"discounted_price": price, "price_set": restMoney(o.ShippingMinor, o.Currency),
		"tax_lines": []any{},
	}}
}

func restTaxLines(tax int64, rate float64, currency string) []map[string]any {
	if tax == 0 {
		return []map[string]any{}
	}
	return []map[string]any{{"title": taxTitle, "rate": rate,
		"price": money.Decimal(tax, currency), "price_set": restMoney(tax, currency)}}
}

func restDiscounts(o storesandbox.Order) []map[string]any {
	if o.DiscountMinor == 0 {
		return []map[string]any{}
	}
	return []map[string]any{{"code": discountCode,
		"amount": money.Decimal(o.DiscountMinor, o.Currency), "type": "fixed_amount"}}
}

func restCustomer(c storesandbox.Customer) any {
	if c.ID == 0 {
		return nil
	}
	return map[string]any{"id": c.ID, "admin_graphql_api_id": gid(typeCustomer, c.ID),
		"email": c.Email, "first_name": c.FirstName, "last_name": c.LastName,
		"phone": nullable(c.Phone)}
}

func restAddress(c storesandbox.Customer) any {
	if c.Line1 == "" && c.City == "" {
		return nil
	}
	return map[string]any{
		"first_name": c.FirstName, "last_name": c.LastName,
		"name":     strings.TrimSpace(c.FirstName + " " + c.LastName),
		"address1": c.Line1, "address2": nullable(c.Line2), "city": c.City,
		"zip": c.PostalCode, "province": nullable(c.Region),
		"province_code": nullable(c.Region), "country": c.Country,
		"country_code": c.Country, "phone": nullable(c.Phone), "company": nil,
	}
}
