package bigcommerce

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxAdjustments is the most items one absolute adjustment may hold.
const maxAdjustments = 2000

// skusPerRead is how many SKUs one read of inventory items or variants
// asks for, to keep its URL short.
const skusPerRead = 50

// adjustment is one item of an absolute adjustment.
type adjustment struct {
	LocationID int64  `json:"location_id"`
	SKU        string `json:"sku"`
	Quantity   int64  `json:"quantity"`
}

// pending is a level to write, with its index in the update.
type pending struct {
	index int
	item  adjustment
}

// SetStock sets the levels of u with absolute adjustments of the Inventory
// API, up to 2000 levels a call. Locations are the store's by code (the
// names erpsync gives them); the current levels are read first, so that a
// level of an unknown SKU or location, of a quantity out of range, or
// whose Previous is stale is refused in a [*store.PartialError] before
// anything is written, and a level that already holds its quantity is not
// written again. Items that BigCommerce refuses in a 422 are reported the
// same way and the rest sent again. Key is recorded as the adjustments'
// reason: BigCommerce has no idempotency key, and setting absolute
// quantities is idempotent.
//
// TODO: BigCommerce has no compare-and-set for stock, so Previous is
// compared with the level read just before the write: a level that holds
// neither Previous nor the new quantity is refused as stale, but a sale
// between the read and the write is overwritten.
func (s *Store) SetStock(ctx context.Context, u store.StockUpdate) (err error) {
	defer syncerr.Wrap(&err, "set %d bigcommerce stock levels", len(u.Levels))
	refused := map[int]error{}
	locations, err := s.levelLocations(ctx, u.Levels, refused)
	if err != nil {
		return err
	}
	current, err := s.stockLevels(ctx, u.Levels, locations, refused)
	if err != nil {
		return err
	}

	var writes []pending
	for i, l := range u.Levels {
		if refused[i] != nil {
			continue
		}
		levels, known := current[l.SKU]
		held := levels[locations[l.Location]] // 0 where the item has no level yet
		switch {
		case !known:
			refused[i] = syncerr.Invalid("sku", "sku %q is not an item of the store", l.SKU)
		case l.Previous != nil && *l.Previous != held && held != l.Available:
			refused[i] = syncerr.Invalid("previous", "%q at %q holds %d, not %d", l.SKU,
				l.Location, held, *l.Previous)
		case held != l.Available:
			writes = append(writes, pending{index: i, item: adjustment{
				LocationID: locations[l.Location], SKU: l.SKU, Quantity: l.Available}})
		}
	}

	written, err := s.adjust(ctx, reason(u.Key), writes, refused)
	if err != nil {
		return err
	}
	s.log.Info("bigcommerce stock set", zap.Int(fieldCount, written),
		zap.Int(fieldUnchanged, len(u.Levels)-len(writes)-len(refused)),
		zap.Int(fieldRefused, len(refused)))
	return partial(refused)
}

// reason is the reason recorded with the adjustments of the update key.
func reason(key string) string {
	if key == "" {
		return "erpsync stock update"
	}
	return "erpsync stock update " + key
}

// levelLocations checks the levels' quantities and finds their locations'
// ids; a level with a bad quantity or an unknown location is refused.
func (s *Store) levelLocations(ctx context.Context, levels []store.StockLevel,
	refused map[int]error) (map[string]int64, error) {
	ids, err := s.locationIDs(ctx, false)
	if err != nil {
		return nil, err
	}
	for _, l := range levels {
		if _, ok := ids[l.Location]; !ok && l.Location != "" {
			// A location added since the codes were read.
			if ids, err = s.locationIDs(ctx, true); err != nil {
				return nil, err
			}
			break
		}
	}

	for i, l := range levels {
		switch _, ok := ids[l.Location]; {
		case strings.TrimSpace(l.SKU) == "":
			refused[i] = syncerr.Invalid("sku", "is empty")
		case l.Available < 0 || l.Available > math.MaxInt32:
			refused[i] = syncerr.Invalid("available", "%d is out of range", l.Available)
		case !ok:
			refused[i] = syncerr.Invalid("location", "%q is not a location code of the store",
				l.Location)
		}
	}
	return ids, nil
}

// locationIDs returns the ids of the store's locations by code, read once
// and again when fresh is set.
func (s *Store) locationIDs(ctx context.Context, fresh bool) (map[string]int64, error) {
	s.mu.Lock()
	ids := s.locations
	s.mu.Unlock()
	if ids != nil && !fresh {
		return ids, nil
	}

	locations, err := readPages[location](ctx, s, "/v3/inventory/locations", url.Values{})
	if err != nil {
		return nil, err
	}
	ids = map[string]int64{}
	for _, l := range locations {
		ids[l.Code] = l.ID
	}

	s.mu.Lock()
	s.locations = ids
	s.mu.Unlock()
	return ids, nil
}

