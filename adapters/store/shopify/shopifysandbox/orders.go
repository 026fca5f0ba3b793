package shopifysandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// What the model does not hold but Shopify's orders carry: the sandbox
// names every order discount, tax line and shipping line alike.
const (
	discountCode  = "SANDBOX"
	taxTitle      = "Tax"
	shippingTitle = "Standard"
	shippingCode  = "STANDARD"
	appNamespace  = "$app"
	metafieldType = "single_line_text_field"
)

// resolveOrder answers order(id:): null for an order the shop lacks.
func (s *Sandbox) resolveOrder(c call) (any, error) {
	id, _ := toString(c.args["id"])
	n, ok := parseGID(id, typeOrder)
	if !ok {
		return nil, errorCode("BAD_REQUEST", "Invalid global id '%s'", id)
	}
	o, ok := s.model.Order(n)
	if !ok {
		return nil, nil
	}
	return s.orderObj(o), nil
}

// resolveOrders answers orders(first:, after:, sortKey:, reverse:, query:).
func (s *Sandbox) resolveOrders(c call) (any, error) {
	q, _ := toString(c.args["query"])
	filter, err := parseSearch(q)
	if err != nil {
		return nil, errorCode("BAD_REQUEST", "%s", err.Error())
	}
	sortKey, _ := toString(c.args["sortKey"])

	var entries []entry
	for _, o := range s.model.ChangedOrders(time.Time{}, time.Time{}, 0, 0) {
		if filter.match(orderSearch(o)) {
			entries = append(entries, entry{key: orderKey(o, sortKey), node: s.orderObj(o)})
		}
	}
	return paginate(typeOrder, entries, c.args)
}

// orderSearch is what a search of orders reads.
func orderSearch(o storesandbox.Order) searchable {
	return searchable{
		"id": o.ID, "name": "#" + strconv.FormatInt(o.Number, 10), "email": o.Customer.Email,
		"created_at": o.Created, "processed_at": o.Created, "updated_at": o.Modified,
	}
}

// orderKey is the cursor key of o in a listing sorted by sortKey.
func orderKey(o storesandbox.Order, sortKey string) cursorKey {
	switch sortKey {
	case "UPDATED_AT":
		return cursorKey{ID: o.ID, Value: timeKey(o.Modified)}
	case "ID":
		return cursorKey{ID: o.ID, Value: numberKey(o.ID)}
	case "NUMBER":
		return cursorKey{ID: o.ID, Value: numberKey(o.Number)}
	}
	return cursorKey{ID: o.ID, Value: timeKey(o.Created)}
}

// totals are the sums an order shows besides its total.
type totals struct {
	lineDiscounts int64
	discounts     int64 // the order's and its lines'
	subtotal      int64 // the lines after all discounts
}

func orderTotals(o storesandbox.Order) totals {
	var t totals
	for _, l := range o.Lines {
		t.lineDiscounts += l.DiscountMinor
		t.subtotal += l.Quantity * l.UnitPriceMinor
	}
	t.discounts = t.lineDiscounts + o.DiscountMinor
	t.subtotal -= t.discounts
	return t
}

// taxRate approximates the rate of an order's single tax line from its
// amounts, which is all the model keeps.
func taxRate(o storesandbox.Order, t totals) float64 {
	base := t.subtotal + o.ShippingMinor
	if o.TaxesIncluded {
		base -= o.TaxMinor
	}
	if base <= 0 {
		return 0
	}
	return math.Round(float64(o.TaxMinor)/float64(base)*1e4) / 1e4
}

