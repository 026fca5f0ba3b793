package shopifysandbox

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// maxMetafields is the most metafields one metafieldsSet call sets.
const maxMetafields = 25

// mutationRoot is the Mutation root; version is the API version asked for,
// which decides what inventorySetQuantities requires.
func (s *Sandbox) mutationRoot(version string) obj {
	return obj{typename: "Mutation", fields: map[string]any{
		"metafieldsSet": resolver(s.metafieldsSet),
		"inventorySetQuantities": resolver(func(c call) (any, error) {
			return s.setQuantities(c, version)
		}),
		"productVariantsBulkUpdate": resolver(s.variantsBulkUpdate),
		"webhookSubscriptionCreate": resolver(func(c call) (any, error) {
			return s.createSubscription(c, version)
		}),
		"webhookSubscriptionDelete": resolver(s.deleteSubscription),
		"metafieldsDelete":          resolver(s.metafieldsDelete),
		"customerUpdate":            resolver(s.customerUpdate),
		"productSet":                resolver(s.productSet),
		"fulfillmentCreate":         resolver(s.fulfillmentCreate),
		"orderCancel":               resolver(s.orderCancel),
	}}
}

// userError is an entry of a payload's userErrors. path names the input
// field at fault; its numbers are list indexes, as Shopify writes them.
func userError(typename, code, message string, path ...any) obj {
	var field []string
	for _, p := range path {
		field = append(field, fmt.Sprint(p))
	}
	return obj{typename: typename, fields: map[string]any{
		"code": nullable(code), "field": field, "message": message, "elementIndex": nil,
	}}
}

// metafieldWrite is one checked input of metafieldsSet.
type metafieldWrite struct {
	owner metaOwner
	key   string // "namespace.key"
	value string
	typ   string
}

var (
	namespacePattern = regexp.MustCompile(`^[$a-zA-Z0-9_-]{3,255}$`)
	keyPattern       = regexp.MustCompile(`^[a-zA-Z0-9_-]{2,64}$`)
)

// metafieldsSet sets up to 25 metafields of orders and customers, all or
// none.
func (s *Sandbox) metafieldsSet(c call) (any, error) {
	inputs, _ := c.args["metafields"].([]any)
	const errType = "MetafieldsSetUserError"
	if len(inputs) > maxMetafields {
		return metafieldsPayload(nil, []obj{userError(errType, "LESS_THAN_OR_EQUAL_TO",
			fmt.Sprintf("Exceeded the maximum metafields input limit of %d.", maxMetafields),
			"metafields")}), nil
	}

	var writes []metafieldWrite
	var errs []obj
	for i, in := range inputs {
		m, _ := in.(map[string]any)
		w, code, field, msg := s.checkMetafield(m)
		if code != "" {
			e := userError(errType, code, msg, "metafields", i, field)
			e.fields["elementIndex"] = i
			errs = append(errs, e)
			continue
		}
		writes = append(writes, w)
	}
	if len(errs) > 0 {
		return metafieldsPayload(nil, errs), nil
	}
	return s.applyMetafields(writes)
}

func metafieldsPayload(metafields []obj, errs []obj) obj {
	var list any
	if metafields != nil {
		list = metafields
	}
	if errs == nil {
		errs = []obj{}
	}
	return obj{typename: "MetafieldsSetPayload", fields: map[string]any{
		"metafields": list, "userErrors": errs,
	}}
}

// checkMetafield checks one input; on refusal it returns the error code,
// the input field at fault and the message.
func (s *Sandbox) checkMetafield(m map[string]any) (metafieldWrite, string, string, string) {
	ownerID, _ := toString(m["ownerId"])
	o, found := s.metaOwner(ownerID)
	if !found {
		return metafieldWrite{}, "INVALID_VALUE", "ownerId", "Owner does not exist."
	}
	ns, _ := toString(m["namespace"])
	if ns == "" {
		ns = appNamespace
	}
	key, _ := toString(m["key"])
	value, _ := toString(m["value"])
	typ, _ := toString(m["type"])
	full := ns + "." + key
	if typ == "" {
		s.mu.Lock()
		typ = s.types[metafieldKey{owner: o.id, key: full}]
		s.mu.Unlock()
	}

	if code, field, msg := checkMetafieldValue(ns, key, value, typ); code != "" {
		return metafieldWrite{}, code, field, msg
	}
	if want, ok := m["compareDigest"]; ok {
		current, exists := o.fields[full]
		if d, _ := want.(string); (want == nil) == exists || want != nil && d != digest(current) {
			return metafieldWrite{}, "STALE_OBJECT", "compareDigest", "The resource has been " +
				"updated since it was loaded. Try again with an updated `compareDigest` value."
		}
	}
	return metafieldWrite{owner: o, key: full, value: value, typ: typ}, "", "", ""
}

// checkMetafieldValue checks the names, the type and the value.
func checkMetafieldValue(ns, key, value, typ string) (string, string, string) {
	switch {
	case !namespacePattern.MatchString(ns):
		return "INVALID", "namespace", "Namespace must be 3 to 255 letters, digits, - or _."
	case !keyPattern.MatchString(key):
		return "INVALID", "key", "Key must be 2 to 64 letters, digits, - or _."
	case typ == "":
		return "BLANK", "type", "Type can't be blank."
	case value == "":
		return "BLANK", "value", "Value can't be blank."
	}
	switch typ {
	case metafieldType:
		if strings.ContainsAny(value, "\r\n") {
			return "INVALID_VALUE", "value", "Value must be a single line of text."
		}
	case "number_integer":
		if _, err := strconv.ParseInt(value, 10, 64); err != nil {
			return "INVALID_VALUE", "value", "Value must be an integer."
		}
	case "multi_line_text_field", "json", "boolean":
	default:
		return "INVALID_TYPE", "type", "Type is not a metafield type the sandbox knows."
	}
	return "", "", ""
}

