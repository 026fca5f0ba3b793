package woosandbox

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// batchLimit is how many items one batch request may hold, create, update
// and delete together, as WooCommerce's woocommerce_rest_batch_items_limit
// has it by default.
const batchLimit = 100

// productJSON is WooCommerce's product resource, the members erpsync and
// common clients read, in WooCommerce's order.
type productJSON struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	Slug            string `json:"slug"`
	Permalink       string `json:"permalink"`
	DateCreated     string `json:"date_created"`
	DateCreatedGMT  string `json:"date_created_gmt"`
	DateModified    string `json:"date_modified"`
	DateModifiedGMT string `json:"date_modified_gmt"`
	Type            string `json:"type"`
	Status          string `json:"status"`
	SKU             string `json:"sku"`
	Price           string `json:"price"`
	RegularPrice    string `json:"regular_price"`
	SalePrice       string `json:"sale_price"`
	OnSale          bool   `json:"on_sale"`
	Purchasable     bool   `json:"purchasable"`
	TaxStatus       string `json:"tax_status"`
	ManageStock     bool   `json:"manage_stock"`
	StockQuantity   *int64 `json:"stock_quantity"`
	Backorders      string `json:"backorders"`
	StockStatus     string `json:"stock_status"`
	Variations      []any  `json:"variations"`
	MetaData        []any  `json:"meta_data"`
	Links           links  `json:"_links"`
}

// renderProduct returns p as WooCommerce shows it: its stock is the level
// at the sandbox's location.
func (s *Sandbox) renderProduct(p storesandbox.Product, site string) productJSON {
	dec := func(minor int64) string { return money.Decimal(minor, s.cfg.Currency) }
	modified := p.Modified.Format(dateLayout)
	out := productJSON{
		ID: p.ID, Name: p.Name, Slug: slug(p.Name),
		Permalink:   site + "/product/" + slug(p.Name) + "/",
		DateCreated: modified, DateCreatedGMT: modified, DateModified: modified,
		DateModifiedGMT: modified, Type: "simple", Status: "publish", SKU: p.SKU,
		Price: dec(p.PriceMinor), RegularPrice: dec(p.PriceMinor), Purchasable: true,
		TaxStatus: "taxable", Backorders: "no", StockStatus: "instock",
		Variations: []any{}, MetaData: []any{}, Links: itemLinks(site, "products", p.ID),
	}
	if p.OnSale() {
		out.Price, out.SalePrice, out.OnSale = dec(p.SalePriceMinor), dec(p.SalePriceMinor), true
	}
	if qty, managed := s.stock(p); managed {
		out.ManageStock, out.StockQuantity = true, &qty
		if qty <= 0 {
			out.StockStatus = "outofstock"
		}
	}
	return out
}

// stock returns the product's quantity at the sandbox's location, and
// whether WooCommerce manages its stock: when a level is stored there and
// no update turned managing off.
func (s *Sandbox) stock(p storesandbox.Product) (int64, bool) {
	qty, ok := s.model.Stock(p.SKU, s.cfg.Location)
	s.mu.Lock()
	defer s.mu.Unlock()
	return qty, ok && !s.unmanaged[p.ID]
}

// slug returns a URL slug of a product name.
func slug(name string) string {
	f := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
	return strings.Join(f, "-")
}

// listProducts answers GET /products, filtered by sku (a comma-separated
// list of exact SKUs), newest first unless orderby and order say otherwise.
func (s *Sandbox) listProducts(w http.ResponseWriter, q *request) {
	p := newParams(q.query())
	pg := readPaging(p)
	orderby := p.enum("orderby", "date", orderbyValues...)
	desc := p.enum("order", "desc", "asc", "desc") == "desc"
	if err := p.err(); err != nil {
		writeError(w, err)
		return
	}

	skus := map[string]bool{}
	for _, sku := range strings.Split(q.query().Get("sku"), ",") {
		if sku = strings.TrimSpace(sku); sku != "" {
			skus[sku] = true
		}
	}
	var products []storesandbox.Product
	for _, prod := range s.model.Products() {
		if len(skus) == 0 || skus[prod.SKU] {
			products = append(products, prod)
		}
	}
	slices.SortFunc(products, func(a, b storesandbox.Product) int {
		c := cmp.Compare(a.ID, b.ID) // creation follows the ids
		if orderby == "modified" {
			c = cmp.Or(a.Modified.Compare(b.Modified), c)
		}
		if desc {
			return -c
		}
		return c
	})

	start, end := pg.window(len(products))
	items := make([]any, 0, end-start)
	for _, prod := range products[start:end] {
		items = append(items, s.renderProduct(prod, q.site))
	}
	writeCollection(w, q, items, len(products), pg)
}

