package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxVariantBatch is the most variants one batch update may change.
const maxVariantBatch = 50

// variantPrices is what SetPrices reads of a variant or its product. A
// null price or sale price means the variant takes its product's.
type variantPrices struct {
	ID        int64    `json:"id"`
	ProductID int64    `json:"product_id"`
	SKU       string   `json:"sku"`
	Price     *decimal `json:"price"`
	SalePrice *decimal `json:"sale_price"`
}

// variantPrice is one item of a batch update.
type variantPrice struct {
	ID    int64       `json:"id"`
	Price json.Number `json:"price"`
}

// pricing is a variant's current pricing, resolved from its product where
// the variant takes the product's.
type pricing struct {
	variant  int64
	price    int64
	promoted bool
}

// SetPrices sets the price of each SKU's variant with the Catalog API's
// batch update, 50 variants a call. A variant on sale (a sale price above
// zero, its own or, when it has none, its product's) keeps its prices and
// is listed in the report; a variant that has its price already is counted
// as updated without a write. An unknown SKU, a negative price or another
// currency than the store's is refused in a [*store.PartialError], as are
// the items of a batch that BigCommerce refuses.
//
// BigCommerce schedules no sale on a product or variant: a sale price
// applies from when it is set until it is cleared, with no date window, so
// a sale price above zero is the whole of a scheduled promotion that the
// Catalog API shows.
//
// TODO: promotions of the Promotions API and sale prices in price lists
// are not read, so a SKU promoted only there is repriced; reading them
// needs the promotions' rules and the price lists' channel assignments.
func (s *Store) SetPrices(ctx context.Context, prices []store.Price) (report store.PriceReport,
	err error) {
	defer syncerr.Wrap(&err, "set %d bigcommerce prices", len(prices))
	cur, err := s.storeCurrency(ctx)
	if err != nil {
		return report, err
	}
	current, err := s.currentPricing(ctx, prices, cur)
	if err != nil {
		return report, err
	}

	refused := map[int]error{}
	var writes []pending
	var changes []variantPrice
	for i, p := range prices {
		now, ok := current[p.SKU]
		switch err := checkPrice(p, cur, ok); {
		case err != nil:
			refused[i] = err
		case now.promoted:
			report.Promoted = append(report.Promoted, p.SKU)
		case now.price == p.PriceMinor:
			report.Updated++
		default:
			writes = append(writes, pending{index: i})
			changes = append(changes, variantPrice{ID: now.variant,
				Price: json.Number(money.Decimal(p.PriceMinor, cur))})
		}
	}

	written, err := s.updateVariants(ctx, writes, changes, refused)
	report.Updated += written
	s.log.Info("bigcommerce prices set", zap.Int(fieldCount, written),
		zap.Int(fieldPromoted, len(report.Promoted)), zap.Int(fieldRefused, len(refused)))
	if err != nil {
		return report, err
	}
	return report, partial(refused)
}

// checkPrice returns why p cannot be set in a store priced in cur, or nil;
// found reports whether the store has its SKU.
func checkPrice(p store.Price, cur string, found bool) error {
	switch {
	case !found:
		return syncerr.Invalid("sku", "sku %q is not a variant of the store", p.SKU)
	case p.PriceMinor < 0:
		return syncerr.Invalid("price_minor", "%d is negative", p.PriceMinor)
	case p.Currency != cur:
		return syncerr.Invalid("currency", "%s: the store's prices are in %s", p.Currency, cur)
	}
	return nil
}

