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
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	Slug            string  `json:"slug"`
	Permalink       string  `json:"permalink"`
	DateCreated     string  `json:"date_created"`
	DateCreatedGMT  string  `json:"date_created_gmt"`
	DateModified    string  `json:"date_modified"`
	DateModifiedGMT string  `json:"date_modified_gmt"`
	Type            string  `json:"type"`
	Status          string  `json:"status"`
	SKU             string  `json:"sku"`
	Price           string  `json:"price"`
	RegularPrice    string  `json:"regular_price"`
	SalePrice       string  `json:"sale_price"`
	SaleFrom        *string `json:"date_on_sale_from"`
	SaleFromGMT     *string `json:"date_on_sale_from_gmt"`
	SaleTo          *string `json:"date_on_sale_to"`
	SaleToGMT       *string `json:"date_on_sale_to_gmt"`
	OnSale          bool    `json:"on_sale"`
	Purchasable     bool    `json:"purchasable"`
	TaxStatus       string  `json:"tax_status"`
	ManageStock     bool    `json:"manage_stock"`
	StockQuantity   *int64  `json:"stock_quantity"`
	Backorders      string  `json:"backorders"`
	StockStatus     string  `json:"stock_status"`
	Variations      []any   `json:"variations"`
	MetaData        []any   `json:"meta_data"`
	Links           links   `json:"_links"`
}

// renderProduct returns p as WooCommerce shows it: a draft unpublished,
// its sale price shown when it has one but sold at only within the sale's
// schedule, and its stock the level at the sandbox's location.
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
	if p.Draft {
		out.Status = "draft"
	}
	sale := s.saleOf(p.ID)
	out.SaleFrom, out.SaleFromGMT = sale.from.text(), sale.from.text()
	out.SaleTo, out.SaleToGMT = sale.to.text(), sale.to.text()
	if p.OnSale() {
		out.SalePrice = dec(p.SalePriceMinor)
	}
	if p.OnSale() && sale.running(s.cfg.Now()) {
		out.Price, out.OnSale = dec(p.SalePriceMinor), true
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
// items together with 413, as WooCommerce does, and applies each create
// and then each update on its own: a refused one is answered in its place,
// with its id (0 for a create) and the error, and the request still
// succeeds. The sandbox deletes no products.
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
	if len(b.Delete) > 0 {
		p.fail("delete", "rest_invalid_param", "the sandbox deletes no products")
	}
	if err := p.err(); err != nil {
		writeError(w, err)
		return
	}

	created := make([]any, 0, len(b.Create))
	for _, item := range b.Create {
		created = append(created, s.batchCreate(item, q.site))
	}
	answers := make([]any, 0, len(b.Update))
	for _, item := range b.Update {
		answers = append(answers, s.batchUpdate(item, q.site))
	}
	out := map[string]any{}
	if len(created) > 0 {
		out["create"] = created
	}
	if len(answers) > 0 {
		out["update"] = answers
	}
	writeJSON(w, http.StatusOK, out)
}

// batchCreate creates one product of a batch and returns its answer. The
// model needs a SKU and a name; a SKU in use is refused as WooCommerce
// refuses it.
func (s *Sandbox) batchCreate(raw json.RawMessage, site string) any {
	var item map[string]json.RawMessage
	if err := json.Unmarshal(raw, &item); err != nil {
		return itemError(0, errorf(http.StatusBadRequest, "rest_invalid_param",
			"a create item is not an object"))
	}
	ch, err := readProductChange(item, s.cfg.Currency, true)
	if err != nil {
		return itemError(0, errorf(http.StatusBadRequest,
			"woocommerce_rest_product_not_created", "%v", err))
	}
	if _, ok := s.model.ProductBySKU(ch.sku); ok && ch.sku != "" {
		return itemError(0, errorf(http.StatusBadRequest, "product_invalid_sku",
			"Invalid or duplicated SKU."))
	}

	p, err := s.model.CreateProduct(storesandbox.Product{SKU: ch.sku, Name: ch.name,
		PriceMinor: deref(ch.regular), SalePriceMinor: deref(ch.sale),
		Currency: s.cfg.Currency, Draft: ch.status != nil && *ch.status != "publish"})
	if err != nil {
		return itemError(0, errorf(http.StatusBadRequest,
			"woocommerce_rest_product_not_created", "%v", err))
	}
	ch.regular, ch.sale, ch.status = nil, nil, nil
	if err := s.applyProductChange(p, ch); err != nil {
		return itemError(p.ID, errorf(http.StatusBadRequest,
			"woocommerce_rest_product_not_created", "%v", err))
	}
	p, _ = s.product(p.ID)
	return s.renderProduct(p, site)
}

func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// batchUpdate applies one update of a batch and returns its answer.
func (s *Sandbox) batchUpdate(item map[string]json.RawMessage, site string) any {
	var id int64
	_ = json.Unmarshal(item["id"], &id) // a missing or bad id is id 0, an invalid one
	p, ok := s.product(id)
	if !ok {
		return itemError(id, invalidProductID(http.StatusBadRequest))
	}

	ch, err := readProductChange(item, s.cfg.Currency, false)
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

// productChange is what a create or an update of a product changes; nil
// members are left as they are.
type productChange struct {
	sku, name        string
	status           *string
	regular, sale    *int64
	saleFrom, saleTo *dateChange
	manage           *bool
	stock            *int64
}

// productStatuses are the statuses of a product; all but publish hide it.
var productStatuses = []string{"draft", "pending", "private", "publish"}

// readProductChange reads the members of a product create or update that
// the sandbox applies, and refuses any other.
func readProductChange(item map[string]json.RawMessage, currency string,
	creating bool) (productChange, error) {
	var ch productChange
	for k, raw := range item {
		var err error
		switch k {
		case "id":
		case "sku", "name", "type":
			err = readCreateOnly(&ch, k, raw, creating)
		case "status":
			ch.status = new(string)
			if json.Unmarshal(raw, ch.status) != nil ||
				!slices.Contains(productStatuses, *ch.status) {
				err = fmt.Errorf("is not one of %s", listing(productStatuses))
			}
		case "date_on_sale_from", "date_on_sale_from_gmt":
			ch.saleFrom, err = readDate(raw)
		case "date_on_sale_to", "date_on_sale_to_gmt":
			ch.saleTo, err = readDate(raw)
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

// readCreateOnly reads the sku, name or type of a product create; an
// update may not change them.
func readCreateOnly(ch *productChange, k string, raw json.RawMessage, creating bool) error {
	if !creating {
		return errors.New("the sandbox does not change a product's " + k)
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return errors.New("is not a string")
	}
	switch k {
	case "sku":
		ch.sku = v
	case "name":
		ch.name = v
	case "type":
		if v != "simple" {
			return errors.New("the sandbox creates simple products only")
		}
	}
	return nil
}

// applyProductChange applies ch to p: its prices, status and sale
// schedule, then whether its stock is managed, then its quantity at the
// sandbox's location, which WooCommerce sets only on a product whose stock
// it manages.
func (s *Sandbox) applyProductChange(p storesandbox.Product, ch productChange) error {
	if ch.regular != nil || ch.sale != nil || ch.status != nil {
		_, err := s.model.UpdateProduct(p.ID, func(m *storesandbox.Product) error {
			if ch.regular != nil {
				m.PriceMinor = *ch.regular
			}
			if ch.sale != nil {
				m.SalePriceMinor = *ch.sale
			}
			if ch.status != nil {
				m.Draft = *ch.status != "publish"
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	s.schedule(p.ID, ch.saleFrom, ch.saleTo)

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