// product returns the model's product with id.
func (s *Sandbox) product(id int64) (storesandbox.Product, bool) {
	all := s.model.Products()
	i := slices.IndexFunc(all, func(p storesandbox.Product) bool { return p.ID == id })
	if i < 0 {
		return storesandbox.Product{}, false
	}
	return all[i], true
}

func (s *Sandbox) productExists(id int64) bool {
	_, ok := s.product(id)
	return ok
}

// invalidProductID is WooCommerce's answer about a product it does not have.
func invalidProductID(status int) *wpError {
	return errorf(status, "woocommerce_rest_product_invalid_id", "Invalid ID.")
}

// getProduct answers GET /products/{id}.
func (s *Sandbox) getProduct(w http.ResponseWriter, q *request) {
	p, ok := s.product(q.id)
	if !ok {
		writeError(w, invalidProductID(http.StatusNotFound))
		return
	}
	writeJSON(w, http.StatusOK, fieldsOf(q, s.renderProduct(p, q.site)))
}

// batchBody is the body of a batch request.
type batchBody struct {
	Create []json.RawMessage            `json:"create"`
	Update []map[string]json.RawMessage `json:"update"`
	Delete []json.RawMessage            `json:"delete"`
}

// batchProducts answers POST /products/batch. It refuses more than 100
// items together with 413, as WooCommerce does, and applies each update
// on its own: a refused one is answered in its place, with its id and the
// error, and the request still succeeds. The sandbox creates and deletes
// no products.
func (s *Sandbox) batchProducts(w http.ResponseWriter, q *request) {
	var b batchBody
	if err := decodeBody(q, &b); err != nil {
		writeError(w, err)
		return
	}
	if n := len(b.Create) + len(b.Update) + len(b.Delete); n > batchLimit {
		writeError(w, errorf(http.StatusRequestEntityTooLarge,
			"woocommerce_rest_request_entity_too_large",
			"Unable to accept more than %d items for this request.", batchLimit))
		return
	}
	p := newParams(nil)
	if len(b.Create) > 0 {
		p.fail("create", "rest_invalid_param", "the sandbox creates no products")
	}
	if len(b.Delete) > 0 {
		p.fail("delete", "rest_invalid_param", "the sandbox deletes no products")
	}
	if err := p.err(); err != nil {
		writeError(w, err)
		return
	}

	answers := make([]any, 0, len(b.Update))
	for _, item := range b.Update {
		answers = append(answers, s.batchUpdate(item, q.site))
	}
	out := map[string]any{}
	if len(answers) > 0 {
		out["update"] = answers
	}
	writeJSON(w, http.StatusOK, out)
}

// batchUpdate applies one update of a batch and returns its answer.
func (s *Sandbox) batchUpdate(item map[string]json.RawMessage, site string) any {
	var id int64
	_ = json.Unmarshal(item["id"], &id) // a missing or bad id is id 0, an invalid one
	p, ok := s.product(id)
	if !ok {
		return itemError(id, invalidProductID(http.StatusBadRequest))
	}

	ch, err := readProductChange(item, s.cfg.Currency)
	if err == nil {
		err = s.applyProductChange(p, ch)
	}
	if err != nil {
		return itemError(id, errorf(http.StatusBadRequest, "woocommerce_rest_product_not_updated",
			"%v", err))
	}
	p, _ = s.product(id)
	return s.renderProduct(p, site)
}

