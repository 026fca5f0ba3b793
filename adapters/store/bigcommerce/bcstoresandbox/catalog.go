package bcstoresandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// maxVariantBatch is the most variants one batch update may change.
const maxVariantBatch = 50

// getStore answers GET /v2/store: the store's information, with the
// default currency that catalog prices are in.
func (s *Sandbox) getStore(w http.ResponseWriter, r *http.Request, _ []byte) {
	writeJSON(w, http.StatusOK, map[string]any{
		"id": s.creds.StoreHash, "store_id": s.creds.StoreID, "name": "erpsync sandbox",
		"domain": r.Host, "secure_url": origin(r), "status": "live",
		"currency": s.currency, "currency_symbol": "", "currency_symbol_location": "left",
		"decimal_places": money.Exponent(s.currency), "plan_name": "Pro",
		"default_channel_id": 1, "timezone": map[string]any{"name": "Etc/UTC",
			"raw_offset": 0, "dst_offset": 0, "dst_correction": false},
	})
}

// product is a catalog product as V3 answers it; every product of the
// model is a product with only its base variant.
type product struct {
	ID                int64       `json:"id"`
	Name              string      `json:"name"`
	Type              string      `json:"type"`
	SKU               string      `json:"sku"`
	Price             json.Number `json:"price"`
	SalePrice         json.Number `json:"sale_price"`
	RetailPrice       json.Number `json:"retail_price"`
	CostPrice         json.Number `json:"cost_price"`
	CalculatedPrice   json.Number `json:"calculated_price"`
	Weight            json.Number `json:"weight"`
	IsVisible         bool        `json:"is_visible"`
	Availability      string      `json:"availability"`
	InventoryTracking string      `json:"inventory_tracking"`
	BaseVariantID     int64       `json:"base_variant_id"`
	DateModified      string      `json:"date_modified"`
}

// variant is a product's variant as V3 answers it. A sale price of 0 means
// none; BigCommerce also answers null for a variant that takes its
// product's.
type variant struct {
	ID                 int64       `json:"id"`
	ProductID          int64       `json:"product_id"`
	SKU                string      `json:"sku"`
	SKUID              *int64      `json:"sku_id"`
	Price              json.Number `json:"price"`
	SalePrice          json.Number `json:"sale_price"`
	RetailPrice        json.Number `json:"retail_price"`
	CostPrice          json.Number `json:"cost_price"`
	CalculatedPrice    json.Number `json:"calculated_price"`
	PurchasingDisabled bool        `json:"purchasing_disabled"`
	OptionValues       []any       `json:"option_values"`
}

// prices returns p's price, sale price and the price it sells at, as
// catalog numbers in the store's currency.
func (s *Sandbox) prices(p storesandbox.Product) (price, sale, sells json.Number) {
	price, sale = number(p.PriceMinor, s.currency), number(p.SalePriceMinor, s.currency)
	if p.OnSale() {
		return price, sale, sale
	}
	return price, sale, price
}

func (s *Sandbox) toProduct(p storesandbox.Product) product {
	price, sale, sells := s.prices(p)
	zero := number(0, s.currency)
	return product{ID: p.ID, Name: p.Name, Type: "physical", SKU: p.SKU, Price: price,
		SalePrice: sale, RetailPrice: zero, CostPrice: zero, CalculatedPrice: sells,
		Weight: "0", IsVisible: !p.Draft, Availability: "available",
		InventoryTracking: "variant", BaseVariantID: variantID(p.ID),
		DateModified: p.Modified.UTC().Format("2006-01-02T15:04:05-07:00")}
}

func (s *Sandbox) toVariant(p storesandbox.Product) variant {
	price, sale, sells := s.prices(p)
	zero := number(0, s.currency)
	return variant{ID: variantID(p.ID), ProductID: p.ID, SKU: p.SKU, Price: price,
		SalePrice: sale, RetailPrice: zero, CostPrice: zero, CalculatedPrice: sells,
		OptionValues: []any{}}
}

// catalogFilter is what the catalog's lists filter by: ids ("id" and
// "id:in"), SKUs ("sku" and "sku:in") and products ("product_id:in").
type catalogFilter struct {
	ids, products map[int64]bool
	skus          map[string]bool
}

