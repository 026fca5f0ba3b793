package shopifysandbox

import (
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/vektah/gqlparser/v2/ast"
)

// root is the query or mutation root of a planned operation.
func (s *Sandbox) root(p plan) obj {
	if p.op.Operation == ast.Mutation {
		return s.mutationRoot(p.version)
	}
	return obj{typename: "QueryRoot", fields: map[string]any{
		"shop":                 s.shopObj(),
		"order":                resolver(s.resolveOrder),
		"orders":               resolver(s.resolveOrders),
		"productVariants":      resolver(s.resolveVariants),
		"locations":            resolver(s.resolveLocations),
		"webhookSubscriptions": resolver(s.resolveSubscriptions),
		"customer":             resolver(s.resolveCustomer),
		"customers":            resolver(s.resolveCustomers),
		"inventoryItem":        resolver(s.resolveInventoryItem),
		"job":                  resolver(s.resolveJob),
		"refund":               resolver(s.resolveRefund),
	}}
}

// shopObj is the Shop.
func (s *Sandbox) shopObj() obj {
	name, _, _ := strings.Cut(s.creds.ShopDomain, ".")
	return obj{typename: typeShop, fields: map[string]any{
		"id": gid(typeShop, 1), "name": name, "myshopifyDomain": s.creds.ShopDomain,
		"currencyCode": s.currency, "ianaTimezone": "Etc/UTC",
	}}
}

// resolveVariants answers productVariants(first:, after:, sortKey:,
// query:), searching by sku, id and product_id.
func (s *Sandbox) resolveVariants(c call) (any, error) {
	q, _ := toString(c.args["query"])
	filter, err := parseSearch(q)
	if err != nil {
		return nil, errorCode("BAD_REQUEST", "%s", err.Error())
	}
	bySKU := c.args["sortKey"] == "SKU"

	var entries []entry
	for _, p := range s.model.Products() {
		fields := searchable{"sku": p.SKU, "id": p.ID, "product_id": productIDBase + p.ID}
		if !filter.match(fields) {
			continue
		}
		key := cursorKey{ID: p.ID, Value: numberKey(p.ID)}
		if bySKU {
			key.Value = p.SKU
		}
		entries = append(entries, entry{key: key, node: s.variantObj(p)})
	}
	return paginate(typeVariant, entries, c.args)
}

// variantObj is the one variant of a model product. A product on sale
// sells at its sale price under a compare-at price of its base price.
func (s *Sandbox) variantObj(p storesandbox.Product) obj {
	price, compareAt := any(money.Decimal(p.PriceMinor, p.Currency)), any(nil)
	if p.OnSale() {
		price = money.Decimal(p.SalePriceMinor, p.Currency)
		compareAt = money.Decimal(p.PriceMinor, p.Currency)
	}
	return obj{typename: typeVariant, fields: map[string]any{
		"id":               gid(typeVariant, p.ID),
		"legacyResourceId": strconv.FormatInt(p.ID, 10),
		"sku":              nullable(p.SKU),
		"title":            "Default Title",
		"displayName":      p.Name + " - Default Title",
		"price":            price,
		"compareAtPrice":   compareAt,
		"updatedAt":        apiTime(p.Modified),
		"product":          s.productObj(p),
		"inventoryItem":    s.inventoryItemObj(p),
	}}
}

// productObj is the product of a model product, which has it as its one
// variant; a draft product is in status DRAFT.
func (s *Sandbox) productObj(p storesandbox.Product) obj {
	id := productIDBase + p.ID
	status := "ACTIVE"
	if p.Draft {
		status = "DRAFT"
	}
	return obj{typename: typeProduct, fields: map[string]any{
		"id": gid(typeProduct, id), "legacyResourceId": strconv.FormatInt(id, 10),
		"title": p.Name, "status": status,
		"variants": resolver(func(c call) (any, error) {
			return paginate(typeVariant, positional([]obj{s.variantObj(p)}), c.args)
		}),
	}}
}

func (s *Sandbox) inventoryItemObj(p storesandbox.Product) obj {
	id := itemIDBase + p.ID
	return obj{typename: typeInventoryItem, fields: map[string]any{
		"id": gid(typeInventoryItem, id), "legacyResourceId": strconv.FormatInt(id, 10),
		"sku": nullable(p.SKU), "tracked": true,
		"inventoryLevels": resolver(func(c call) (any, error) {
			return s.inventoryLevels(p, c)
		}),
	}}
}

// resolveLocations answers locations(first:, after:, sortKey:, query:).
func (s *Sandbox) resolveLocations(c call) (any, error) {
	q, _ := toString(c.args["query"])
	filter, err := parseSearch(q)
	if err != nil {
		return nil, errorCode("BAD_REQUEST", "%s", err.Error())
	}
	byID := c.args["sortKey"] == "ID"

	var entries []entry
	for _, l := range s.model.Locations() {
		if !filter.match(searchable{"name": l.Name, "id": l.ID}) {
			continue
		}
		key := cursorKey{ID: l.ID, Value: l.Name}
		if byID {
			key.Value = numberKey(l.ID)
		}
		entries = append(entries, entry{key: key, node: locationObj(l)})
	}
	return paginate(typeLocation, entries, c.args)
}

func locationObj(l storesandbox.Location) obj {
	return obj{typename: typeLocation, fields: map[string]any{
		"id": gid(typeLocation, l.ID), "legacyResourceId": strconv.FormatInt(l.ID, 10),
		"name": l.Name, "isActive": true,
	}}
}

// variantByItem returns the product whose inventory item has global id
// item.
func (s *Sandbox) variantByItem(item string) (storesandbox.Product, bool) {
	n, ok := parseGID(item, typeInventoryItem)
	if !ok {
		return storesandbox.Product{}, false
	}
	return s.productByID(n - itemIDBase)
}

// productByID returns the model product with id.
func (s *Sandbox) productByID(id int64) (storesandbox.Product, bool) {
	for _, p := range s.model.Products() {
		if p.ID == id {
			return p, true
		}
	}
	return storesandbox.Product{}, false
}

// locationByID returns the location with global id loc.
func (s *Sandbox) locationByID(loc string) (storesandbox.Location, bool) {
	n, ok := parseGID(loc, typeLocation)
	if !ok {
		return storesandbox.Location{}, false
	}
	for _, l := range s.model.Locations() {
		if l.ID == n {
			return l, true
		}
	}
	return storesandbox.Location{}, false
}