// itemError is the answer to a refused item of a batch.
func itemError(id int64, e *wpError) map[string]any {
	return map[string]any{"id": id, "error": e.envelope()}
}

// productChange is what an update of a product changes; nil members are
// left as they are.
type productChange struct {
	regular, sale *int64
	manage        *bool
	stock         *int64
}

// readProductChange reads the members of a product update that the
// sandbox applies, and refuses any other.
func readProductChange(item map[string]json.RawMessage, currency string) (productChange,
	error) {
	var ch productChange
	for k, raw := range item {
		var err error
		switch k {
		case "id":
		case "regular_price":
			ch.regular, err = readPrice(raw, currency)
		case "sale_price":
			ch.sale, err = readPrice(raw, currency)
		case "manage_stock":
			ch.manage = new(bool)
			err = json.Unmarshal(raw, ch.manage)
		case "stock_quantity":
			ch.stock, err = readQuantity(raw)
		default:
			err = errors.New("the sandbox does not change a product's " + k)
		}
		if err != nil {
			return productChange{}, fmt.Errorf("%s: %w", k, err)
		}
	}
	return ch, nil
}

// readPrice reads a price as WooCommerce takes it, a decimal string; ""
// clears it.
func readPrice(raw json.RawMessage, currency string) (*int64, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, errors.New("is not a string")
	}
	n := int64(0)
	if s != "" {
		v, err := money.ParseMinor(s, currency)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%q is not a price in %s", s, currency)
		}
		n = v
	}
	return &n, nil
}

// readQuantity reads a stock quantity: a whole number, or a string of one.
func readQuantity(raw json.RawMessage) (*int64, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, errors.New("is not a number")
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s is not a whole number", n)
	}
	return &v, nil
}

// applyProductChange applies ch to p: its prices, then whether its stock
// is managed, then its quantity at the sandbox's location, which
// WooCommerce sets only on a product whose stock it manages.
func (s *Sandbox) applyProductChange(p storesandbox.Product, ch productChange) error {
	if ch.regular != nil || ch.sale != nil {
		_, err := s.model.UpdateProduct(p.ID, func(m *storesandbox.Product) error {
			if ch.regular != nil {
				m.PriceMinor = *ch.regular
			}
			if ch.sale != nil {
				m.SalePriceMinor = *ch.sale
			}
			return nil
		})
		if err != nil {
			return err
		}
	}

	_, held := s.model.Stock(p.SKU, s.cfg.Location)
	s.mu.Lock()
	if ch.manage != nil {
		s.unmanaged[p.ID] = !*ch.manage
	}
	managed := !s.unmanaged[p.ID] && (held || ch.manage != nil && *ch.manage)
	s.mu.Unlock()

	if ch.stock == nil || !managed {
		return nil
	}
	_, err := s.model.SetStock(p.SKU, s.cfg.Location, *ch.stock, nil)
	return err
}

// currencyInfo names a currency as WooCommerce's data API does.
type currencyInfo struct {
	name, symbol string
}

// currencyOf returns the name and symbol of a currency code.
func currencyOf(code string) currencyInfo {
	known := map[string]currencyInfo{
		"EUR": {"Euro", "&euro;"}, "USD": {"United States (US) dollar", "&#36;"},
		"GBP": {"Pound sterling", "&pound;"}, "JPY": {"Japanese yen", "&yen;"},
	}
	if c, ok := known[code]; ok {
		return c
	}
	return currencyInfo{name: code, symbol: code}
}

// currentCurrency answers GET /data/currencies/current.
func (s *Sandbox) currentCurrency(w http.ResponseWriter, q *request) {
	c := currencyOf(s.cfg.Currency)
	writeJSON(w, http.StatusOK, map[string]any{
		"code": s.cfg.Currency, "name": c.name, "symbol": c.symbol,
		"_links": map[string]any{"collection": []link{{
			Href: q.site + apiPrefix + "data/currencies"}}},
	})
}