// applyMetafields writes checked inputs and answers them as stored.
func (s *Sandbox) applyMetafields(writes []metafieldWrite) (any, error) {
	out := make([]obj, 0, len(writes))
	for _, w := range writes {
		o, err := s.setMetafield(w.owner, w.key, w.value)
		if err != nil {
			return nil, fmt.Errorf("set metafield %s of %s %d: %w", w.key, w.owner.typ,
				w.owner.id, err)
		}
		s.mu.Lock()
		s.types[metafieldKey{owner: o.id, key: w.key}] = w.typ
		s.mu.Unlock()
		out = append(out, s.metafieldObj(o, w.key, w.value))
	}
	return metafieldsPayload(out, nil), nil
}

// priceChange is one checked input of productVariantsBulkUpdate.
type priceChange struct {
	price, compareAt *int64
	clearCompareAt   bool
}

// variantsBulkUpdate sets prices of the variants of one product, all or
// none unless allowPartialUpdates.
func (s *Sandbox) variantsBulkUpdate(c call) (any, error) {
	const errType = "ProductVariantsBulkUpdateUserError"
	productID, _ := toString(c.args["productId"])
	n, ok := parseGID(productID, typeProduct)
	p, found := s.productByID(n - productIDBase)
	if !ok || !found {
		return s.variantsPayload(nil, nil, []obj{userError(errType, "PRODUCT_DOES_NOT_EXIST",
			"Product does not exist", "productId")}), nil
	}

	inputs, _ := c.args["variants"].([]any)
	var changes []priceChange
	var errs []obj
	for i, in := range inputs {
		m, _ := in.(map[string]any)
		ch, code, field, msg := checkPriceChange(m, p)
		if code != "" {
			errs = append(errs, userError(errType, code, msg, "variants", i, field))
			continue
		}
		changes = append(changes, ch)
	}
	partial, _ := c.args["allowPartialUpdates"].(bool)
	if len(errs) > 0 && !partial {
		return s.variantsPayload(&p, nil, errs), nil
	}
	return s.applyPrices(p, changes, errs)
}

func (s *Sandbox) variantsPayload(p *storesandbox.Product, variants []obj, errs []obj) obj {
	fields := map[string]any{"product": nil, "productVariants": nil, "userErrors": errs}
	if p != nil {
		fields["product"] = s.productObj(*p)
	}
	if variants != nil {
		fields["productVariants"] = variants
	}
	if errs == nil {
		fields["userErrors"] = []obj{}
	}
	return obj{typename: "ProductVariantsBulkUpdatePayload", fields: fields}
}

// checkPriceChange reads one variant input of product p.
func checkPriceChange(m map[string]any, p storesandbox.Product) (priceChange, string, string,
	string) {
	id, _ := toString(m["id"])
	if n, ok := parseGID(id, typeVariant); !ok || n != p.ID {
		return priceChange{}, "PRODUCT_VARIANT_DOES_NOT_EXIST", "id",
			"Product variant does not exist"
	}

	var ch priceChange
	for _, f := range []struct {
		name string
		dst  **int64
	}{{"price", &ch.price}, {"compareAtPrice", &ch.compareAt}} {
		v, present := m[f.name]
		if !present {
			continue
		}
		if v == nil {
			ch.clearCompareAt = ch.clearCompareAt || f.name == "compareAtPrice"
			continue
		}
		s, _ := v.(string)
		minor, err := money.ParseMinor(s, p.Currency)
		if err != nil || minor < 0 {
			return priceChange{}, "INVALID", f.name, fmt.Sprintf("%s %q is not a valid "+
				"amount of %s", f.name, s, p.Currency)
		}
		*f.dst = &minor
	}
	return ch, "", "", ""
}

// applyPrices applies checked changes to p: the variant sells at price,
// and is on sale while its compare-at price is above it.
func (s *Sandbox) applyPrices(p storesandbox.Product, changes []priceChange,
	errs []obj) (any, error) {
	var variants []obj
	for _, ch := range changes {
		updated, err := s.model.UpdateProduct(p.ID, func(q *storesandbox.Product) error {
			applyPriceChange(q, ch)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("update prices of product %d: %w", p.ID, err)
		}
		p = updated
		variants = append(variants, s.variantObj(updated))
	}
	if variants == nil {
		variants = []obj{}
	}
	return s.variantsPayload(&p, variants, errs), nil
}

func applyPriceChange(q *storesandbox.Product, ch priceChange) {
	sell, compareAt := q.PriceMinor, int64(0)
	if q.OnSale() {
		sell, compareAt = q.SalePriceMinor, q.PriceMinor
	}
	if ch.price != nil {
		sell = *ch.price
	}
	if ch.clearCompareAt {
		compareAt = 0
	}
	if ch.compareAt != nil {
		compareAt = *ch.compareAt
	}

	q.PriceMinor, q.SalePriceMinor = sell, 0
	if compareAt > sell {
		q.PriceMinor, q.SalePriceMinor = compareAt, sell
	}
}
