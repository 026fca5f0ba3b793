package shopify

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// Limits of a stock write: quantities per inventorySetQuantities call, and
// the highest quantity Shopify takes.
const (
	levelsPerCall = 250
	maxQuantity   = 1_000_000_000
)

const setQuantitiesMutation = `mutation SetStock($input: InventorySetQuantitiesInput!,
    $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}`

// Codes of inventorySetQuantities' userErrors that name a stale id.
const (
	codeStaleQuantity = "CHANGE_FROM_QUANTITY_STALE"
	codeBadItem       = "INVALID_INVENTORY_ITEM"
	codeBadLocation   = "INVALID_LOCATION"
)

// pendingLevel is a level of a stock update resolved to Shopify's ids.
type pendingLevel struct {
	index          int
	item, location string
	level          store.StockLevel
}

// SetStock sets the available quantity of each level with
// inventorySetQuantities, up to 250 levels a call. Each quantity carries
// changeFromQuantity (the level's Previous, or null when erpsync wrote
// none), so that Shopify refuses it when the shop holds another quantity;
// each call carries an idempotency key derived from u.Key and the call's
// contents, so that a retry of an applied update is answered as the first
// time. Shopify applies all of a call's quantities or none, so the
// quantities it did not refuse are sent again without the refused ones.
// Unknown SKUs and locations, SKUs of several variants, repeated levels
// and stale quantities are reported in a [*store.PartialError].
//
// TODO: a retry that comes after Shopify has forgotten the idempotency key
// of an applied write is refused as stale although the shop holds the
// quantity asked for; reading the level of a stale quantity would tell the
// two apart, at the cost of a query per refused level.
func (s *Store) SetStock(ctx context.Context, u store.StockUpdate) error {
	if len(u.Levels) == 0 {
		return nil
	}
	if strings.TrimSpace(u.Key) == "" {
		return syncerr.Invalid("key", "a stock update needs a key: Shopify requires an "+
			"idempotency key for inventory writes")
	}
	pending, refused, err := s.resolveLevels(ctx, u.Levels)
	if err != nil {
		return fmt.Errorf("set %d stock levels: %w", len(u.Levels), err)
	}

	for start := 0; start < len(pending); start += levelsPerCall {
		chunk := pending[start:min(start+levelsPerCall, len(pending))]
		errs, err := s.writeLevels(ctx, u.Key, chunk)
		refused = append(refused, errs...)
		if err != nil {
			return fmt.Errorf("set %d stock levels: %w", len(u.Levels), err)
		}
	}
	s.log.Info("stock set", zap.Int(fieldCount, len(u.Levels)-len(refused)),
		zap.Int("refused", len(refused)))
	if len(refused) > 0 {
		sort.Slice(refused, func(i, j int) bool { return refused[i].Index < refused[j].Index })
		return &store.PartialError{Items: refused}
	}
	return nil
}

// resolveLevels checks the levels and finds their inventory items and
// locations, returning those it can write and the refused ones.
func (s *Store) resolveLevels(ctx context.Context, levels []store.StockLevel) (
	[]pendingLevel, []store.ItemError, error) {
	var skus, names []string
	for _, l := range levels {
		skus, names = append(skus, l.SKU), append(names, l.Location)
	}
	items, found, err := s.inventoryItems(ctx, dedupe(skus))
	if err != nil {
		return nil, nil, err
	}
	locations, err := s.locationIDs(ctx, dedupe(names))
	if err != nil {
		return nil, nil, err
	}

	var pending []pendingLevel
	var refused []store.ItemError
	seen := map[[2]string]int{}
	for i, l := range levels {
		p := pendingLevel{index: i, item: items[l.SKU], location: locations[l.Location],
			level: l}
		if err := checkLevel(p, len(found[l.SKU]), seen); err != nil {
			refused = append(refused, store.ItemError{Index: i, Err: err})
			continue
		}
		seen[[2]string{l.SKU, l.Location}] = i
		pending = append(pending, p)
	}
	return pending, refused, nil
}

// checkLevel returns why a level cannot be written, or nil; variants is
// how many variants were found for its SKU when it was looked up.
func checkLevel(p pendingLevel, variants int, seen map[[2]string]int) error {
	l := p.level
	switch {
	case l.SKU == "":
		return syncerr.Invalid("sku", "is empty")
	case variants > 1:
		return syncerr.Invalid("sku", "sku %q is on %d variants of the shop", l.SKU, variants)
	case p.item == "":
		return syncerr.Invalid("sku", "sku %q is not a variant of the shop", l.SKU)
	case p.location == "":
		return syncerr.Invalid("location", "%q is not a location of the shop", l.Location)
	case l.Available < 0 || l.Available > maxQuantity:
		return syncerr.Invalid("available", "%d is out of range", l.Available)
	}
	if first, ok := seen[[2]string{l.SKU, l.Location}]; ok {
		return syncerr.Invalid("location", "%q at %q is also level %d of the update", l.SKU,
			l.Location, first)
	}
	return nil
}