// readCatalogFilter reads the filters and paging of a catalog list, or
// answers 400 or 413 and reports false.
func readCatalogFilter(w http.ResponseWriter, r *http.Request) (catalogFilter, paging, bool) {
	q := r.URL.Query()
	ids, ok1 := idSet(strings.Trim(q.Get("id:in")+","+q.Get("id"), ","))
	products, ok2 := idSet(q.Get("product_id:in"))
	if !ok1 || !ok2 {
		writeError(w, 3, http.StatusBadRequest, "An id filter is not a list of numbers.", nil)
		return catalogFilter{}, paging{}, false
	}
	f := catalogFilter{ids: ids, products: products,
		skus: stringSet(strings.Trim(q.Get("sku:in")+","+q.Get("sku"), ","))}
	p, ok := readPaging(w, q, 3, 50, 250)
	return f, p, ok
}

// listProducts3 answers GET /v3/catalog/products, filtered by id and SKU.
func (s *Sandbox) listProducts3(w http.ResponseWriter, r *http.Request, _ []byte) {
	f, p, ok := readCatalogFilter(w, r)
	if !ok {
		return
	}
	var found []product
	for _, pr := range s.model.Products() {
		if admits(f.ids, pr.ID) && admits(f.products, pr.ID) && admits(f.skus, pr.SKU) {
			found = append(found, s.toProduct(pr))
		}
	}
	page, meta := cut(found, p)
	writeData(w, page, meta)
}

// listVariants answers GET /v3/catalog/variants, filtered by id, SKU and
// product.
func (s *Sandbox) listVariants(w http.ResponseWriter, r *http.Request, _ []byte) {
	f, p, ok := readCatalogFilter(w, r)
	if !ok {
		return
	}
	var found []variant
	for _, pr := range s.model.Products() {
		if admits(f.ids, variantID(pr.ID)) && admits(f.products, pr.ID) &&
			admits(f.skus, pr.SKU) {
			found = append(found, s.toVariant(pr))
		}
	}
	page, meta := cut(found, p)
	writeData(w, page, meta)
}

// variantChange is one item of a batch update.
type variantChange struct {
	ID        *json.Number `json:"id"`
	Price     *json.Number `json:"price"`
	SalePrice *json.Number `json:"sale_price"`
}

// updateVariants answers PUT /v3/catalog/variants: at most 50 variants,
// each named by id. One bad item refuses the whole batch with 422 and its
// "batch_errors".
func (s *Sandbox) updateVariants(w http.ResponseWriter, _ *http.Request, body []byte) {
	var changes []variantChange
	if !decodeBody(w, 3, body, &changes) {
		return
	}
	if len(changes) > maxVariantBatch {
		writeError(w, 3, http.StatusRequestEntityTooLarge, fmt.Sprintf("The request payload "+
			"is too large. The maximum items allowed in the array is %d", maxVariantBatch), nil)
		return
	}

	apply, errs := s.checkVariantChanges(changes)
	if len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"batch_errors": errs})
		return
	}
	out := make([]variant, 0, len(apply))
	for _, a := range apply {
		p, err := s.model.UpdateProduct(a.id, a.change)
		if err != nil {
			writeError(w, 3, http.StatusUnprocessableEntity, err.Error(), nil)
			return
		}
		out = append(out, s.toVariant(p))
	}
	writeData(w, out, nil)
}

// productChange is a checked variant change, to apply to a model product.
type productChange struct {
	id     int64
	change func(*storesandbox.Product) error
}

// checkVariantChanges resolves each change to the product it changes, or
// reports why it cannot be made, one error per bad item.
func (s *Sandbox) checkVariantChanges(changes []variantChange) ([]productChange, []problem) {
	var apply []productChange
	var errs []problem
	refuse := func(i int, field, reason string) {
		errs = append(errs, problem{Status: http.StatusUnprocessableEntity,
			Title: fmt.Sprintf("Variant %d of the batch is invalid", i), Type: problemType,
			Errors: map[string]string{field: reason}})
	}
	for i, c := range changes {
		id, ok := s.variantProduct(c.ID)
		price, perr := s.minor(c.Price)
		sale, serr := s.minor(c.SalePrice)
		switch {
		case !ok:
			refuse(i, "id", "no variant of the catalog has this id")
		case perr != "":
			refuse(i, "price", perr)
		case serr != "":
			refuse(i, "sale_price", serr)
		default:
			apply = append(apply, productChange{id: id, change: setPrices(price, sale)})
		}
	}
	return apply, errs
}

