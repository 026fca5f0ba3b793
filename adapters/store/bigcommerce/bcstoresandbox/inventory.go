package bcstoresandbox

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
)

// maxAdjustments is the most items one adjustment may hold.
const maxAdjustments = 2000

// location is a stock location as GET /v3/inventory/locations answers it:
// its code is the model location's name, as erpsync names it.
type location struct {
	ID                      int64  `json:"id"`
	Code                    string `json:"code"`
	Label                   string `json:"label"`
	Description             string `json:"description"`
	ManagedByExternalSource bool   `json:"managed_by_external_source"`
	TypeID                  string `json:"type_id"`
	Enabled                 bool   `json:"enabled"`
	TimeZone                string `json:"time_zone"`
	StorefrontVisibility    bool   `json:"storefront_visibility"`
}

// listLocations answers GET /v3/inventory/locations, filtered by id and
// code.
func (s *Sandbox) listLocations(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	ids, ok := idSet(q.Get("location_id:in"))
	if !ok {
		writeError(w, 3, http.StatusBadRequest, "The filter 'location_id:in' is invalid.", nil)
		return
	}
	codes := stringSet(q.Get("location_code:in"))
	p, ok := readPaging(w, q, 3, 50, 1000)
	if !ok {
		return
	}

	var found []location
	for _, l := range s.model.Locations() {
		if admits(ids, l.ID) && admits(codes, l.Name) {
			found = append(found, location{ID: l.ID, Code: l.Name, Label: l.Name,
				TypeID: "PHYSICAL", Enabled: true, TimeZone: "Etc/UTC",
				StorefrontVisibility: true})
		}
	}
	page, meta := cut(found, p)
	writeData(w, page, meta)
}

// item is an inventory item as GET /v3/inventory/items answers it.
type item struct {
	Identity  identity       `json:"identity"`
	Locations []itemLocation `json:"locations"`
}

type identity struct {
	SKU       string `json:"sku"`
	VariantID int64  `json:"variant_id"`
	ProductID int64  `json:"product_id"`
	SKUID     *int64 `json:"sku_id"`
}

// itemLocation is an item's stock at one location. The sandbox keeps no
// safety stock, so all that is on hand is available to sell.
type itemLocation struct {
	LocationID      int64        `json:"location_id"`
	LocationCode    string       `json:"location_code"`
	LocationName    string       `json:"location_name"`
	AvailableToSell int64        `json:"available_to_sell"`
	OnHand          int64        `json:"total_inventory_onhand"`
	LocationEnabled bool         `json:"location_enabled"`
	Settings        itemSettings `json:"settings"`
}

type itemSettings struct {
	SafetyStock      int64  `json:"safety_stock"`
	IsInStock        bool   `json:"is_in_stock"`
	WarningLevel     int64  `json:"warning_level"`
	BinPickingNumber string `json:"bin_picking_number"`
}

// listItems answers GET /v3/inventory/items: every product of the model is
// an item tracked by its base variant, stocked at every location.
func (s *Sandbox) listItems(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	skus, codes := stringSet(q.Get("sku:in")), stringSet(q.Get("location_code:in"))
	variants, ok1 := idSet(q.Get("variant_id:in"))
	products, ok2 := idSet(q.Get("product_id:in"))
	locations, ok3 := idSet(q.Get("location_id:in"))
	if !ok1 || !ok2 || !ok3 {
		writeError(w, 3, http.StatusBadRequest, "An id filter is not a list of numbers.", nil)
		return
	}
	p, ok := readPaging(w, q, 3, 50, 1000)
	if !ok {
		return
	}

	var found []item
	for _, pr := range s.model.Products() {
		if !admits(skus, pr.SKU) || !admits(variants, variantID(pr.ID)) ||
			!admits(products, pr.ID) {
			continue
		}
		it := item{Identity: identity{SKU: pr.SKU, VariantID: variantID(pr.ID),
			ProductID: pr.ID}, Locations: []itemLocation{}}
		for _, l := range s.model.Locations() {
			if admits(locations, l.ID) && admits(codes, l.Name) {
				n, _ := s.model.Stock(pr.SKU, l.Name)
				it.Locations = append(it.Locations, itemLocation{LocationID: l.ID,
					LocationCode: l.Name, LocationName: l.Name, AvailableToSell: n, OnHand: n,
					LocationEnabled: true, Settings: itemSettings{IsInStock: true}})
			}
		}
		found = append(found, it)
	}
	page, meta := cut(found, p)
	writeData(w, page, meta)
}

