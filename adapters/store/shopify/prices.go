package shopify

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// productsPerCall is how many products' productVariantsBulkUpdate one
// request carries, each under its own alias.
const productsPerCall = 20

// priceWrite is one SKU's new price, on its variant.
type priceWrite struct {
	index   int
	variant variant
	price   store.Price
}

// SetPrices sets the price of each SKU's variant with
// productVariantsBulkUpdate, one call per product, several calls in one
// request. A variant with a compare-at price above its price is on
// promotion: it keeps both and is listed in the report. Unknown SKUs, SKUs
// of several variants, negative prices and prices in another currency than
// the shop's are reported in a [*store.PartialError]. A price the variant
// already has counts as updated without being sent.
func (s *Store) SetPrices(ctx context.Context, prices []store.Price) (store.PriceReport,
	error) {
	if len(prices) == 0 {
		return store.PriceReport{}, nil
	}
	writes, report, refused, err := s.planPrices(ctx, prices)
	if err != nil {
		return store.PriceReport{}, fmt.Errorf("set %d prices: %w", len(prices), err)
	}

	byProduct := map[string][]priceWrite{}
	var products []string
	for _, w := range writes {
		id := w.variant.Product.ID
		if _, ok := byProduct[id]; !ok {
			products = append(products, id)
		}
		byProduct[id] = append(byProduct[id], w)
	}
	for start := 0; start < len(products); start += productsPerCall {
		batch := products[start:min(start+productsPerCall, len(products))]
		errs, err := s.sendPrices(ctx, batch, byProduct)
		if err != nil {
			return report, fmt.Errorf("set %d prices: %w", len(prices), err)
		}
		refused = append(refused, errs...)
		report.Updated -= len(errs)
	}

	s.log.Info("prices set", zap.Int(fieldCount, report.Updated),
		zap.Int("promoted", len(report.Promoted)), zap.Int("refused", len(refused)))
	if len(refused) > 0 {
		sort.Slice(refused, func(i, j int) bool { return refused[i].Index < refused[j].Index })
		return report, &store.PartialError{Items: refused}
	}
	return report, nil
}

// planPrices looks the variants up and sorts the prices into those to
// send, those on promotion and those refused.
func (s *Store) planPrices(ctx context.Context, prices []store.Price) ([]priceWrite,
	store.PriceReport, []store.ItemError, error) {
	var report store.PriceReport
	currency, err := s.shopCurrency(ctx)
	if err != nil {
		return nil, report, nil, err
	}
	skus := make([]string, 0, len(prices))
	for _, p := range prices {
		skus = append(skus, p.SKU)
	}
	found, err := s.findVariants(ctx, dedupe(skus))
	if err != nil {
		return nil, report, nil, err
	}

	var writes []priceWrite
	var refused []store.ItemError
	for i, p := range prices {
		v, err := checkPrice(p, found[p.SKU], currency)
		switch {
		case err != nil:
			refused = append(refused, store.ItemError{Index: i, Err: err})
		case onPromotion(v, currency):
			report.Promoted = append(report.Promoted, p.SKU)
		default:
			report.Updated++
			if !samePrice(v.Price, p) {
				writes = append(writes, priceWrite{index: i, variant: v, price: p})
			}
		}
	}
	return writes, report, refused, nil
}

// checkPrice returns the variant of p, or why p cannot be set.
func checkPrice(p store.Price, variants []variant, currency string) (variant, error) {
	switch {
	case p.SKU == "":
		return variant{}, syncerr.Invalid("sku", "is empty")
	case len(variants) == 0:
		return variant{}, syncerr.Invalid("sku", "sku %q is not a variant of the shop", p.SKU)
	case len(variants) > 1:
		return variant{}, syncerr.Invalid("sku", "sku %q is on %d variants of the shop", p.SKU,
			len(variants))
	case p.PriceMinor < 0:
		return variant{}, syncerr.Invalid("price_minor", "%d is negative", p.PriceMinor)
	case p.Currency != currency:
		return variant{}, syncerr.Invalid("currency", "%s: the shop prices in %s", p.Currency,
			currency)
	}
	return variants[0], nil
}

// onPromotion reports whether v sells below its compare-at price. That is
// the only promotion a variant shows: Shopify has no sale window of a
// variant's own, and its scheduled sales (automatic discounts, price lists)
// apply at checkout and leave the variant's price alone, so writing the
// base price cannot overwrite them.
func onPromotion(v variant, currency string) bool {
	if v.CompareAtPrice == nil {
		return false
	}
	compareAt, err1 := money.ParseMinor(*v.CompareAtPrice, currency)
	price, err2 := money.ParseMinor(v.Price, currency)
	return err1 == nil && err2 == nil && compareAt > price
}

func samePrice(current string, p store.Price) bool {
	v, err := money.ParseMinor(current, p.Currency)
	return err == nil && v == p.PriceMinor
}

// sendPrices sends the prices of a batch of products in one request, and
// returns the prices Shopify refused.
func (s *Store) sendPrices(ctx context.Context, products []string,
	byProduct map[string][]priceWrite) ([]store.ItemError, error) {
	var decl, body strings.Builder
	vars := map[string]any{}
	for i, id := range products {
		n := strconv.Itoa(i)
		fmt.Fprintf(&decl, ", $product%s: ID!, $variants%s: [ProductVariantsBulkInput!]!", n, n)
		fmt.Fprintf(&body, "  p%s: productVariantsBulkUpdate(productId: $product%s, "+
			"variants: $variants%s) { userErrors { field message code } }\n", n, n, n)

		var variants []map[string]any
		for _, w := range byProduct[id] {
			variants = append(variants, map[string]any{"id": w.variant.ID,
				"price": money.Decimal(w.price.PriceMinor, w.price.Currency)})
		}
		vars["product"+n], vars["variants"+n] = id, variants
	}
	q := "mutation SetPrices(" + strings.TrimPrefix(decl.String(), ", ") + ") {\n" +
		body.String() + "}"

	var data map[string]struct {
		UserErrors []userError `json:"userErrors"`
	}
	if err := s.query(ctx, "set prices", q, vars, &data); err != nil {
		return nil, err
	}
	var refused []store.ItemError
	for i, id := range products {
		errs := data["p"+strconv.Itoa(i)].UserErrors
		refused = append(refused, priceErrors(byProduct[id], errs)...)
	}
	return refused, nil
}

// priceErrors maps a product's userErrors to the prices they name; an
// error that names no variant refuses them all, since Shopify then updates
// none of the product's variants.
func priceErrors(writes []priceWrite, errs []userError) []store.ItemError {
	if len(errs) == 0 {
		return nil
	}
	var out []store.ItemError
	named := map[int]bool{}
	for _, ue := range errs {
		i, ok := variantIndex(ue.Field)
		if ok && i < len(writes) && !named[i] {
			named[i] = true
			out = append(out, store.ItemError{Index: writes[i].index, Err: syncerr.Invalid(
				"price_minor", "shopify refused the price of %q: %s", writes[i].price.SKU,
				ue.Message)})
		}
	}
	for i, w := range writes {
		if !named[i] {
			out = append(out, store.ItemError{Index: w.index, Err: syncerr.Invalid("sku",
				"shopify refused the prices of the product of %q: %s", w.price.SKU,
				errs[0].Message)})
		}
	}
	return out
}

// variantIndex reads the index in a userError field such as ["variants",
// "0", "price"].
func variantIndex(field []string) (int, bool) {
	if len(field) < 2 || field[0] != "variants" {
		return 0, false
	}
	n, err := strconv.Atoi(field[1])
	return n, err == nil && n >= 0
}
