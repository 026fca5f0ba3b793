package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// The order metafield that lists the ids of the shipments recorded on an
// order, as a JSON array.
const (
	shipmentsNamespace = "erpsync"
	shipmentsKey       = "shipments"
)

// maxStaffNote is the longest staff note Shopify keeps on a cancellation.
const maxStaffNote = 255

const shipStateQuery = `query ShipState($id: ID!) {
  order(id: $id) {
    cancelledAt
    shipments: metafield(namespace: "erpsync", key: "shipments") { value compareDigest }
    fulfillments(first: 50) { trackingInfo(first: 5) { number } }
    fulfillmentOrders(first: 5) {
      nodes {
        id status
        lineItems(first: 50) {
          nodes { id remainingQuantity lineItem { sku } }
          pageInfo { hasNextPage }
        }
      }
      pageInfo { hasNextPage }
    }
  }
}`

const fulfillmentCreateMutation = `mutation Ship($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id }
    userErrors { field message }
  }
}`

const recordShipmentsMutation = `mutation RecordShipments($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { userErrors { field message code } }
}`

// shipState is what Ship reads of an order before it writes.
type shipState struct {
	CancelledAt *time.Time `json:"cancelledAt"`
	Shipments   *struct {
		Value         string `json:"value"`
		CompareDigest string `json:"compareDigest"`
	} `json:"shipments"`
	Fulfillments []struct {
		TrackingInfo []struct {
			Number string `json:"number"`
		} `json:"trackingInfo"`
	} `json:"fulfillments"`
	FulfillmentOrders struct {
		Nodes    []fulfillmentOrder `json:"nodes"`
		PageInfo pageInfo           `json:"pageInfo"`
	} `json:"fulfillmentOrders"`
}

type fulfillmentOrder struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	LineItems struct {
		Nodes []struct {
			ID                string `json:"id"`
			RemainingQuantity int64  `json:"remainingQuantity"`
			LineItem          struct {
				SKU string `json:"sku"`
			} `json:"lineItem"`
		} `json:"nodes"`
		PageInfo pageInfo `json:"pageInfo"`
	} `json:"lineItems"`
}

// Ship records s on order orderID with fulfillmentCreate: the units of
// each SKU are taken from the lines of the order's open fulfillment orders
// that have units left, with s's carrier and tracking, without notifying
// the customer. Shopify keeps no id of the app's on a fulfillment, so
// s.ID goes into the order's metafield erpsync.shipments once the
// fulfillment is made, and Ship looks there first: a shipment recorded
// already changes nothing. An answer lost after Shopify made the
// fulfillment is caught by the tracking number, which Ship compares with
// those of the order's fulfillments before it writes.
//
// TODO: a shipment without a tracking number whose fulfillmentCreate
// answer was lost is shipped again on retry, if units are left, since
// nothing on the fulfillment tells it apart; an order metafield written
// before the fulfillment, naming the units it ships, would.
func (s *Store) Ship(ctx context.Context, orderID string, sh store.Shipment) error {
	id, err := parseOrderID(orderID)
	if err != nil {
		return err
	}
	if err := checkShipment(sh); err != nil {
		return fmt.Errorf("ship %q of order %s: %w", sh.ID, orderID, err)
	}
	state, err := s.shipState(ctx, id)
	if err != nil {
		return fmt.Errorf("ship %q of order %s: %w", sh.ID, orderID, err)
	}

	shipped := shipmentIDs(state)
	if slices.Contains(shipped, sh.ID) {
		return nil
	}
	if !tracked(state, sh.TrackingNumber) {
		if err := s.fulfill(ctx, state, sh); err != nil {
			return fmt.Errorf("ship %q of order %s: %w", sh.ID, orderID, err)
		}
	}
	if err := s.recordShipment(ctx, id, sh.ID, state); err != nil {
		return fmt.Errorf("ship %q of order %s: fulfilled, but: %w", sh.ID, orderID, err)
	}
	s.log.Info("shipment recorded", zap.String(fieldOrderID, orderID),
		zap.Int(fieldCount, len(sh.Lines)))
	return nil
}

// checkShipment refuses a shipment without an id or lines, or with a line
// without a SKU or units.
func checkShipment(sh store.Shipment) error {
	switch {
	case strings.TrimSpace(sh.ID) == "":
		return syncerr.Invalid("shipment.id", "is empty")
	case len(sh.Lines) == 0:
		return syncerr.Invalid("shipment.lines", "shipment has no lines")
	}
	for i, l := range sh.Lines {
		if strings.TrimSpace(l.SKU) == "" || l.Quantity <= 0 {
			return syncerr.Invalid(fmt.Sprintf("shipment.lines[%d]", i),
				"sku %q, quantity %d: needs a sku and a positive quantity", l.SKU, l.Quantity)
		}
	}
	return nil
}