// adjustment is one item of an absolute adjustment, identified by exactly
// one of sku, variant_id and product_id.
type adjustment struct {
	LocationID *json.Number `json:"location_id"`
	SKU        *string      `json:"sku"`
	VariantID  *json.Number `json:"variant_id"`
	ProductID  *json.Number `json:"product_id"`
	Quantity   *json.Number `json:"quantity"`
}

// level is a checked adjustment: the stock to set.
type level struct {
	sku, location string
	quantity      int64
}

// adjust answers PUT /v3/inventory/adjustments/absolute. The whole
// adjustment is refused with 422 when one item is invalid, naming each bad
// item's field in "errors" as items.<index>.<field>; otherwise every level
// is set and the answer is a transaction id.
func (s *Sandbox) adjust(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		Reason string       `json:"reason"`
		Items  []adjustment `json:"items"`
	}
	if !decodeBody(w, 3, body, &in) {
		return
	}
	if len(in.Items) > maxAdjustments {
		writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"The request payload is too large. The maximum items allowed is %d", maxAdjustments),
			nil)
		return
	}

	levels, bad := s.checkAdjustments(in.Items)
	if len(in.Items) == 0 {
		bad["items"] = "error.path.missing"
	}
	if len(bad) > 0 {
		writeProblem(w, http.StatusUnprocessableEntity, "Payload contains invalid fields", bad)
		return
	}
	for _, l := range levels {
		if _, err := s.model.SetStock(l.sku, l.location, l.quantity, nil); err != nil {
			writeProblem(w, http.StatusUnprocessableEntity, err.Error(), nil)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"transaction_id": transactionID()})
}

// checkAdjustments resolves each item to a level, and names the fields of
// the items that cannot be.
func (s *Sandbox) checkAdjustments(items []adjustment) ([]level, map[string]string) {
	names := map[int64]string{}
	for _, l := range s.model.Locations() {
		names[l.ID] = l.Name
	}

	bad := map[string]string{}
	levels := make([]level, 0, len(items))
	for i, it := range items {
		at := "items." + strconv.Itoa(i) + "."
		loc, locOK := lookupID(it.LocationID, names)
		sku, field, reason := s.itemSKU(it)
		qty, qtyErr := it.quantity()
		switch {
		case it.LocationID == nil:
			bad[at+"location_id"] = "error.path.missing"
		case !locOK:
			bad[at+"location_id"] = "Location with id " + it.LocationID.String() + " not found"
		case reason != "":
			bad[at+field] = reason
		case qtyErr != "":
			bad[at+"quantity"] = qtyErr
		default:
			levels = append(levels, level{sku: sku, location: loc, quantity: qty})
		}
	}
	return levels, bad
}

// itemSKU finds the product an adjustment item names, or the field at
// fault and why.
func (s *Sandbox) itemSKU(it adjustment) (sku, field, reason string) {
	given := 0
	for _, set := range []bool{it.SKU != nil, it.VariantID != nil, it.ProductID != nil} {
		if set {
			given++
		}
	}
	if given != 1 {
		return "", "sku", "exactly one of sku, variant_id and product_id identifies an item"
	}

	for _, p := range s.model.Products() {
		switch {
		case it.SKU != nil && p.SKU == *it.SKU,
			it.VariantID != nil && it.VariantID.String() == strconv.FormatInt(variantID(p.ID), 10),
			it.ProductID != nil && it.ProductID.String() == strconv.FormatInt(p.ID, 10):
			return p.SKU, "", ""
		}
	}
	switch {
	case it.SKU != nil:
		return "", "sku", "Item with sku " + strconv.Quote(*it.SKU) + " not found"
	case it.VariantID != nil:
		return "", "variant_id", "Item with variant_id " + it.VariantID.String() + " not found"
	}
	return "", "product_id", "Item with product_id " + it.ProductID.String() + " not found"
}

// quantity reads the item's quantity, or says why it cannot be set.
func (it adjustment) quantity() (int64, string) {
	if it.Quantity == nil {
		return 0, "error.path.missing"
	}
	n, err := it.Quantity.Int64()
	if err != nil || n < 0 || n > math.MaxInt32 {
		return 0, "must be an integer between 0 and 2147483647"
	}
	return n, ""
}

// lookupID finds the name of the location whose id n holds.
func lookupID(n *json.Number, names map[int64]string) (string, bool) {
	if n == nil {
		return "", false
	}
	id, err := n.Int64()
	if err != nil {
		return "", false
	}
	name, ok := names[id]
	return name, ok
}

// writeProblem answers an inventory error as application/problem+json, as
// the Inventory API does.
func writeProblem(w http.ResponseWriter, status int, title string, fields map[string]string) {
	body, _ := json.Marshal(problem{Status: status, Title: title, Type: problemType,
		Errors: fields})
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing to do then
}

// transactionID returns a new id of an inventory transaction.
func transactionID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
