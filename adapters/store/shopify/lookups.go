package shopify

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// How long lookups are trusted: variant and location ids rarely change,
// and a write that names a stale one is refused and drops it; the shop's
// currency never changes once it sells.
const (
	itemTTL         = 15 * time.Minute
	locationTTL     = 15 * time.Minute
	locationRefresh = time.Minute
	currencyTTL     = time.Hour
	skusPerQuery    = 50
)

const variantsQuery = `query Variants($query: String!, $after: String) {
  productVariants(first: 250, after: $after, query: $query) {
    nodes { id sku price compareAtPrice product { id } inventoryItem { id } }
    pageInfo { hasNextPage endCursor }
  }
}`

const locationsQuery = `query Locations($after: String) {
  locations(first: 250, after: $after) {
    nodes { id name }
    pageInfo { hasNextPage endCursor }
  }
}`

const shopQuery = `query Shop { shop { currencyCode } }`

// variant is a product variant as the writes need it.
type variant struct {
	ID             string  `json:"id"`
	SKU            string  `json:"sku"`
	Price          string  `json:"price"`
	CompareAtPrice *string `json:"compareAtPrice"`
	Product        struct {
		ID string `json:"id"`
	} `json:"product"`
	InventoryItem struct {
		ID string `json:"id"`
	} `json:"inventoryItem"`
}

// lookups caches what the adapter looked up: the inventory item of each
// SKU, the id of each location by name, and the shop's currency.
type lookups struct {
	mu          sync.Mutex
	items       map[string]cachedItem
	locations   map[string]string
	locationsAt time.Time
	currency    string
	currencyAt  time.Time
}

type cachedItem struct {
	item string
	at   time.Time
}

func newLookups() lookups {
	return lookups{items: map[string]cachedItem{}, locations: map[string]string{}}
}

// findVariants returns the variants of each SKU, exactly as written,
// reading them in batches. A SKU no variant has is absent; Shopify does not
// keep SKUs unique, so one may have several.
func (s *Store) findVariants(ctx context.Context, skus []string) (map[string][]variant,
	error) {
	found := map[string][]variant{}
	for start := 0; start < len(skus); start += skusPerQuery {
		batch := skus[start:min(start+skusPerQuery, len(skus))]
		if err := s.findBatch(ctx, batch, found); err != nil {
			return nil, err
		}
	}

	s.lookups.mu.Lock()
	defer s.lookups.mu.Unlock()
	for sku, vs := range found {
		if len(vs) == 1 {
			s.lookups.items[sku] = cachedItem{item: vs[0].InventoryItem.ID, at: s.now()}
		}
	}
	return found, nil
}

// findBatch reads the variants of one batch of SKUs into found.
func (s *Store) findBatch(ctx context.Context, skus []string, found map[string][]variant) error {
	want := map[string]bool{}
	terms := make([]string, len(skus))
	for i, sku := range skus {
		want[sku] = true
		terms[i] = "sku:" + quote(sku)
	}
	vars := map[string]any{"query": strings.Join(terms, " OR ")}

	for {
		var data struct {
			ProductVariants struct {
				Nodes    []variant `json:"nodes"`
				PageInfo pageInfo  `json:"pageInfo"`
			} `json:"productVariants"`
		}
		if err := s.query(ctx, "find variants", variantsQuery, vars, &data); err != nil {
			return fmt.Errorf("find variants of %d skus: %w", len(skus), err)
		}
		for _, v := range data.ProductVariants.Nodes {
			if want[v.SKU] {
				found[v.SKU] = append(found[v.SKU], v)
			}
		}
		if !data.ProductVariants.PageInfo.HasNextPage {
			return nil
		}
		vars["after"] = data.ProductVariants.PageInfo.EndCursor
	}
}