// currentPricing reads the variants of the prices' SKUs, and the products
// of those that take their product's prices, by SKU.
func (s *Store) currentPricing(ctx context.Context, prices []store.Price, cur string) (
	map[string]pricing, error) {
	var skus []string
	seen := map[string]bool{}
	for _, p := range prices {
		if sku := strings.TrimSpace(p.SKU); sku != "" && !seen[sku] {
			seen[sku] = true
			skus = append(skus, sku)
		}
	}

	var variants []variantPrices
	for from := 0; from < len(skus); from += skusPerRead {
		chunk := skus[from:min(len(skus), from+skusPerRead)]
		page, err := readPages[variantPrices](ctx, s, "/v3/catalog/variants",
			url.Values{"sku:in": {strings.Join(chunk, ",")}})
		if err != nil {
			return nil, err
		}
		variants = append(variants, page...)
	}
	products, err := s.inheritedPricing(ctx, variants)
	if err != nil {
		return nil, err
	}
	return resolvePricing(variants, products, cur)
}

// inheritedPricing reads the products of the variants that take their
// product's price or sale price, by id.
func (s *Store) inheritedPricing(ctx context.Context, variants []variantPrices) (
	map[int64]variantPrices, error) {
	var ids []string
	for _, v := range variants {
		if v.Price == nil || v.SalePrice == nil {
			ids = append(ids, strconv.FormatInt(v.ProductID, 10))
		}
	}

	products := map[int64]variantPrices{}
	for from := 0; from < len(ids); from += skusPerRead {
		q := url.Values{"id:in": {strings.Join(ids[from:min(len(ids), from+skusPerRead)], ",")},
			"include_fields": {"price,sale_price"}}
		page, err := readPages[variantPrices](ctx, s, "/v3/catalog/products", q)
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			products[p.ID] = p
		}
	}
	return products, nil
}

// resolvePricing works out each variant's price and whether it is on sale.
func resolvePricing(variants []variantPrices, products map[int64]variantPrices,
	cur string) (map[string]pricing, error) {
	out := map[string]pricing{}
	for i, v := range variants {
		price, sale := v.Price, v.SalePrice
		if p := products[v.ProductID]; price == nil {
			price = p.Price
		}
		if p := products[v.ProductID]; sale == nil {
			sale = p.SalePrice
		}

		a := amounts{currency: cur}
		field := "variants[" + strconv.Itoa(i) + "]"
		pr := pricing{variant: v.ID}
		if price != nil {
			pr.price = a.read(field+".price", *price)
		}
		if sale != nil {
			pr.promoted = a.read(field+".sale_price", *sale) > 0
		}
		if a.err != nil {
			return nil, a.err
		}
		out[v.SKU] = pr
	}
	return out, nil
}

// updateVariants sends the changes in batches of 50, and returns how many
// it wrote. The items of a batch that BigCommerce refuses with 422 are
// added to refused; the other batches are still sent.
func (s *Store) updateVariants(ctx context.Context, writes []pending,
	changes []variantPrice, refused map[int]error) (int, error) {
	written := 0
	for from := 0; from < len(changes); from += maxVariantBatch {
		to := min(len(changes), from+maxVariantBatch)
		_, err := s.do(ctx, call{method: http.MethodPut, path: "/v3/catalog/variants",
			body: changes[from:to]}, nil)
		var e *apiError
		switch {
		case errors.As(err, &e) && e.status == http.StatusUnprocessableEntity:
			for _, w := range writes[from:to] {
				refused[w.index] = syncerr.Invalid("price", "bigcommerce refused the batch: %v",
					e)
			}
		case err != nil:
			return written, err
		default:
			written += to - from
		}
	}
	return written, nil
}

// storeCurrency returns the store's default currency, in which catalog
// prices are, read once.
func (s *Store) storeCurrency(ctx context.Context) (string, error) {
	s.mu.Lock()
	cur := s.currency
	s.mu.Unlock()
	if cur != "" {
		return cur, nil
	}

	var info struct {
		Currency string `json:"currency"`
	}
	if _, err := s.do(ctx, call{method: http.MethodGet, path: "/v2/store"}, &info); err != nil {
		return "", err
	}
	if !money.ValidCurrency(info.Currency) {
		return "", syncerr.Invalid("currency", "the store's currency %q is not a currency",
			info.Currency)
	}

	s.mu.Lock()
	s.currency = info.Currency
	s.mu.Unlock()
	return info.Currency, nil
}