// orderObj is an Order of the GraphQL API.
func (s *Sandbox) orderObj(o storesandbox.Order) obj {
	t := orderTotals(o)
	cur := o.Currency
	return obj{typename: typeOrder, fields: map[string]any{
		"id":                       gid(typeOrder, o.ID),
		"legacyResourceId":         strconv.FormatInt(o.ID, 10),
		"name":                     "#" + strconv.FormatInt(o.Number, 10),
		"number":                   o.Number,
		"email":                    nullable(o.Customer.Email),
		"phone":                    nullable(o.Customer.Phone),
		"createdAt":                apiTime(o.Created),
		"processedAt":              apiTime(o.Created),
		"updatedAt":                apiTime(o.Modified),
		"currencyCode":             cur,
		"presentmentCurrencyCode":  cur,
		"taxesIncluded":            o.TaxesIncluded,
		"test":                     false,
		"discountCodes":            discountCodes(o),
		"subtotalPriceSet":         moneyBag(t.subtotal, cur),
		"totalPriceSet":            moneyBag(o.TotalMinor, cur),
		"currentTotalPriceSet":     moneyBag(o.TotalMinor, cur),
		"totalDiscountsSet":        moneyBag(t.discounts, cur),
		"totalShippingPriceSet":    moneyBag(o.ShippingMinor, cur),
		"totalTaxSet":              moneyBag(o.TaxMinor, cur),
		"taxLines":                 taxLines(o.TaxMinor, taxRate(o, t), cur),
		"lineItems":                pageOf(typeLineItem, lineItems(o)),
		"shippingLines":            pageOf(typeShippingLine, shippingLines(o)),
		"shippingAddress":          addressObj(o.Customer),
		"billingAddress":           addressObj(o.Customer),
		"metafield":                s.ownerResolver(orderOwner(o), s.metafield),
		"metafields":               s.ownerResolver(orderOwner(o), s.metafieldList),
		"cancelledAt":              s.cancelledAt(o),
		"cancelReason":             cancelReason(o),
		"totalRefundedSet":         moneyBag(refunded(o), cur),
		"closed":                   o.Status == storesandbox.StatusCancelled,
		"displayFulfillmentStatus": displayFulfillmentStatus(o),
		"refunds":                  listOf(refundObjs(o)),
		"fulfillments":             listOf(fulfillmentObjs(o)),
		"fulfillmentOrders":        pageOf(typeFulfillmentOrder, fulfillmentOrders(o)),
		"customer":                 s.orderCustomer(o.Customer),
	}}
}

// ownerResolver binds a resolver of a metafield owner's field to m.
func (s *Sandbox) ownerResolver(m metaOwner,
	resolve func(metaOwner, call) (any, error)) resolver {
	return func(c call) (any, error) { return resolve(m, c) }
}

// pageOf resolves a nested connection over nodes in their order.
func pageOf(name string, nodes []obj) resolver {
	return func(c call) (any, error) { return paginate(name, positional(nodes), c.args) }
}

func discountCodes(o storesandbox.Order) []string {
	if o.DiscountMinor == 0 {
		return []string{}
	}
	return []string{discountCode}
}

func taxLines(tax int64, rate float64, currency string) []obj {
	if tax == 0 {
		return []obj{}
	}
	return []obj{{typename: "TaxLine", fields: map[string]any{
		"title": taxTitle, "rate": rate, "priceSet": moneyBag(tax, currency),
	}}}
}

func lineItems(o storesandbox.Order) []obj {
	out := make([]obj, len(o.Lines))
	for i, l := range o.Lines {
		out[i] = lineItemObj(l, o.Currency)
	}
	return out
}

func lineItemObj(l storesandbox.Line, currency string) obj {
	return obj{typename: typeLineItem, fields: map[string]any{
		"id":                   gid(typeLineItem, l.ID),
		"sku":                  nullable(l.SKU),
		"name":                 l.Name,
		"title":                l.Name,
		"quantity":             l.Quantity,
		"originalUnitPriceSet": moneyBag(l.UnitPriceMinor, currency),
		"totalDiscountSet":     moneyBag(l.DiscountMinor, currency),
		"taxLines":             taxLines(l.TaxMinor, 0, currency),
	}}
}

