package woocommerce

import (
	"context"
	"fmt"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// SetStock sets the stock quantity of each level's product with POST
// /products/batch (manage_stock and stock_quantity), after finding the
// products by SKU. WooCommerce keeps one quantity per product, that of the
// store's Location: a level of another location, of an unknown SKU, a
// negative quantity, a SKU given twice, or a Previous that the product no
// longer holds is refused in a [*store.PartialError]; the others are
// applied. A product that already holds its quantity is not written, and
// Key is not needed: setting absolute quantities is idempotent.
//
// TODO: WooCommerce has no compare-and-set for stock, so Previous is
// compared with the quantity read just before the batch is sent: a sale
// that lands between that read and the write is overwritten by the ERP's
// quantity. Closing that window needs a conditional update that WooCommerce
// does not offer.
func (s *Store) SetStock(ctx context.Context, u store.StockUpdate) error {
	if s.location == "" {
		return syncerr.Invalid("location", "no stock location is configured for the store, "+
			"whose single stock quantity per product stands for one erpsync location")
	}

	sc := screen(u.Levels, func(l store.StockLevel) string { return l.SKU }, s.checkLevel)
	refused := sc.refused
	found, err := s.products(ctx, sc.skus)
	if err != nil {
		return fmt.Errorf("set %d woocommerce stock levels: %w", len(u.Levels), err)
	}

	var updates []update
	for _, sku := range sc.skus {
		i := sc.index[sku]
		p, ok := found[sku]
		fields, err := stockFields(u.Levels[i], p, ok)
		switch {
		case err != nil:
			refused = append(refused, store.ItemError{Index: i, Err: err})
		case fields != nil:
			updates = append(updates, update{index: i, fields: fields})
		}
	}

	more, err := s.batchUpdate(ctx, updates)
	if err != nil {
		return fmt.Errorf("set %d woocommerce stock levels: %w", len(u.Levels), err)
	}
	return partial(append(refused, more...))
}

// checkLevel returns why level l cannot be written, whatever the store
// holds, or nil.
func (s *Store) checkLevel(l store.StockLevel) error {
	switch {
	case l.Location != s.location:
		return syncerr.Invalid("location", "%q: the store sells the stock of %q only",
			l.Location, s.location)
	case l.Available < 0:
		return syncerr.Invalid("available", "%d is negative", l.Available)
	}
	return nil
}

// stockFields returns the batch update that gives product p the level l,
// nil when p holds it already, or why it cannot; ok reports whether the
// store has the product.
func stockFields(l store.StockLevel, p product, ok bool) (map[string]any, error) {
	if !ok {
		return nil, syncerr.Invalid("sku", "sku %q is not a product of the store", l.SKU)
	}
	held, err := p.stock()
	if err != nil {
		return nil, err
	}

	switch {
	case l.Previous != nil && *l.Previous != held && held != l.Available:
		return nil, syncerr.Invalid("previous", "%q holds %d, not %d", l.SKU, held,
			*l.Previous)
	case p.ManageStock && held == l.Available:
		return nil, nil
	}
	return map[string]any{"id": p.ID, "manage_stock": true, "stock_quantity": l.Available},
		nil
}

// ReadStock returns the stock quantity of each of skus that the store
// sells, found with GET /products?sku= (maxPerPage SKUs a request), at the
// store's Location: WooCommerce keeps one quantity per product. A product
// whose stock WooCommerce does not manage has no quantity to compare and
// is left out, as are SKUs the store does not have and SKUs that cannot
// be looked up (empty, or holding a comma).
func (s *Store) ReadStock(ctx context.Context, skus []string) ([]store.StockLevel, error) {
	if s.location == "" {
		return nil, syncerr.Invalid("location", "no stock location is configured for the "+
			"store")
	}
	var wanted []string
	seen := map[string]bool{}
	for _, sku := range skus {
		if checkSKU(sku) == nil && !seen[sku] {
			seen[sku] = true
			wanted = append(wanted, sku)
		}
	}

	found, err := s.products(ctx, wanted)
	if err != nil {
		return nil, fmt.Errorf("read %d woocommerce stock levels: %w", len(wanted), err)
	}
	var out []store.StockLevel
	for _, sku := range wanted {
		p, ok := found[sku]
		if !ok || !p.ManageStock {
			continue
		}
		qty, err := p.stock()
		if err != nil {
			return nil, fmt.Errorf("read woocommerce stock of %q: %w", sku, err)
		}
		out = append(out, store.StockLevel{SKU: sku, Location: s.location, Available: qty})
	}
	return out, nil
}
