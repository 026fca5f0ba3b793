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

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// MetaKeyShipments is the order meta entry that holds the shipments
// erpsync recorded, as the JSON text of a list: WooCommerce has no
// shipment of its own.
const MetaKeyShipments = "_erpsync_shipments"

// statusCompleted is WooCommerce's status of an order that has shipped.
const statusCompleted = "completed"

// shipment is one shipment of the MetaKeyShipments entry.
type shipment struct {
	ID             string         `json:"id"`
	Carrier        string         `json:"carrier,omitempty"`
	TrackingNumber string         `json:"tracking_number,omitempty"`
	TrackingURL    string         `json:"tracking_url,omitempty"`
	Lines          []shipmentLine `json:"lines"`
}

// shipmentLine is a quantity of one SKU of a shipment.
type shipmentLine struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// Ship records sh as a shipment of order orderID. It reads the order, and
// when the order's MetaKeyShipments entry holds sh.ID already (a retry,
// perhaps after a lost answer), only makes sure the shipment's note is
// there. Otherwise it checks sh's lines against the order's line items and
// the units shipped before, writes the shipments with sh added and, when
// every unit has shipped, the status completed, in one PUT /orders/{id},
// and adds a private note with the carrier and tracking.
func (s *Store) Ship(ctx context.Context, orderID string, sh store.Shipment) error {
	path, err := orderPath(orderID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(sh.ID) == "" {
		return syncerr.Invalid("id", "the shipment has no id")
	}

	o, recorded, err := s.readShipments(ctx, path)
	if err != nil {
		return fmt.Errorf("ship woocommerce order %s: %w", orderID, err)
	}
	if slices.ContainsFunc(recorded, func(r shipment) bool { return r.ID == sh.ID }) {
		if err := s.noteShipment(ctx, path, sh); err != nil {
			return fmt.Errorf("ship woocommerce order %s: %w", orderID, err)
		}
		return nil
	}

	if err := s.writeShipment(ctx, path, o, recorded, sh); err != nil {
		return fmt.Errorf("ship woocommerce order %s: %w", orderID, err)
	}
	return nil
}

// readShipments reads the order at path and the shipments it holds.
func (s *Store) readShipments(ctx context.Context, path string) (order, []shipment, error) {
	var o order
	c := call{method: http.MethodGet, path: path,
		query: url.Values{"_fields": {"id,status,line_items,meta_data"}}}
	if _, err := s.do(ctx, c, &o); err != nil {
		return order{}, nil, fmt.Errorf("read the order: %w", err)
	}

	text := metaValue(o.MetaData, MetaKeyShipments)
	if text == "" {
		return o, nil, nil
	}
	var recorded []shipment
	if err := json.Unmarshal([]byte(text), &recorded); err != nil {
		return order{}, nil, syncerr.Invalid("meta_data", "%s is not a list of shipments: %v",
			MetaKeyShipments, err)
	}
	return o, recorded, nil
}

// writeShipment checks sh against order o and its recorded shipments, then
// writes it with them, and notes it.
func (s *Store) writeShipment(ctx context.Context, path string, o order, recorded []shipment,
	sh store.Shipment) error {
	if o.Status == statusCancelled {
		return syncerr.Invalid("order_id", "order %d is cancelled", o.ID)
	}
	left, err := unitsLeft(o.LineItems, recorded)
	if err != nil {
		return err
	}
	if err := takeUnits(left, sh.Lines); err != nil {
		return err
	}

	recorded = append(recorded, newShipment(sh))
	value, err := json.Marshal(recorded)
	if err != nil {
		return fmt.Errorf("encode the shipments: %w", err)
	}
	body := map[string]any{"meta_data": []map[string]string{
		{"key": MetaKeyShipments, "value": string(value)}}}
	if allShipped(left) {
		body["status"] = statusCompleted
	}
	if _, err := s.do(ctx, call{method: http.MethodPut, path: path, body: body}, nil); err != nil {
		return fmt.Errorf("write shipment %s: %w", sh.ID, err)
	}
	return s.addNote(ctx, path, shipmentNote(sh))
}

// newShipment returns sh as the order's meta keeps it.
func newShipment(sh store.Shipment) shipment {
	out := shipment{ID: sh.ID, Carrier: sh.Carrier, TrackingNumber: sh.TrackingNumber,
		TrackingURL: sh.TrackingURL}
	for _, l := range sh.Lines {
		out.Lines = append(out.Lines, shipmentLine(l))
	}
	return out
}

// unitsLeft returns the units of each SKU of the order's line items that
// the recorded shipments have not shipped.
//
// TODO: units refunded before they shipped still count as left to ship,
// and an order whose refunded units never ship is not set completed:
// matching refunds to shipments needs the refund's line items, which Ship
// does not read.
func unitsLeft(items []line, recorded []shipment) (map[string]int64, error) {
	left := map[string]int64{}
	for i, l := range items {
		qty, err := strconv.ParseInt(l.Quantity.String(), 10, 64)
		if err != nil {
			return nil, syncerr.Invalid(fmt.Sprintf("line_items[%d].quantity", i),
				"%q is not a whole number", l.Quantity)
		}
		left[l.SKU] += qty
	}
	for _, r := range recorded {
		for _, l := range r.Lines {
			left[l.SKU] -= l.Quantity
		}
	}
	return left, nil
}

// takeUnits takes the units of lines from left, refusing a line of a SKU
// the order does not hold, of no units, or of more units than are left.
func takeUnits(left map[string]int64, lines []store.ShipmentLine) error {
	if len(lines) == 0 {
		return syncerr.Invalid("lines", "the shipment has no lines")
	}
	for i, l := range lines {
		field := fmt.Sprintf("lines[%d]", i)
		units, ok := left[l.SKU]
		switch {
		case !ok || l.SKU == "":
			return syncerr.Invalid(field, "sku %q is not a line of the order", l.SKU)
		case l.Quantity <= 0:
			return syncerr.Invalid(field, "sku %q: quantity %d is not positive", l.SKU,
				l.Quantity)
		case l.Quantity > units:
			return syncerr.Invalid(field, "sku %q: %d units, %d left to ship", l.SKU,
				l.Quantity, max(units, 0))
		}
		left[l.SKU] = units - l.Quantity
	}
	return nil
}

// allShipped reports whether no unit is left to ship.
func allShipped(left map[string]int64) bool {
	for _, units := range left {
		if units > 0 {
			return false
		}
	}
	return true
}

// noteShipment adds the note of shipment sh to the order at path, unless
// it has one.
func (s *Store) noteShipment(ctx context.Context, path string, sh store.Shipment) error {
	notes, err := s.notes(ctx, path)
	if err != nil || hasNote(notes, shipmentNotePrefix(sh.ID)) {
		return err
	}
	return s.addNote(ctx, path, shipmentNote(sh))
}

// shipmentNotePrefix starts the note of shipment id.
func shipmentNotePrefix(id string) string {
	return "Shipment " + id + " (erpsync):"
}

// shipmentNote returns the note of sh: its lines, carrier and tracking.
func shipmentNote(sh store.Shipment) string {
	parts := make([]string, 0, len(sh.Lines))
	for _, l := range sh.Lines {
		parts = append(parts, fmt.Sprintf("%d × %s", l.Quantity, l.SKU))
	}
	text := shipmentNotePrefix(sh.ID) + " " + strings.Join(parts, ", ") + " shipped"
	if sh.Carrier != "" {
		text += " with " + sh.Carrier
	}
	if sh.TrackingNumber != "" {
		text += ", tracking number " + sh.TrackingNumber
	}
	if sh.TrackingURL != "" {
		text += ", " + sh.TrackingURL
	}
	return text + "."
}