// quote writes a search value in double quotes, escaping what needs it.
func quote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// inventoryItems returns the inventory item of each SKU that has exactly
// one variant, from the cache or looked up, and the variants of the SKUs
// that it looked up, so that callers can tell a missing SKU from an
// ambiguous one.
func (s *Store) inventoryItems(ctx context.Context, skus []string) (map[string]string,
	map[string][]variant, error) {
	items := map[string]string{}
	var missing []string
	s.lookups.mu.Lock()
	for _, sku := range skus {
		c, ok := s.lookups.items[sku]
		if ok && s.now().Sub(c.at) < itemTTL {
			items[sku] = c.item
		} else {
			missing = append(missing, sku)
		}
	}
	s.lookups.mu.Unlock()

	found, err := s.findVariants(ctx, dedupe(missing))
	if err != nil {
		return nil, nil, err
	}
	for sku, vs := range found {
		if len(vs) == 1 {
			items[sku] = vs[0].InventoryItem.ID
		}
	}
	return items, found, nil
}

// forgetItem drops a SKU that a write found stale.
func (s *Store) forgetItem(sku string) {
	s.lookups.mu.Lock()
	defer s.lookups.mu.Unlock()
	delete(s.lookups.items, sku)
}

// locationIDs returns the ids of the shop's locations by name, from the
// cache unless it is old or lacks one of names and was not just read.
func (s *Store) locationIDs(ctx context.Context, names []string) (map[string]string, error) {
	s.lookups.mu.Lock()
	age := s.now().Sub(s.lookups.locationsAt)
	fresh := age < locationTTL
	for _, n := range names {
		if _, ok := s.lookups.locations[n]; !ok && age >= locationRefresh {
			fresh = false
		}
	}
	cached := s.lookups.locations
	s.lookups.mu.Unlock()
	if fresh {
		return cached, nil
	}

	byName, err := s.readLocations(ctx)
	if err != nil {
		return nil, err
	}
	s.lookups.mu.Lock()
	s.lookups.locations, s.lookups.locationsAt = byName, s.now()
	s.lookups.mu.Unlock()
	return byName, nil
}

// readLocations reads every location of the shop.
func (s *Store) readLocations(ctx context.Context) (map[string]string, error) {
	byName := map[string]string{}
	vars := map[string]any{}
	for {
		var data struct {
			Locations struct {
				Nodes []struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"nodes"`
				PageInfo pageInfo `json:"pageInfo"`
			} `json:"locations"`
		}
		if err := s.query(ctx, "locations", locationsQuery, vars, &data); err != nil {
			return nil, fmt.Errorf("read locations: %w", err)
		}
		for _, l := range data.Locations.Nodes {
			byName[l.Name] = l.ID
		}
		if !data.Locations.PageInfo.HasNextPage {
			return byName, nil
		}
		vars["after"] = data.Locations.PageInfo.EndCursor
	}
}

// forgetLocations makes the next lookup read the locations again.
func (s *Store) forgetLocations() {
	s.lookups.mu.Lock()
	defer s.lookups.mu.Unlock()
	s.lookups.locationsAt = time.Time{}
}

// shopCurrency returns the currency the shop prices in.
func (s *Store) shopCurrency(ctx context.Context) (string, error) {
	s.lookups.mu.Lock()
	cur, at := s.lookups.currency, s.lookups.currencyAt
	s.lookups.mu.Unlock()
	if cur != "" && s.now().Sub(at) < currencyTTL {
		return cur, nil
	}

	var data struct {
		Shop struct {
			CurrencyCode string `json:"currencyCode"`
		} `json:"shop"`
	}
	if err := s.query(ctx, "shop", shopQuery, nil, &data); err != nil {
		return "", fmt.Errorf("read the shop's currency: %w", err)
	}
	s.lookups.mu.Lock()
	s.lookups.currency, s.lookups.currencyAt = data.Shop.CurrencyCode, s.now()
	s.lookups.mu.Unlock()
	return data.Shop.CurrencyCode, nil
}

// dedupe returns values without repeats, in their first order.
func dedupe(values []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
