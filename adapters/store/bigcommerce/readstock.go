package bigcommerce

import (
	"context"
	"net/url"
	"sort"
	"strings"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// ReadStock returns the quantity available to sell (on hand less safety
// stock and reservations, as BigCommerce computes it) of each of skus at
// every location that stocks it, by location code, the names SetStock
// takes. It reads GET /v3/inventory/items, 50 SKUs a call; SKUs the store
// does not track are left out. Levels come by SKU, then location code.
func (s *Store) ReadStock(ctx context.Context, skus []string) (levels []store.StockLevel,
	err error) {
	defer syncerr.Wrap(&err, "read bigcommerce stock of %d skus", len(skus))
	var wanted []string
	seen := map[string]bool{}
	for _, sku := range skus {
		if sku = strings.TrimSpace(sku); sku != "" && !seen[sku] {
			seen[sku] = true
			wanted = append(wanted, sku)
		}
	}

	var items []item
	for from := 0; from < len(wanted); from += skusPerRead {
		chunk := wanted[from:min(len(wanted), from+skusPerRead)]
		page, err := readPages[item](ctx, s, "/v3/inventory/items",
			url.Values{"sku:in": {strings.Join(chunk, ",")}})
		if err != nil {
			return nil, err
		}
		items = append(items, page...)
	}
	if levels, err = s.itemLevels(ctx, items, seen); err != nil {
		return nil, err
	}
	sort.Slice(levels, func(i, j int) bool {
		if levels[i].SKU != levels[j].SKU {
			return levels[i].SKU < levels[j].SKU
		}
		return levels[i].Location < levels[j].Location
	})
	return levels, nil
}

// itemLevels converts the locations of items of the SKUs asked for into
// levels, naming a location by the code that the store gives its id when
// the item does not carry it.
func (s *Store) itemLevels(ctx context.Context, items []item, asked map[string]bool) (
	[]store.StockLevel, error) {
	var codes map[int64]string
	var levels []store.StockLevel
	for _, it := range items {
		if !asked[it.Identity.SKU] {
			continue
		}
		for _, l := range it.Locations {
			code := l.LocationCode
			if code == "" && codes == nil {
				ids, err := s.locationIDs(ctx, false)
				if err != nil {
					return nil, err
				}
				codes = map[int64]string{}
				for c, id := range ids {
					codes[id] = c
				}
			}
			if code == "" {
				code = codes[l.LocationID]
			}
			levels = append(levels, store.StockLevel{SKU: it.Identity.SKU, Location: code,
				Available: l.AvailableToSell})
		}
	}
	return levels, nil
}