// stockLevels reads the on-hand quantity of the levels' SKUs at their
// locations, by SKU and location id; a SKU the store does not track is
// absent, and so is a location where a SKU has no level yet.
func (s *Store) stockLevels(ctx context.Context, levels []store.StockLevel,
	locations map[string]int64, refused map[int]error) (map[string]map[int64]int64, error) {
	var skus []string
	locIDs := map[int64]bool{}
	seen := map[string]bool{}
	for i, l := range levels {
		if refused[i] == nil && !seen[l.SKU] {
			seen[l.SKU] = true
			skus = append(skus, l.SKU)
			locIDs[locations[l.Location]] = true
		}
	}

	held := map[string]map[int64]int64{}
	for from := 0; from < len(skus); from += skusPerRead {
		chunk := skus[from:min(len(skus), from+skusPerRead)]
		if err := s.readItems(ctx, chunk, locIDs, held); err != nil {
			return nil, err
		}
	}
	return held, nil
}

// readItems reads the inventory items of skus at the locations into held.
func (s *Store) readItems(ctx context.Context, skus []string, locIDs map[int64]bool,
	held map[string]map[int64]int64) error {
	ids := make([]string, 0, len(locIDs))
	for id := range locIDs {
		ids = append(ids, strconv.FormatInt(id, 10))
	}

	items, err := readPages[item](ctx, s, "/v3/inventory/items", url.Values{
		"sku:in": {strings.Join(skus, ",")}, "location_id:in": {strings.Join(ids, ",")}})
	if err != nil {
		return err
	}
	for _, it := range items {
		if held[it.Identity.SKU] == nil {
			held[it.Identity.SKU] = map[int64]int64{}
		}
		for _, l := range it.Locations {
			held[it.Identity.SKU][l.LocationID] = l.OnHand
		}
	}
	return nil
}

// adjust writes the levels in calls of up to 2000 items, and returns how
// many it wrote. Items that BigCommerce refuses are added to refused and the
// rest sent again, once.
func (s *Store) adjust(ctx context.Context, why string, writes []pending,
	refused map[int]error) (int, error) {
	written := 0
	for from := 0; from < len(writes); from += maxAdjustments {
		chunk := writes[from:min(len(writes), from+maxAdjustments)]
		err := s.sendAdjustment(ctx, why, chunk)
		bad := refusedItems(err, chunk)
		if len(bad) == 0 {
			if err != nil {
				return written, err
			}
			written += len(chunk)
			continue
		}

		var rest []pending
		for _, w := range chunk {
			if reason, ok := bad[w.index]; ok {
				refused[w.index] = reason
			} else {
				rest = append(rest, w)
			}
		}
		if err := s.sendAdjustment(ctx, why, rest); err != nil {
			return written, err
		}
		written += len(rest)
	}
	return written, nil
}

// sendAdjustment sends one absolute adjustment.
func (s *Store) sendAdjustment(ctx context.Context, why string, items []pending) error {
	if len(items) == 0 {
		return nil
	}
	body := struct {
		Reason string       `json:"reason"`
		Items  []adjustment `json:"items"`
	}{Reason: why}
	for _, p := range items {
		body.Items = append(body.Items, p.item)
	}
	_, err := s.do(ctx, call{method: http.MethodPut, path: "/v3/inventory/adjustments/absolute",
		body: body}, nil)
	return err
}

// refusedItems reads the items that a 422 names, as "items.<i>.<field>",
// by their index in the update; nil when err names none.
func refusedItems(err error, chunk []pending) map[int]error {
	var e *apiError
	if !errors.As(err, &e) || e.status != http.StatusUnprocessableEntity {
		return nil
	}
	bad := map[int]error{}
	for field, why := range e.fields {
		parts := strings.SplitN(field, ".", 3)
		i, perr := strconv.Atoi(parts[min(1, len(parts)-1)])
		if parts[0] != "items" || perr != nil || i < 0 || i >= len(chunk) {
			continue
		}
		name := "item"
		if len(parts) == 3 {
			name = parts[2]
		}
		bad[chunk[i].index] = syncerr.Invalid(name, "bigcommerce refused it: %s", why)
	}
	return bad
}

// partial reports the refused levels, in update order, or nil.
func partial(refused map[int]error) error {
	if len(refused) == 0 {
		return nil
	}
	p := &store.PartialError{}
	for i := range maxIndex(refused) + 1 {
		if err, ok := refused[i]; ok {
			p.Items = append(p.Items, store.ItemError{Index: i, Err: err})
		}
	}
	return p
}

func maxIndex(m map[int]error) int {
	n := 0
	for i := range m {
		n = max(n, i)
	}
	return n
}

// location is a stock location, known to erpsync by its code.
type location struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
}

// item is an inventory item with its on-hand quantity at each location.
type item struct {
	Identity struct {
		SKU string `json:"sku"`
	} `json:"identity"`
	Locations []struct {
		LocationID      int64  `json:"location_id"`
		LocationCode    string `json:"location_code"`
		OnHand          int64  `json:"total_inventory_onhand"`
		AvailableToSell int64  `json:"available_to_sell"`
	} `json:"locations"`
}
