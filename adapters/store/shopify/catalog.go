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

// draftsPerCall is how many productSet mutations one request carries, each
// under its own alias; ten cost 100 points of the bucket.
const draftsPerCall = 10

// The option every product of one variant has.
const (
	defaultOption = "Title"
	defaultValue  = "Default Title"
)

// draft is a product to create, with its index in the request.
type draft struct {
	index   int
	product store.Product
}

// CreateDrafts creates each product whose SKU no variant of the shop has,
// with productSet: a product in status DRAFT, which shoppers cannot see,
// of one variant with the SKU at the base price. Up to ten products go in
// one request. SKUs the shop has are left alone, so a retry after a lost
// answer creates nothing twice. Products without a SKU or name, with a
// negative price or in another currency than the shop's, and products that
// Shopify refuses, are reported in a [*store.PartialError] next to the SKUs
// created.
func (s *Store) CreateDrafts(ctx context.Context, products []store.Product) ([]string,
	error) {
	if len(products) == 0 {
		return nil, nil
	}
	drafts, refused, err := s.planDrafts(ctx, products)
	if err != nil {
		return nil, fmt.Errorf("create %d drafts: %w", len(products), err)
	}

	var created []string
	for start := 0; start < len(drafts); start += draftsPerCall {
		batch := drafts[start:min(start+draftsPerCall, len(drafts))]
		done, errs, err := s.sendDrafts(ctx, batch)
		created, refused = append(created, done...), append(refused, errs...)
		if err != nil {
			return created, fmt.Errorf("create %d drafts: %w", len(products), err)
		}
	}
	s.log.Info("drafts created", zap.Int(fieldCount, len(created)),
		zap.Int("refused", len(refused)))
	if len(refused) > 0 {
		sort.Slice(refused, func(i, j int) bool { return refused[i].Index < refused[j].Index })
		return created, &store.PartialError{Items: refused}
	}
	return created, nil
}

// planDrafts checks the products and leaves out those whose SKU the shop
// sells or that the request repeats.
func (s *Store) planDrafts(ctx context.Context, products []store.Product) ([]draft,
	[]store.ItemError, error) {
	currency, err := s.shopCurrency(ctx)
	if err != nil {
		return nil, nil, err
	}
	skus := make([]string, 0, len(products))
	for _, p := range products {
		skus = append(skus, p.SKU)
	}
	found, err := s.findVariants(ctx, dedupe(skus))
	if err != nil {
		return nil, nil, err
	}

	var drafts []draft
	var refused []store.ItemError
	seen := map[string]bool{}
	for i, p := range products {
		if err := checkDraft(p, currency); err != nil {
			refused = append(refused, store.ItemError{Index: i, Err: err})
			continue
		}
		if len(found[p.SKU]) == 0 && !seen[p.SKU] {
			drafts = append(drafts, draft{index: i, product: p})
		}
		seen[p.SKU] = true
	}
	return drafts, refused, nil
}

// checkDraft says why p cannot be created, if it cannot.
func checkDraft(p store.Product, currency string) error {
	switch {
	case strings.TrimSpace(p.SKU) == "":
		return syncerr.Invalid("sku", "is empty")
	case strings.TrimSpace(p.Name) == "":
		return syncerr.Invalid("name", "product %q has no name", p.SKU)
	case p.PriceMinor < 0:
		return syncerr.Invalid("price_minor", "product %q: %d is negative", p.SKU,
			p.PriceMinor)
	case p.Currency != currency:
		return syncerr.Invalid("currency", "product %q: %s: the shop prices in %s", p.SKU,
			p.Currency, currency)
	}
	return nil
}

// sendDrafts creates a batch of products in one request, and returns the
// SKUs created and the products Shopify refused. productSet creates a
// product again when it is sent again, so the request is not resent after
// a lost answer: the caller's retry looks the SKUs up first.
func (s *Store) sendDrafts(ctx context.Context, batch []draft) ([]string, []store.ItemError,
	error) {
	var decl, body strings.Builder
	vars := map[string]any{}
	for i, d := range batch {
		n := strconv.Itoa(i)
		fmt.Fprintf(&decl, ", $p%s: ProductSetInput!", n)
		fmt.Fprintf(&body, "  p%s: productSet(input: $p%s, synchronous: true) { "+
			"product { id } userErrors { field message code } }\n", n, n)
		vars["p"+n] = draftInput(d.product)
	}
	q := "mutation CreateDrafts(" + strings.TrimPrefix(decl.String(), ", ") + ") {\n" +
		body.String() + "}"

	var data map[string]*struct {
		Product *struct {
			ID string `json:"id"`
		} `json:"product"`
		UserErrors []userError `json:"userErrors"`
	}
	if err := s.mutate(ctx, "create drafts", q, vars, &data); err != nil {
		return nil, nil, err
	}
	var created []string
	var refused []store.ItemError
	for i, d := range batch {
		got := data["p"+strconv.Itoa(i)]
		switch {
		case got != nil && len(got.UserErrors) > 0:
			refused = append(refused, store.ItemError{Index: d.index, Err: syncerr.Invalid(
				"sku", "shopify refused product %q: %s", d.product.SKU,
				got.UserErrors[0].Message)})
		case got != nil && got.Product != nil:
			created = append(created, d.product.SKU)
		default:
			refused = append(refused, store.ItemError{Index: d.index, Err: fmt.Errorf(
				"product %q: shopify answered no product: %w", d.product.SKU,
				syncerr.ErrUnavailable)})
		}
	}
	return created, refused, nil
}

// draftInput is the ProductSetInput of a draft of p.
func draftInput(p store.Product) map[string]any {
	return map[string]any{
		"title":  p.Name,
		"status": "DRAFT",
		"productOptions": []any{map[string]any{"name": defaultOption,
			"values": []any{map[string]any{"name": defaultValue}}}},
		"variants": []any{map[string]any{
			"sku":   p.SKU,
			"price": money.Decimal(p.PriceMinor, p.Currency),
			"optionValues": []any{map[string]any{"optionName": defaultOption,
				"name": defaultValue}},
		}},
	}
}
