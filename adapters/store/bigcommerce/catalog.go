package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// draftPost is the body of POST /v3/catalog/products for a draft: a hidden
// physical product, weightless until the merchant says otherwise.
type draftPost struct {
	Name      string      `json:"name"`
	Type      string      `json:"type"`
	SKU       string      `json:"sku"`
	Price     json.Number `json:"price"`
	Weight    json.Number `json:"weight"`
	IsVisible bool        `json:"is_visible"`
}

// CreateDrafts creates each product whose SKU no variant of the store has,
// hidden from shoppers (is_visible false), at its base price, with POST
// /v3/catalog/products, and returns the SKUs it created. BigCommerce
// creates one product a call and has no batch create. The SKUs are looked
// up first (GET /v3/catalog/variants?sku:in=, which finds products' base
// variants too), so a retry creates nothing twice; a create that meets a
// SKU made meanwhile (409 on the SKU) counts as existing. Products are
// checked before anything is written: a missing SKU or name, a negative
// price or another currency than the store's gives a
// [*syncerr.InvalidError] naming the SKU. A name that another product has
// is refused by BigCommerce, which keeps names unique, with an InvalidError
// too; the SKUs created before it are returned with the error.
func (s *Store) CreateDrafts(ctx context.Context, products []store.Product) (
	created []string, err error) {
	defer syncerr.Wrap(&err, "create %d bigcommerce draft products", len(products))
	cur, err := s.storeCurrency(ctx)
	if err != nil {
		return nil, err
	}
	wanted, err := checkDrafts(products, cur)
	if err != nil {
		return nil, err
	}
	existing, err := s.variantSKUs(ctx, skusOf(wanted))
	if err != nil {
		return nil, err
	}

	for _, p := range wanted {
		if existing[p.SKU] {
			continue
		}
		made, err := s.createDraft(ctx, p, cur)
		if err != nil {
			return created, err
		}
		if made {
			created = append(created, p.SKU)
		}
	}
	s.log.Info("bigcommerce drafts created", zap.Int(fieldCount, len(created)),
		zap.Int(fieldUnchanged, len(wanted)-len(created)))
	return created, nil
}

// checkDrafts returns the products once per SKU, or why one cannot be a
// product of a store priced in cur.
func checkDrafts(products []store.Product, cur string) ([]store.Product, error) {
	seen := map[string]bool{}
	var out []store.Product
	for _, p := range products {
		p.SKU, p.Name = strings.TrimSpace(p.SKU), strings.TrimSpace(p.Name)
		switch {
		case p.SKU == "" || strings.Contains(p.SKU, ","):
			return nil, syncerr.Invalid("sku", "%q is not a sku", p.SKU)
		case p.Name == "":
			return nil, syncerr.Invalid("name", "product of sku %q has no name", p.SKU)
		case p.PriceMinor < 0:
			return nil, syncerr.Invalid("price_minor", "product of sku %q has price %d",
				p.SKU, p.PriceMinor)
		case p.Currency != cur:
			return nil, syncerr.Invalid("currency", "product of sku %q is priced in %s: the "+
				"store's prices are in %s", p.SKU, p.Currency, cur)
		}
		if !seen[p.SKU] {
			seen[p.SKU] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// skusOf returns the products' SKUs.
func skusOf(products []store.Product) []string {
	skus := make([]string, len(products))
	for i, p := range products {
		skus[i] = p.SKU
	}
	return skus
}

// variantSKUs returns which of skus a variant of the store has, 50 SKUs a
// read.
func (s *Store) variantSKUs(ctx context.Context, skus []string) (map[string]bool, error) {
	found := map[string]bool{}
	for from := 0; from < len(skus); from += skusPerRead {
		chunk := skus[from:min(len(skus), from+skusPerRead)]
		q := url.Values{"sku:in": {strings.Join(chunk, ",")}, "include_fields": {"sku"}}
		variants, err := readPages[variantPrices](ctx, s, "/v3/catalog/variants", q)
		if err != nil {
			return nil, err
		}
		for _, v := range variants {
			found[v.SKU] = true
		}
	}
	return found, nil
}

// createDraft creates p hidden, and reports false when BigCommerce refuses
// it because its SKU exists.
func (s *Store) createDraft(ctx context.Context, p store.Product, cur string) (bool, error) {
	body := draftPost{Name: p.Name, Type: "physical", SKU: p.SKU, Weight: "0",
		Price: json.Number(money.Decimal(p.PriceMinor, cur))}
	_, err := s.do(ctx, call{method: http.MethodPost, path: "/v3/catalog/products",
		body: body}, nil)
	var e *apiError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &e) && e.status == http.StatusConflict && e.fields["sku"] != "":
		return false, nil
	case errors.As(err, &e) && e.status == http.StatusConflict:
		return false, syncerr.Invalid("name", "product of sku %q: bigcommerce refused it: %v",
			p.SKU, e)
	}
	return false, err
}
