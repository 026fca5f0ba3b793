package shopifysandbox

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// errProductSet is the type of productSet's user errors.
const errProductSet = "ProductSetUserError"

// productSet answers productSet(input:, synchronous:) for a new product
// of one variant, which is what the model keeps: the title, the status
// (ACTIVE unless given) and the variant's SKU, price and compare-at price
// in the shop's currency. Updating a product by id is not served. An
// asynchronous call is done at once and answers its operation only.
func (s *Sandbox) productSet(c call) (any, error) {
	in, _ := c.args["input"].(map[string]any)
	p, ue := s.checkProductSet(in)
	if ue != nil {
		return productSetPayload(nil, nil, *ue), nil
	}

	created, err := s.model.CreateProduct(p)
	if errors.Is(err, storesandbox.ErrInvalid) {
		return productSetPayload(nil, nil, userError(errProductSet, "INVALID_VARIANT",
			fmt.Sprintf("SKU %q is in use: the sandbox keeps SKUs unique.", p.SKU),
			"input", "variants", "0", "sku")), nil
	}
	if err != nil {
		return nil, fmt.Errorf("create product %q: %w", p.SKU, err)
	}

	op := obj{typename: "ProductSetOperation", fields: map[string]any{
		"id": gid("ProductSetOperation", s.newJob()), "status": "COMPLETE"}}
	if sync, ok := c.args["synchronous"].(bool); ok && !sync {
		return productSetPayload(nil, &op), nil
	}
	return productSetPayload(ptr(s.productObj(created)), &op), nil
}

// checkProductSet reads a productSet input into a model product, or the
// user error that refuses it.
func (s *Sandbox) checkProductSet(in map[string]any) (storesandbox.Product, *obj) {
	title, _ := toString(in["title"])
	status, _ := toString(in["status"])
	variants, _ := in["variants"].([]any)
	_, hasOptions := in["productOptions"].([]any)
	fail := func(code, msg string, path ...any) (storesandbox.Product, *obj) {
		return storesandbox.Product{}, ptr(userError(errProductSet, code, msg,
			append([]any{"input"}, path...)...))
	}
	switch {
	case in["id"] != nil:
		return fail("INVALID_PRODUCT", "Updating a product is not served by the sandbox.",
			"id")
	case title == "":
		return fail("BLANK", "Title can't be blank", "title")
	case len(variants) != 1:
		return fail("INVALID_VARIANT", "The sandbox serves products of exactly one variant.",
			"variants")
	case !hasOptions:
		return fail("INVALID_INPUT", "productOptions and variants must be given together.",
			"productOptions")
	case status != "" && !slices.Contains([]string{"ACTIVE", "ARCHIVED", "DRAFT"}, status):
		return fail("INVALID", "Status is not a product status.", "status")
	}

	v, _ := variants[0].(map[string]any)
	p := storesandbox.Product{Name: title, Currency: s.currency, Draft: status == "DRAFT"}
	p.SKU, _ = toString(v["sku"])
	if p.SKU == "" {
		return fail("BLANK", "The sandbox needs a SKU on the variant.", "variants", "0", "sku")
	}
	prices := map[string]int64{}
	for _, name := range []string{"price", "compareAtPrice"} {
		raw, _ := toString(v[name])
		if raw == "" {
			continue
		}
		minor, err := money.ParseMinor(raw, s.currency)
		if err != nil || minor < 0 {
			return fail("INVALID_VARIANT", name+" is not a valid amount.", "variants", "0", name)
		}
		prices[name] = minor
	}
	p.PriceMinor = prices["price"]
	if prices["compareAtPrice"] > p.PriceMinor {
		p.PriceMinor, p.SalePriceMinor = prices["compareAtPrice"], prices["price"]
	}
	return p, nil
}

func productSetPayload(product, op *obj, errs ...obj) obj {
	fields := map[string]any{"product": nil, "productSetOperation": nil, "userErrors": errs}
	if product != nil {
		fields["product"] = *product
	}
	if op != nil {
		fields["productSetOperation"] = *op
	}
	if errs == nil {
		fields["userErrors"] = []obj{}
	}
	return obj{typename: "ProductSetPayload", fields: fields}
}

// quantityNames are the inventory quantity names Shopify knows. The model
// keeps the available quantity only, which is also the sandbox's on hand
// quantity; the others are zero.
var quantityNames = []string{"available", "committed", "damaged", "incoming", "on_hand",
	"quality_control", "reserved", "safety_stock"}

// inventoryLevels answers InventoryItem.inventoryLevels(first:, after:):
// the locations that stock the variant of p, by location id.
func (s *Sandbox) inventoryLevels(p storesandbox.Product, c call) (any, error) {
	ids := map[string]int64{}
	for _, l := range s.model.Locations() {
		ids[l.Name] = l.ID
	}
	var entries []entry
	for _, level := range s.model.StockLevels() {
		loc, ok := ids[level.Location]
		if level.SKU != p.SKU || !ok {
			continue
		}
		node := levelObj(p, storesandbox.Location{ID: loc, Name: level.Location},
			level.Available)
		entries = append(entries, entry{key: cursorKey{ID: loc, Value: numberKey(loc)},
			node: node})
	}
	return paginate("InventoryLevel", entries, c.args)
}

// levelObj is the InventoryLevel of p at location l.
func levelObj(p storesandbox.Product, l storesandbox.Location, available int64) obj {
	item := itemIDBase + p.ID
	id := gid("InventoryLevel", l.ID) + "?inventory_item_id=" + strconv.FormatInt(item, 10)
	return obj{typename: "InventoryLevel", fields: map[string]any{
		"id": id, "location": locationObj(l),
		"quantities": resolver(func(c call) (any, error) {
			names, _ := c.args["names"].([]any)
			out := make([]obj, 0, len(names))
			for _, n := range names {
				name, _ := toString(n)
				if !slices.Contains(quantityNames, name) {
					return nil, errorCode("BAD_REQUEST", "Invalid quantity name '%s'", name)
				}
				q := int64(0)
				if name == "available" || name == "on_hand" {
					q = available
				}
				out = append(out, obj{typename: "InventoryQuantity", fields: map[string]any{
					"id": id + "&name=" + name, "name": name, "quantity": q}})
			}
			return out, nil
		}),
	}}
}

// resolveInventoryItem answers inventoryItem(id:).
func (s *Sandbox) resolveInventoryItem(c call) (any, error) {
	id, _ := toString(c.args["id"])
	if _, ok := parseGID(id, typeInventoryItem); !ok {
		return nil, errorCode("BAD_REQUEST", "Invalid global id '%s'", id)
	}
	p, ok := s.variantByItem(id)
	if !ok {
		return nil, nil
	}
	return s.inventoryItemObj(p), nil
}