// writeLevels writes one call's levels, and again without those Shopify
// refused, until it refuses none.
func (s *Store) writeLevels(ctx context.Context, key string, chunk []pendingLevel) (
	[]store.ItemError, error) {
	var refused []store.ItemError
	for len(chunk) > 0 {
		errs, err := s.sendLevels(ctx, key, chunk)
		if err != nil || len(errs) == 0 {
			return refused, err
		}
		refused = append(refused, errs...)
		chunk = withoutRefused(chunk, errs)
	}
	return refused, nil
}

// sendLevels makes one inventorySetQuantities call and returns the levels
// it refused.
func (s *Store) sendLevels(ctx context.Context, key string, chunk []pendingLevel) (
	[]store.ItemError, error) {
	quantities := make([]map[string]any, len(chunk))
	for i, p := range chunk {
		quantities[i] = map[string]any{"inventoryItemId": p.item, "locationId": p.location,
			"quantity": p.level.Available, "changeFromQuantity": p.level.Previous}
	}
	vars := map[string]any{"key": callKey(key, chunk), "input": map[string]any{
		"name": "available", "reason": "correction", "quantities": quantities,
		"referenceDocumentUri": "erpsync://stock-update/" + url.PathEscape(key),
	}}

	var data struct {
		InventorySetQuantities struct {
			UserErrors []userError `json:"userErrors"`
		} `json:"inventorySetQuantities"`
	}
	if err := s.query(ctx, "set stock", setQuantitiesMutation, vars, &data); err != nil {
		return nil, err
	}
	return s.refusedLevels(chunk, data.InventorySetQuantities.UserErrors), nil
}

// refusedLevels maps userErrors to the levels they name. An error that
// names no quantity refuses them all.
func (s *Store) refusedLevels(chunk []pendingLevel, errs []userError) []store.ItemError {
	var out []store.ItemError
	for _, ue := range errs {
		i, ok := quantityIndex(ue.Field)
		if !ok || i >= len(chunk) {
			for _, p := range chunk {
				out = append(out, store.ItemError{Index: p.index, Err: &syncerr.InvalidError{
					Reason: "shopify refused the stock update: " + ue.Message}})
			}
			return out
		}
		out = append(out, store.ItemError{Index: chunk[i].index, Err: s.levelError(chunk[i], ue)})
	}
	return out
}

// levelError explains a refused level, and drops ids found stale.
func (s *Store) levelError(p pendingLevel, ue userError) error {
	l := p.level
	switch ue.Code {
	case codeStaleQuantity:
		return syncerr.Invalid("previous", "%q at %q no longer holds %d: %s", l.SKU,
			l.Location, deref(l.Previous), ue.Message)
	case codeBadItem:
		s.forgetItem(l.SKU)
		return syncerr.Invalid("sku", "sku %q: %s", l.SKU, ue.Message)
	case codeBadLocation:
		s.forgetLocations()
		return syncerr.Invalid("location", "%q: %s", l.Location, ue.Message)
	}
	return syncerr.Invalid(ue.fieldName(), "shopify refused the level: %s", ue.Message)
}

// quantityIndex reads the index in a userError field such as ["input",
// "quantities", "3", "changeFromQuantity"].
func quantityIndex(field []string) (int, bool) {
	for i := 0; i+1 < len(field); i++ {
		if field[i] == "quantities" {
			n, err := strconv.Atoi(field[i+1])
			return n, err == nil && n >= 0
		}
	}
	return 0, false
}

// fieldName is the last element of the error's field, or "".
func (ue userError) fieldName() string {
	if len(ue.Field) == 0 {
		return ""
	}
	return ue.Field[len(ue.Field)-1]
}

// withoutRefused drops the refused levels from chunk.
func withoutRefused(chunk []pendingLevel, refused []store.ItemError) []pendingLevel {
	drop := map[int]bool{}
	for _, r := range refused {
		drop[r.Index] = true
	}
	var out []pendingLevel
	for _, p := range chunk {
		if !drop[p.index] {
			out = append(out, p)
		}
	}
	return out
}

// callKey derives the idempotency key of one call from the update's key and
// what the call sends, so that a retry of the update sends the same keys and
// a call with other contents never reuses one.
func callKey(key string, chunk []pendingLevel) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", key)
	for _, p := range chunk {
		fmt.Fprintf(h, "%s|%s|%d|%v\n", p.item, p.location, p.level.Available,
			deref(p.level.Previous))
		if p.level.Previous == nil {
			fmt.Fprint(h, "null\n")
		}
	}
	sum := h.Sum(nil)
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
