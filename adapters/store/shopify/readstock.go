package shopify

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/erpsync/erpsync/adapters/store"
)

// stockSKUsPerQuery is how many SKUs one stock read asks for: with ten
// levels each, 25 variants cost about 850 points of the 1000 a query may
// cost.
const stockSKUsPerQuery = 25

const levelFields = `
  nodes { location { name } quantities(names: ["available"]) { quantity } }
  pageInfo { hasNextPage endCursor }`

const readStockQuery = `query ReadStock($query: String!, $after: String) {
  productVariants(first: 25, after: $after, query: $query) {
    nodes { sku inventoryItem { id inventoryLevels(first: 10) {` + levelFields + ` } } }
    pageInfo { hasNextPage endCursor }
  }
}`

const moreLevelsQuery = `query MoreLevels($id: ID!, $after: String) {
  inventoryItem(id: $id) { inventoryLevels(first: 100, after: $after) {` + levelFields + ` } }
}`

type inventoryLevels struct {
	Nodes []struct {
		Location struct {
			Name string `json:"name"`
		} `json:"location"`
		Quantities []struct {
			Quantity int64 `json:"quantity"`
		} `json:"quantities"`
	} `json:"nodes"`
	PageInfo pageInfo `json:"pageInfo"`
}

type stockVariant struct {
	SKU           string `json:"sku"`
	InventoryItem struct {
		ID              string          `json:"id"`
		InventoryLevels inventoryLevels `json:"inventoryLevels"`
	} `json:"inventoryItem"`
}

// ReadStock returns the available quantity of each SKU at each location
// that stocks it, by location name, reading 25 SKUs a query, ordered by
// SKU and location. SKUs no variant has are left out; a SKU on several
// variants, which Shopify allows, gets the sum of their quantities.
func (s *Store) ReadStock(ctx context.Context, skus []string) ([]store.StockLevel, error) {
	skus = dedupe(skus)
	sums := map[[2]string]int64{}
	for start := 0; start < len(skus); start += stockSKUsPerQuery {
		batch := skus[start:min(start+stockSKUsPerQuery, len(skus))]
		if err := s.readStockBatch(ctx, batch, sums); err != nil {
			return nil, fmt.Errorf("read stock of %d skus: %w", len(skus), err)
		}
	}

	out := make([]store.StockLevel, 0, len(sums))
	for k, q := range sums {
		out = append(out, store.StockLevel{SKU: k[0], Location: k[1], Available: q})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].SKU != out[j].SKU {
			return out[i].SKU < out[j].SKU
		}
		return out[i].Location < out[j].Location
	})
	return out, nil
}

// readStockBatch adds the levels of one batch of SKUs to sums, by SKU and
// location name.
func (s *Store) readStockBatch(ctx context.Context, skus []string,
	sums map[[2]string]int64) error {
	want := map[string]bool{}
	terms := make([]string, len(skus))
	for i, sku := range skus {
		want[sku], terms[i] = true, "sku:"+quote(sku)
	}
	vars := map[string]any{"query": strings.Join(terms, " OR ")}
	for {
		var data struct {
			ProductVariants struct {
				Nodes    []stockVariant `json:"nodes"`
				PageInfo pageInfo       `json:"pageInfo"`
			} `json:"productVariants"`
		}
		if err := s.query(ctx, "read stock", readStockQuery, vars, &data); err != nil {
			return err
		}
		for _, v := range data.ProductVariants.Nodes {
			if !want[v.SKU] {
				continue
			}
			if err := s.addLevels(ctx, v, sums); err != nil {
				return err
			}
		}
		if !data.ProductVariants.PageInfo.HasNextPage {
			return nil
		}
		vars["after"] = data.ProductVariants.PageInfo.EndCursor
	}
}

// addLevels adds the levels of v to sums, reading those past the first
// page.
func (s *Store) addLevels(ctx context.Context, v stockVariant, sums map[[2]string]int64) error {
	levels := v.InventoryItem.InventoryLevels
	for {
		for _, l := range levels.Nodes {
			for _, q := range l.Quantities {
				sums[[2]string{v.SKU, l.Location.Name}] += q.Quantity
			}
		}
		if !levels.PageInfo.HasNextPage {
			return nil
		}

		var data struct {
			InventoryItem *struct {
				InventoryLevels inventoryLevels `json:"inventoryLevels"`
			} `json:"inventoryItem"`
		}
		vars := map[string]any{"id": v.InventoryItem.ID, "after": levels.PageInfo.EndCursor}
		if err := s.query(ctx, "read stock levels", moreLevelsQuery, vars, &data); err != nil {
			return err
		}
		if data.InventoryItem == nil {
			return nil // the variant went away while it was read
		}
		levels = data.InventoryItem.InventoryLevels
	}
}
