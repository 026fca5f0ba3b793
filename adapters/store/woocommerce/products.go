package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxBatch is how many items WooCommerce takes in one batch request, create,
// update and delete together (its woocommerce_rest_batch_items_limit).
const maxBatch = 100

// product is the part of WooCommerce's product resource that erpsync reads.
type product struct {
	ID            int64        `json:"id"`
	SKU           string       `json:"sku"`
	RegularPrice  string       `json:"regular_price"`
	SalePrice     string       `json:"sale_price"`
	ManageStock   bool         `json:"manage_stock"`
	StockQuantity *json.Number `json:"stock_quantity"`
	SaleFromGMT   *string      `json:"date_on_sale_from_gmt"`
	SaleToGMT     *string      `json:"date_on_sale_to_gmt"`
}

// promoted reports whether the product is on promotion at now: it has a
// sale price, or a sale scheduled (even one not started yet, whose price
// WooCommerce applies when it starts) that has not ended.
func (p product) promoted(now time.Time) bool {
	if p.SalePrice != "" || p.SaleFromGMT != nil && *p.SaleFromGMT != "" {
		return true
	}
	end, err := parseGMT("date_on_sale_to_gmt", p.SaleToGMT)
	return err != nil || !end.IsZero() && !end.Before(now)
}

// stock returns the quantity the product holds: 0 when WooCommerce does not
// manage its stock.
func (p product) stock() (int64, error) {
	if !p.ManageStock || p.StockQuantity == nil {
		return 0, nil
	}
	n, err := strconv.ParseInt(p.StockQuantity.String(), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("product %d: stock_quantity %q is not a whole number: %w", p.ID,
			p.StockQuantity.String(), syncerr.ErrUnavailable)
	}
	return n, nil
}

// TODO: SKUs of variations (/products/{id}/variations) are not looked up:
// GET /products?sku= finds simple and parent products only, so the
// variations of a variable product are reported as unknown SKUs.

// products finds the products with skus, by SKU, with GET /products?sku=
// (a comma-separated list), at most maxPerPage SKUs a request. A SKU the
// store does not have is missing from the map.
func (s *Store) products(ctx context.Context, skus []string) (map[string]product, error) {
	found := map[string]product{}
	for start := 0; start < len(skus); start += maxPerPage {
		chunk := skus[start:min(start+maxPerPage, len(skus))]
		c := call{method: http.MethodGet, path: "products", query: url.Values{
			"sku":      {strings.Join(chunk, ",")},
			"per_page": {strconv.Itoa(maxPerPage)},
			"_fields": {"id,sku,regular_price,sale_price,date_on_sale_from_gmt," +
				"date_on_sale_to_gmt,manage_stock,stock_quantity"},
		}}
		var list []product
		if _, err := s.do(ctx, c, &list); err != nil {
			return nil, fmt.Errorf("find %d woocommerce products by sku: %w", len(chunk), err)
		}
		for _, p := range list {
			found[p.SKU] = p
		}
	}
	return found, nil
}

// screened is what screen keeps of a bulk write: the items refused before
// asking the store, and for the others the index of each SKU's item and
// the SKUs in request order.
type screened struct {
	refused []store.ItemError
	index   map[string]int
	skus    []string
}

// screen refuses the items whose SKU cannot be looked up or was given by an
// earlier item, and then those that check refuses.
func screen[T any](items []T, sku func(T) string, check func(T) error) screened {
	sc := screened{index: map[string]int{}}
	for i, it := range items {
		err := checkSKU(sku(it))
		if _, twice := sc.index[sku(it)]; err == nil && twice {
			err = syncerr.Invalid("sku", "%q is given twice", sku(it))
		}
		if err == nil {
			err = check(it)
		}
		if err != nil {
			sc.refused = append(sc.refused, store.ItemError{Index: i, Err: err})
			continue
		}
		sc.index[sku(it)] = i
		sc.skus = append(sc.skus, sku(it))
	}
	return sc
}

// checkSKU returns why sku cannot be looked up, or nil.
func checkSKU(sku string) error {
	switch {
	case strings.TrimSpace(sku) == "":
		return syncerr.Invalid("sku", "is empty")
	case strings.Contains(sku, ","):
		return syncerr.Invalid("sku", "%q holds a comma, which WooCommerce's sku filter "+
			"reads as a separator", sku)
	}
	return nil
}

// update is one product update of a batch, and the index of the item of
// the caller's request it comes from.
type update struct {
	index  int
	fields map[string]any
}

// batchEntry is one answer of a batch: the product, or an error.
type batchEntry struct {
	product
	Error *wpError `json:"error"`
}

// batchUpdate applies updates with POST /products/batch, at most maxBatch a
// request, and returns the items WooCommerce refused. Every update sets
// absolute values, so a batch may be sent again.
func (s *Store) batchUpdate(ctx context.Context, updates []update) ([]store.ItemError, error) {
	var refused []store.ItemError
	for start := 0; start < len(updates); start += maxBatch {
		chunk := updates[start:min(start+maxBatch, len(updates))]
		items := make([]map[string]any, len(chunk))
		for i, u := range chunk {
			items[i] = u.fields
		}

		var answer struct {
			Update []batchEntry `json:"update"`
		}
		c := call{method: http.MethodPost, path: "products/batch", idempotent: true,
			body: map[string]any{"update": items}}
		if _, err := s.do(ctx, c, &answer); err != nil {
			return nil, fmt.Errorf("update %d woocommerce products: %w", len(chunk), err)
		}
		if len(answer.Update) != len(chunk) {
			return nil, fmt.Errorf("update %d woocommerce products: the answer has %d: %w",
				len(chunk), len(answer.Update), syncerr.ErrUnavailable)
		}
		refused = append(refused, batchRefusals(chunk, answer.Update)...)
	}

	if len(refused) > 0 {
		s.log.Warn("woocommerce batch items refused", zap.Int(fieldCount, len(updates)),
			zap.Int(fieldRefused, len(refused)))
	}
	return refused, nil
}

// batchRefusals returns the items of chunk whose answer is an error.
func batchRefusals(chunk []update, answers []batchEntry) []store.ItemError {
	var refused []store.ItemError
	for i, a := range answers {
		if a.Error == nil {
			continue
		}
		e := &apiError{status: a.Error.Data.Status, code: a.Error.Code,
			message: a.Error.Message, params: a.Error.Data.Params}
		refused = append(refused, store.ItemError{Index: chunk[i].index, Err: translate(e)})
	}
	return refused
}

// partial returns refused as a [*store.PartialError] in request order, or
// nil when none was refused.
func partial(refused []store.ItemError) error {
	if len(refused) == 0 {
		return nil
	}
	slices.SortStableFunc(refused, func(a, b store.ItemError) int { return a.Index - b.Index })
	return &store.PartialError{Items: refused}
}