// shipState reads the order's shipments, fulfillments and fulfillment
// orders.
func (s *Store) shipState(ctx context.Context, id string) (*shipState, error) {
	var data struct {
		Order *shipState `json:"order"`
	}
	if err := s.query(ctx, "ship state", shipStateQuery, map[string]any{"id": id},
		&data); err != nil {
		return nil, err
	}
	if data.Order == nil {
		return nil, syncerr.ErrNotFound
	}
	return data.Order, nil
}

// shipmentIDs returns the ids the order's metafield lists. A value that is
// not a list of strings lists none.
func shipmentIDs(state *shipState) []string {
	var ids []string
	if state.Shipments != nil {
		_ = json.Unmarshal([]byte(state.Shipments.Value), &ids)
	}
	return ids
}

// tracked reports whether a fulfillment of the order carries number.
func tracked(state *shipState, number string) bool {
	if number == "" {
		return false
	}
	for _, f := range state.Fulfillments {
		for _, t := range f.TrackingInfo {
			if t.Number == number {
				return true
			}
		}
	}
	return false
}

// fulfill creates the fulfillment of sh. fulfillmentCreate ships the units
// again when it is sent again, so it is not resent after a lost answer;
// the caller's retry looks first.
func (s *Store) fulfill(ctx context.Context, state *shipState, sh store.Shipment) error {
	if state.CancelledAt != nil {
		return syncerr.Invalid("order", "the order is cancelled")
	}
	groups, err := allocate(state, sh.Lines)
	if err != nil {
		return err
	}

	input := map[string]any{"lineItemsByFulfillmentOrder": groups, "notifyCustomer": false}
	tracking := map[string]any{}
	for key, v := range map[string]string{"company": sh.Carrier, "number": sh.TrackingNumber,
		"url": sh.TrackingURL} {
		if v != "" {
			tracking[key] = v
		}
	}
	if len(tracking) > 0 {
		input["trackingInfo"] = tracking
	}
	var data struct {
		FulfillmentCreate struct {
			UserErrors []userError `json:"userErrors"`
		} `json:"fulfillmentCreate"`
	}
	if err := s.mutate(ctx, "create fulfillment", fulfillmentCreateMutation,
		map[string]any{"fulfillment": input}, &data); err != nil {
		return err
	}
	if errs := data.FulfillmentCreate.UserErrors; len(errs) > 0 {
		return &syncerr.InvalidError{Field: "shipment.lines",
			Reason: "shopify refused the fulfillment: " + errs[0].Message}
	}
	return nil
}

// allocate takes the units of each SKU from the fulfillment order line
// items that have units of it left, in order, and groups them by
// fulfillment order. A SKU the order does not hold, or more units than are
// left to ship, give an [*syncerr.InvalidError] naming the SKU.
//
// TODO: fulfillment orders after the first five of an order, and line
// items after the first fifty of one, are not read: such an order is
// refused rather than shipped from a part of it.
func allocate(state *shipState, lines []store.ShipmentLine) ([]any, error) {
	fos := state.FulfillmentOrders
	if fos.PageInfo.HasNextPage {
		return nil, syncerr.Invalid("order", "has more fulfillment orders than Ship reads")
	}
	want, skus := map[string]int64{}, []string{}
	for _, l := range lines {
		if _, ok := want[l.SKU]; !ok {
			skus = append(skus, l.SKU)
		}
		want[l.SKU] += l.Quantity
	}

	byFO := map[string][]any{}
	var order []string
	held, left := map[string]bool{}, map[string]int64{}
	for _, fo := range fos.Nodes {
		if fo.LineItems.PageInfo.HasNextPage {
			return nil, syncerr.Invalid("order", "has more lines than Ship reads")
		}
		open := fo.Status == "OPEN" || fo.Status == "IN_PROGRESS"
		for _, li := range fo.LineItems.Nodes {
			sku := li.LineItem.SKU
			held[sku] = true
			take := min(want[sku], li.RemainingQuantity)
			if !open || take <= 0 {
				continue
			}
			if _, ok := byFO[fo.ID]; !ok {
				order = append(order, fo.ID)
			}
			byFO[fo.ID] = append(byFO[fo.ID], map[string]any{"id": li.ID, "quantity": take})
			want[sku] -= take
			left[sku] += take
		}
	}

	for _, sku := range skus {
		switch {
		case !held[sku]:
			return nil, syncerr.Invalid("shipment.lines", "sku %q is not on the order", sku)
		case want[sku] > 0:
			return nil, syncerr.Invalid("shipment.lines", "sku %q: %d units asked, %d left "+
				"to ship", sku, want[sku]+left[sku], left[sku])
		}
	}
	groups := make([]any, len(order))
	for i, fo := range order {
		groups[i] = map[string]any{"fulfillmentOrderId": fo, "fulfillmentOrderLineItems": byFO[fo]}
	}
	return groups, nil
}

// maxRecordAttempts bounds the writes of the shipments metafield that
// lose to a concurrent write.
const maxRecordAttempts = 3

