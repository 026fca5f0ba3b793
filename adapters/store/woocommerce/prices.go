package woocommerce

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// SetPrices sets the regular price of each SKU's product with POST
// /products/batch, after finding the products by SKU. A product with a
// sale price or a sale scheduled that has not ended is on promotion: it
// keeps both of its prices and is listed in the report. An unknown SKU, a
// SKU given twice, a negative price or a price in another currency than
// the store's is refused in a [*store.PartialError]. A product that already has its price is not
// written, and counts as updated.
func (s *Store) SetPrices(ctx context.Context, prices []store.Price) (store.PriceReport,
	error) {
	currency, err := s.storeCurrency(ctx)
	if err != nil {
		return store.PriceReport{}, fmt.Errorf("set %d woocommerce prices: %w", len(prices), err)
	}

	sc := screen(prices, func(p store.Price) string { return p.SKU },
		func(p store.Price) error { return checkPrice(p, currency) })
	refused := sc.refused
	found, err := s.products(ctx, sc.skus)
	if err != nil {
		return store.PriceReport{}, fmt.Errorf("set %d woocommerce prices: %w", len(prices), err)
	}

	var report store.PriceReport
	var updates []update
	now := time.Now()
	for _, sku := range sc.skus {
		i := sc.index[sku]
		p, ok := found[sku]
		switch {
		case !ok:
			refused = append(refused, store.ItemError{Index: i, Err: syncerr.Invalid("sku",
				"sku %q is not a product of the store", sku)})
		case p.promoted(now):
			report.Promoted = append(report.Promoted, sku)
		case samePrice(p.RegularPrice, prices[i].PriceMinor, currency):
			report.Updated++
		default:
			updates = append(updates, update{index: i, fields: map[string]any{
				"id": p.ID, "regular_price": money.Decimal(prices[i].PriceMinor, currency)}})
		}
	}

	more, err := s.batchUpdate(ctx, updates)
	if err != nil {
		return report, fmt.Errorf("set %d woocommerce prices: %w", len(prices), err)
	}
	report.Updated += len(updates) - len(more)
	return report, partial(append(refused, more...))
}

// checkPrice returns why p cannot be set in a store selling in currency,
// or nil.
func checkPrice(p store.Price, currency string) error {
	switch {
	case p.PriceMinor < 0:
		return syncerr.Invalid("price_minor", "%d is negative", p.PriceMinor)
	case p.Currency != currency:
		return syncerr.Invalid("currency", "%s: the store sells in %s", p.Currency, currency)
	}
	return nil
}

// samePrice reports whether the regular price held is minor units of
// currency.
func samePrice(held string, minor int64, currency string) bool {
	n, err := money.ParseMinor(held, currency)
	return err == nil && n == minor
}

// storeCurrency returns the store's currency, from GET
// /data/currencies/current the first time.
func (s *Store) storeCurrency(ctx context.Context) (string, error) {
	s.mu.Lock()
	cached := s.currency
	s.mu.Unlock()
	if cached != "" {
		return cached, nil
	}

	var cur struct {
		Code string `json:"code"`
	}
	c := call{method: http.MethodGet, path: "data/currencies/current"}
	if _, err := s.do(ctx, c, &cur); err != nil {
		return "", fmt.Errorf("read the woocommerce store's currency: %w", err)
	}
	if !money.ValidCurrency(cur.Code) {
		return "", fmt.Errorf("read the woocommerce store's currency: %q is not a currency "+
			"code: %w", cur.Code, syncerr.ErrUnavailable)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.currency = cur.Code
	return cur.Code, nil
}