func shippingLines(o storesandbox.Order) []obj {
	if o.ShippingMinor == 0 {
		return nil
	}
	price := moneyBag(o.ShippingMinor, o.Currency)
	return []obj{{typename: typeShippingLine, fields: map[string]any{
		"id": gid(typeShippingLine, o.ID), "title": shippingTitle, "code": shippingCode,
		"originalPriceSet": price, "discountedPriceSet": price,
	}}}
}

// addressObj is the customer's address as a MailingAddress, or nil when the
// order has none.
func addressObj(c storesandbox.Customer) any {
	if c.Line1 == "" && c.City == "" {
		return nil
	}
	return obj{typename: "MailingAddress", fields: map[string]any{
		"firstName": nullable(c.FirstName), "lastName": nullable(c.LastName),
		"name":    nullable(strings.TrimSpace(c.FirstName + " " + c.LastName)),
		"company": nil, "address1": nullable(c.Line1), "address2": nullable(c.Line2),
		"city": nullable(c.City), "province": nullable(c.Region),
		"provinceCode": nullable(c.Region), "zip": nullable(c.PostalCode),
		"country": nullable(c.Country), "countryCodeV2": nullable(c.Country),
		"phone": nullable(c.Phone),
	}}
}

// metafieldKey names one metafield of one owner. Orders and customers
// take their ids from one sequence of the model, so an id names one owner.
type metafieldKey struct {
	owner int64
	key   string // "namespace.key"
}

// metaOwner is a record that carries metafields: an order or a customer.
type metaOwner struct {
	id       int64
	typ      string // typeOrder or typeCustomer
	fields   map[string]string
	modified time.Time
}

func orderOwner(o storesandbox.Order) metaOwner {
	return metaOwner{id: o.ID, typ: typeOrder, fields: o.Metafields, modified: o.Modified}
}

func accountOwner(a storesandbox.Account) metaOwner {
	return metaOwner{id: a.ID, typ: typeCustomer, fields: a.Metafields, modified: a.Modified}
}

// metafield answers metafield(namespace:, key:) of an order or customer.
func (s *Sandbox) metafield(o metaOwner, c call) (any, error) {
	ns, ok := toString(c.args["namespace"])
	if !ok || ns == "" {
		ns = appNamespace
	}
	key, _ := toString(c.args["key"])
	full := ns + "." + key
	value, ok := o.fields[full]
	if !ok {
		return nil, nil
	}
	return s.metafieldObj(o, full, value), nil
}

// metafieldList answers metafields(namespace:, keys:) of an order or
// customer.
func (s *Sandbox) metafieldList(o metaOwner, c call) (any, error) {
	ns, _ := toString(c.args["namespace"])
	keys, _ := c.args["keys"].([]any)
	var nodes []obj
	for _, full := range sortedKeys(o.fields) {
		space, _, _ := strings.Cut(full, ".")
		if (ns == "" || space == ns) && wanted(keys, full) {
			nodes = append(nodes, s.metafieldObj(o, full, o.fields[full]))
		}
	}
	return paginate(typeMetafield, positional(nodes), c.args)
}

func wanted(keys []any, full string) bool {
	if len(keys) == 0 {
		return true
	}
	for _, k := range keys {
		if k == full {
			return true
		}
	}
	return false
}

// metafieldObj is a Metafield of the owner, with the id the sandbox keeps
// for it.
func (s *Sandbox) metafieldObj(o metaOwner, full, value string) obj {
	k := metafieldKey{owner: o.id, key: full}
	s.mu.Lock()
	id, ok := s.metafields[k]
	if !ok {
		id = s.nextID()
		s.metafields[k] = id
	}
	typ := s.types[k]
	s.mu.Unlock()
	if typ == "" {
		typ = metafieldType
	}

	ns, key, _ := strings.Cut(full, ".")
	at := apiTime(o.modified)
	return obj{typename: typeMetafield, fields: map[string]any{
		"id": gid(typeMetafield, id), "namespace": ns, "key": key, "value": value,
		"type": typ, "compareDigest": digest(value), "createdAt": at, "updatedAt": at,
	}}
}

// digest is a metafield's compareDigest.
func digest(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}
