package woocommerce

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// codeDuplicateSKU is WooCommerce's answer to a product create whose SKU
// is in use.
const codeDuplicateSKU = "product_invalid_sku"

// CreateDrafts creates the products whose SKUs the store does not have as
// drafts (status "draft", hidden from shoppers) at their regular price,
// with POST /products/batch, at most maxBatch a request, after looking the
// SKUs up with GET /products?sku=. It returns the SKUs it created. A SKU
// that WooCommerce refuses as in use was created meanwhile, perhaps by a
// call whose answer was lost, and is left alone. A product without a name,
// with a negative price, a price in another currency than the store's, or
// a SKU that cannot be looked up is refused in a [*store.PartialError],
// as are those WooCommerce refuses; the others are created.
func (s *Store) CreateDrafts(ctx context.Context, products []store.Product) ([]string, error) {
	currency, err := s.storeCurrency(ctx)
	if err != nil {
		return nil, fmt.Errorf("create %d woocommerce drafts: %w", len(products), err)
	}

	sc := screen(products, func(p store.Product) string { return p.SKU },
		func(p store.Product) error { return checkDraft(p, currency) })
	found, err := s.products(ctx, sc.skus)
	if err != nil {
		return nil, fmt.Errorf("create %d woocommerce drafts: %w", len(products), err)
	}
	var creates []update
	for _, sku := range sc.skus {
		if _, ok := found[sku]; ok {
			continue
		}
		p := products[sc.index[sku]]
		creates = append(creates, update{index: sc.index[sku], fields: map[string]any{
			"name": p.Name, "sku": p.SKU, "type": "simple", "status": "draft",
			"regular_price": money.Decimal(p.PriceMinor, currency)}})
	}

	created, refused, err := s.batchCreate(ctx, creates)
	if err != nil {
		return created, fmt.Errorf("create %d woocommerce drafts: %w", len(products), err)
	}
	return created, partial(append(sc.refused, refused...))
}

// checkDraft returns why p cannot be created in a store selling in
// currency, or nil.
func checkDraft(p store.Product, currency string) error {
	switch {
	case strings.TrimSpace(p.Name) == "":
		return syncerr.Invalid("name", "product %q has no name", p.SKU)
	case p.PriceMinor < 0:
		return syncerr.Invalid("price_minor", "%d is negative", p.PriceMinor)
	case p.Currency != currency:
		return syncerr.Invalid("currency", "%s: the store sells in %s", p.Currency, currency)
	}
	return nil
}

// batchCreate creates products with POST /products/batch, at most maxBatch
// a request, and returns the SKUs created and the items refused. A create
// is not sent again: a retry of the caller looks the SKUs up first.
func (s *Store) batchCreate(ctx context.Context, creates []update) ([]string,
	[]store.ItemError, error) {
	var created []string
	var refused []store.ItemError
	for start := 0; start < len(creates); start += maxBatch {
		chunk := creates[start:min(start+maxBatch, len(creates))]
		items := make([]map[string]any, len(chunk))
		for i, u := range chunk {
			items[i] = u.fields
		}

		var answer struct {
			Create []batchEntry `json:"create"`
		}
		c := call{method: http.MethodPost, path: "products/batch",
			body: map[string]any{"create": items}}
		if _, err := s.do(ctx, c, &answer); err != nil {
			return created, nil, fmt.Errorf("create %d woocommerce products: %w", len(chunk),
				err)
		}
		if len(answer.Create) != len(chunk) {
			return created, nil, fmt.Errorf("create %d woocommerce products: the answer has "+
				"%d: %w", len(chunk), len(answer.Create), syncerr.ErrUnavailable)
		}

		for i, a := range answer.Create {
			switch {
			case a.Error == nil:
				created = append(created, a.SKU)
			case a.Error.Code != codeDuplicateSKU:
				refused = append(refused, batchRefusals(chunk[i:i+1], answer.Create[i:i+1])...)
			}
		}
	}
	return created, refused, nil
}