// recordShipment adds shipment to the ids in the order's metafield,
// comparing the metafield's digest with the one read in state so that a
// concurrent write of another shipment's id is not lost: a stale write is
// read again and repeated.
func (s *Store) recordShipment(ctx context.Context, id, shipment string,
	state *shipState) error {
	for attempt := 1; ; attempt++ {
		ids := shipmentIDs(state)
		if slices.Contains(ids, shipment) {
			return nil
		}
		code, err := s.writeShipments(ctx, id, append(ids, shipment), state)
		if err != nil || code == "" {
			return err
		}
		if attempt == maxRecordAttempts {
			return fmt.Errorf("shipments metafield changed %d times while it was written: %w",
				attempt, syncerr.ErrUnavailable)
		}
		if state, err = s.shipState(ctx, id); err != nil {
			return err
		}
	}
}

// writeShipments writes ids to the order's metafield if it still has the
// digest read in state, and returns the code of a stale write.
func (s *Store) writeShipments(ctx context.Context, id string, ids []string,
	state *shipState) (string, error) {
	value, err := json.Marshal(ids)
	if err != nil {
		return "", fmt.Errorf("encode shipment ids: %w", err)
	}
	var digest any // null: the metafield must not exist yet
	if state.Shipments != nil {
		digest = state.Shipments.CompareDigest
	}
	var data struct {
		MetafieldsSet struct {
			UserErrors []userError `json:"userErrors"`
		} `json:"metafieldsSet"`
	}
	vars := map[string]any{"metafields": []map[string]any{{"ownerId": id,
		"namespace": shipmentsNamespace, "key": shipmentsKey, "type": "json",
		"value": string(value), "compareDigest": digest}}}
	if err := s.query(ctx, "record shipment", recordShipmentsMutation, vars,
		&data); err != nil {
		return "", err
	}
	errs := data.MetafieldsSet.UserErrors
	switch {
	case len(errs) == 0:
		return "", nil
	case errs[0].Code == codeStale || errs[0].Code == codeInvalidDigest:
		return errs[0].Code, nil
	}
	return "", &syncerr.InvalidError{Field: "shipment.id",
		Reason: "shopify refused the shipments metafield: " + errs[0].Message}
}

const cancelStateQuery = `query CancelState($id: ID!) { order(id: $id) { cancelledAt } }`

const orderCancelMutation = `mutation Cancel($id: ID!, $note: String) {
  orderCancel(orderId: $id, reason: OTHER, refund: false, restock: false,
      notifyCustomer: false, staffNote: $note) {
    job { id done }
    orderCancelUserErrors { code field message }
  }
}`

// CancelOrder cancels order orderID with orderCancel, for reason OTHER
// with reason as the staff note, without refunding, restocking or telling
// the customer. An order cancelled already is left alone. Shopify cancels
// in a job, which may finish after CancelOrder returns.
func (s *Store) CancelOrder(ctx context.Context, orderID, reason string) error {
	id, err := parseOrderID(orderID)
	if err != nil {
		return err
	}
	cancelled, err := s.cancelled(ctx, id)
	if err != nil || cancelled {
		return wrapCancel(orderID, err)
	}

	var data struct {
		OrderCancel struct {
			UserErrors []userError `json:"orderCancelUserErrors"`
		} `json:"orderCancel"`
	}
	vars := map[string]any{"id": id, "note": nullable(staffNote(reason))}
	if err := s.query(ctx, "cancel order", orderCancelMutation, vars, &data); err != nil {
		return wrapCancel(orderID, err)
	}
	if errs := data.OrderCancel.UserErrors; len(errs) > 0 {
		return wrapCancel(orderID, s.cancelRefused(ctx, id, errs[0]))
	}
	s.log.Info("order cancelled", zap.String(fieldOrderID, orderID))
	return nil
}

// cancelled reads whether the order is cancelled.
func (s *Store) cancelled(ctx context.Context, id string) (bool, error) {
	var data struct {
		Order *struct {
			CancelledAt *time.Time `json:"cancelledAt"`
		} `json:"order"`
	}
	if err := s.query(ctx, "cancel state", cancelStateQuery, map[string]any{"id": id},
		&data); err != nil {
		return false, err
	}
	if data.Order == nil {
		return false, syncerr.ErrNotFound
	}
	return data.Order.CancelledAt != nil, nil
}

// cancelRefused explains a refused cancellation: an order cancelled in the
// meantime is no error.
func (s *Store) cancelRefused(ctx context.Context, id string, ue userError) error {
	if ue.Code == "NOT_FOUND" {
		return fmt.Errorf("%s: %w", ue.Message, syncerr.ErrNotFound)
	}
	if cancelled, err := s.cancelled(ctx, id); err == nil && cancelled {
		return nil
	}
	return &syncerr.InvalidError{Field: "order", Reason: "shopify refused the cancellation: " +
		ue.Message}
}

func wrapCancel(orderID string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("cancel order %s: %w", orderID, err)
}

// staffNote is reason cut to what Shopify keeps, on a rune boundary.
func staffNote(reason string) string {
	reason = strings.TrimSpace(reason)
	for len(reason) > maxStaffNote {
		_, size := utf8.DecodeLastRuneInString(reason)
		reason = reason[:len(reason)-size]
	}
	return reason
}