// setPrices returns a change that sets the prices given.
func setPrices(price, sale *int64) func(*storesandbox.Product) error {
	return func(p *storesandbox.Product) error {
		if price != nil {
			p.PriceMinor = *price
		}
		if sale != nil {
			p.SalePriceMinor = *sale
		}
		return nil
	}
}

// variantProduct returns the id of the product whose base variant n names.
func (s *Sandbox) variantProduct(n *json.Number) (int64, bool) {
	if n == nil {
		return 0, false
	}
	id, err := strconv.ParseInt(n.String(), 10, 64)
	for _, p := range s.model.Products() {
		if err == nil && variantID(p.ID) == id {
			return p.ID, true
		}
	}
	return 0, false
}

// minor reads a catalog price in the store's currency, or says why it
// cannot be one; nil means no price was given.
func (s *Sandbox) minor(n *json.Number) (*int64, string) {
	if n == nil {
		return nil, ""
	}
	v, err := money.ParseMinor(n.String(), s.currency)
	if err != nil || v < 0 {
		return nil, "must be a price of at least 0 in " + s.currency
	}
	return &v, ""
}

// productPost is the body of POST /v3/catalog/products, as far as the
// sandbox keeps it.
type productPost struct {
	Name      *string      `json:"name"`
	Type      *string      `json:"type"`
	Weight    *json.Number `json:"weight"`
	Price     *json.Number `json:"price"`
	SKU       *string      `json:"sku"`
	IsVisible *bool        `json:"is_visible"`
}

// createProduct answers POST /v3/catalog/products: one product, priced in
// the store's currency, visible unless is_visible is false. A name or SKU
// that another product has gives 409, as BigCommerce keeps both unique.
func (s *Sandbox) createProduct(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in productPost
	if !decodeBody(w, 3, body, &in) {
		return
	}
	price, bad := s.checkProductPost(in)
	if len(bad) > 0 {
		writeError(w, 3, http.StatusUnprocessableEntity, "JSON data is missing or invalid", bad)
		return
	}
	for _, p := range s.model.Products() {
		switch {
		case p.SKU == *in.SKU:
			writeError(w, 3, http.StatusConflict, "The product was not created: its SKU is a "+
				"duplicate.", map[string]string{"sku": "Sku " + *in.SKU + " is not unique."})
			return
		case strings.EqualFold(p.Name, *in.Name):
			writeError(w, 3, http.StatusConflict, "The product was not created: its name is "+
				"a duplicate.", map[string]string{"name": "The product name is a duplicate"})
			return
		}
	}

	p, err := s.model.CreateProduct(storesandbox.Product{SKU: *in.SKU, Name: *in.Name,
		PriceMinor: *price, Currency: s.currency, Draft: in.IsVisible != nil && !*in.IsVisible})
	if err != nil {
		writeError(w, 3, http.StatusUnprocessableEntity, err.Error(), nil)
		return
	}
	writeData(w, s.toProduct(p), nil)
}

// checkProductPost reads the price of a new product, and names the fields
// BigCommerce would refuse. The model needs a SKU, which BigCommerce leaves
// optional.
func (s *Sandbox) checkProductPost(in productPost) (*int64, map[string]string) {
	bad := map[string]string{}
	switch {
	case in.Name == nil || strings.TrimSpace(*in.Name) == "":
		bad["name"] = "error.path.missing"
	case len(*in.Name) > 250:
		bad["name"] = "must be at most 250 characters"
	}
	if in.Type == nil || (*in.Type != "physical" && *in.Type != "digital") {
		bad["type"] = "must be physical or digital"
	}
	if _, err := weight(in.Weight); err != nil {
		bad["weight"] = err.Error()
	}
	if in.SKU == nil || strings.TrimSpace(*in.SKU) == "" {
		bad["sku"] = "the sandbox needs a sku"
	}
	price, reason := s.minor(in.Price)
	switch {
	case in.Price == nil:
		bad["price"] = "error.path.missing"
	case reason != "":
		bad["price"] = reason
	}
	return price, bad
}

// weight reads a product's weight, which must be given and not negative.
func weight(n *json.Number) (float64, error) {
	if n == nil {
		return 0, errors.New("error.path.missing")
	}
	f, err := n.Float64()
	if err != nil || f < 0 {
		return 0, errors.New("must be a number of at least 0")
	}
	return f, nil
}
