package shopifysandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// Limits of inventorySetQuantities.
const (
	maxQuantity = 1_000_000_000
	errSetQty   = "InventorySetQuantitiesUserError"
)

// reasons are the inventory change reasons Shopify accepts.
var reasons = map[string]bool{
	"correction": true, "cycle_count_available": true, "damaged": true,
	"movement_created": true, "movement_updated": true, "movement_received": true,
	"movement_canceled": true, "other": true, "promotion": true, "quality_control": true,
	"received": true, "reservation_created": true, "reservation_deleted": true,
	"reservation_updated": true, "restock": true, "safety_stock": true, "shrinkage": true,
}

// idempotent is the answer kept for an idempotency key, with a digest of
// the input it answered.
type idempotent struct {
	input  string
	answer obj
	at     time.Time
}

// idempotencyWindow is how long an idempotency key is remembered.
const idempotencyWindow = 24 * time.Hour

// levelWrite is one checked quantity of inventorySetQuantities.
type levelWrite struct {
	product  storesandbox.Product
	location storesandbox.Location
	quantity int64
	from     *int64 // nil: no compare
	before   int64
}

// setQuantities answers inventorySetQuantities: every quantity is set, or
// none. From API 2026-04 on, the @idempotent directive and every
// quantity's changeFromQuantity are required; a key seen before answers
// as it did then.
func (s *Sandbox) setQuantities(c call, version string) (any, error) {
	input, _ := c.args["input"].(map[string]any)
	key, hasKey := c.directiveArg("idempotent", "key")
	strict := version >= "2026-04"
	if strict && !hasKey {
		return nil, errorCode("BAD_REQUEST", "The @idempotent directive is required for "+
			"inventorySetQuantities from API version 2026-04 on.")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	k, _ := key.(string)
	digest := inputDigest(input)
	if prev, ok := s.idempotency[k]; ok && k != "" {
		if prev.input != digest {
			return qtyPayload(nil, []obj{userError(errSetQty,
				"IDEMPOTENCY_KEY_PARAMETER_MISMATCH", "The same idempotency key cannot be used "+
					"with different operation parameters.")}), nil
		}
		return prev.answer, nil
	}

	answer := s.applyQuantities(input, strict)
	if k != "" {
		s.remember(k, idempotent{input: digest, answer: answer, at: s.now()})
	}
	return answer, nil
}

// remember keeps the answer of key, and forgets the keys older than the
// idempotency window. The caller holds s.mu.
func (s *Sandbox) remember(key string, answer idempotent) {
	for k, v := range s.idempotency {
		if answer.at.Sub(v.at) > idempotencyWindow {
			delete(s.idempotency, k)
		}
	}
	s.idempotency[key] = answer
}

// inputDigest identifies an input for the idempotency check.
func inputDigest(input map[string]any) string {
	b, _ := json.Marshal(input) // decoded JSON always encodes again
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// applyQuantities checks every quantity and sets them all when none is
// refused. The caller holds s.mu, which keeps the check and the writes
// together.
func (s *Sandbox) applyQuantities(input map[string]any, strict bool) obj {
	name, _ := toString(input["name"])
	reason, _ := toString(input["reason"])
	switch {
	case name != "available" && name != "on_hand":
		return qtyPayload(nil, []obj{userError(errSetQty, "INVALID_NAME",
			"The quantity name must be either 'available' or 'on_hand'.", "input", "name")})
	case !reasons[reason]:
		return qtyPayload(nil, []obj{userError(errSetQty, "INVALID_REASON",
			"The specified reason is invalid.", "input", "reason")})
	}

	quantities, _ := input["quantities"].([]any)
	writes, errs := s.checkQuantities(quantities, strict)
	if len(errs) > 0 {
		return qtyPayload(nil, errs)
	}
	group, err := s.writeQuantities(name, input, writes)
	if err != nil {
		return qtyPayload(nil, []obj{userError(errSetQty, "", err.Error(), "input")})
	}
	return qtyPayload(group, []obj{})
}

// checkQuantities reads every quantity and returns what refuses it.
func (s *Sandbox) checkQuantities(quantities []any, strict bool) ([]levelWrite, []obj) {
	var writes []levelWrite
	var errs []obj
	seen := map[[2]int64]bool{}
	for i, q := range quantities {
		m, _ := q.(map[string]any)
		w, code, field, msg := s.checkQuantity(m, strict)
		pair := [2]int64{w.product.ID, w.location.ID}
		if msg == "" && seen[pair] {
			code, field, msg = "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR", "locationId",
				"The combination of inventoryItemId and locationId must be unique."
		}
		if msg != "" {
			errs = append(errs, userError(errSetQty, code, msg, "input", "quantities", i, field))
			continue
		}
		seen[pair] = true
		writes = append(writes, w)
	}
	return writes, errs
}

// checkQuantity reads one quantity; on refusal it returns the code (which
// may be empty), the field at fault and the message.
func (s *Sandbox) checkQuantity(m map[string]any, strict bool) (levelWrite, string, string,
	string) {
	var w levelWrite
	item, _ := toString(m["inventoryItemId"])
	loc, _ := toString(m["locationId"])
	q, _ := toInt(m["quantity"])
	from, hasFrom := m["changeFromQuantity"]
	var ok bool

	if w.product, ok = s.variantByItem(item); !ok {
		return w, "INVALID_INVENTORY_ITEM", "inventoryItemId",
			"The specified inventory item could not be found."
	}
	if w.location, ok = s.locationByID(loc); !ok {
		return w, "INVALID_LOCATION", "locationId", "The specified location could not be found."
	}
	switch {
	case q < 0:
		return w, "INVALID_QUANTITY_NEGATIVE", "quantity", "The quantity can't be negative."
	case q > maxQuantity:
		return w, "INVALID_QUANTITY_TOO_HIGH", "quantity",
			"The total quantity can't be higher than 1,000,000,000."
	case strict && !hasFrom:
		return w, "", "changeFromQuantity", errMissingFrom
	}
	w.quantity = q
	w.before, _ = s.model.Stock(w.product.SKU, w.location.Name)

	if from != nil {
		n, _ := toInt(from)
		if n != w.before {
			return w, "CHANGE_FROM_QUANTITY_STALE", "changeFromQuantity",
				"The changeFromQuantity value does not match persisted value."
		}
		w.from = &n
	}
	return w, "", "", ""
}

// writeQuantities sets the checked quantities and returns the adjustment
// group that records them.
// The model refuses a write only when the store model was changed around
// the sandbox since the check, which leaves the writes before it applied.
func (s *Sandbox) writeQuantities(name string, input map[string]any,
	writes []levelWrite) (obj, error) {
	changes := make([]obj, 0, len(writes))
	for _, w := range writes {
		stored, err := s.model.SetStock(w.product.SKU, w.location.Name, w.quantity, w.from)
		if err != nil {
			return obj{}, fmt.Errorf("stock of %s at %s: %w", w.product.SKU, w.location.Name,
				err)
		}
		changes = append(changes, obj{typename: "InventoryChange", fields: map[string]any{
			"name": name, "delta": stored.Available - w.before,
			"quantityAfterChange": stored.Available, "item": s.inventoryItemObj(w.product),
			"location": locationObj(w.location),
		}})
	}

	reason, _ := toString(input["reason"])
	return obj{typename: "InventoryAdjustmentGroup", fields: map[string]any{
		"id": gid(typeAdjustmentGroup, s.nextID()), "reason": reason,
		"referenceDocumentUri": input["referenceDocumentUri"],
		"createdAt":            apiTime(s.now()), "changes": changes,
	}}, nil
}

func qtyPayload(group any, errs []obj) obj {
	return obj{typename: "InventorySetQuantitiesPayload", fields: map[string]any{
		"inventoryAdjustmentGroup": group, "userErrors": errs,
	}}
}

// errMissingFrom is the message of a quantity without changeFromQuantity.
const errMissingFrom = "changeFromQuantity is required: pass the quantity expected at the " +
	"location, or null to skip the check."
