package netsuitesandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// Order statuses the sandbox computes besides those of orderStatus.
const (
	statusPendingApproval = "A"
	statusCancelled       = "C"
	statusClosed          = "H"
)

// statusOf returns the orderStatus of o: a cancelled order whose lines
// were closed is Closed (H), one cancelled while pending approval is
// Cancelled (C).
func (s *sandbox) statusOf(o erpsandbox.SalesOrder) string {
	if o.State == erpsandbox.OrderCancelled && s.isClosed(o.ID) {
		return statusClosed
	}
	return orderStatus[o.State]
}

func (s *sandbox) isClosed(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed[id]
}

// orderPatch is a PATCH of a sales order: its memo, orderStatus C to
// cancel an order pending approval, and item lines, named by their line
// key, with isClosed to close them.
type orderPatch struct {
	Memo        *string `json:"memo"`
	OrderStatus *ref    `json:"orderStatus"`
	Item        *struct {
		Items []struct {
			Line     *int64 `json:"line"`
			IsClosed *bool  `json:"isClosed"`
		} `json:"items"`
	} `json:"item"`
}

// patchableOrderFields are the body fields the sandbox's sales order PATCH
// knows.
var patchableOrderFields = map[string]bool{"memo": true, "orderStatus": true, "item": true}

// patchSalesOrder applies PATCH .../salesOrder/<key>. Closing every line
// closes the order; an order that has an item fulfillment is refused with
// 400. Closing a closed order's lines again changes nothing.
//
// TODO: the model has no state per line, so closing only some lines, and
// reopening closed lines, are refused rather than applied.
//
// TODO: the error code NetSuite gives when it refuses to close a fulfilled
// order is not documented; USER_ERROR is assumed, and the adapter tells
// that refusal by looking for the fulfillment instead of by the code.
func (s *sandbox) patchSalesOrder(r *http.Request, key string) error {
	id, ok := s.salesOrderKey(key)
	o, found := s.model.SalesOrder(id)
	if !ok || !found {
		return fmt.Errorf("sales order %s: %w", key, erpsandbox.ErrNotFound)
	}
	var patch orderPatch
	if err := decodePatch(r, &patch); err != nil {
		return err
	}

	memo := o.CancelReason
	if patch.Memo != nil {
		memo = *patch.Memo
	}
	switch {
	case patch.OrderStatus != nil:
		return s.cancelPending(o, patch.OrderStatus.ID, memo)
	case patch.Item != nil:
		return s.closeLines(o, patch, memo)
	case patch.Memo != nil:
		_, err := s.model.UpdateSalesOrder(o.ID, func(o *erpsandbox.SalesOrder) error {
			o.CancelReason = memo
			return nil
		})
		return err
	}
	return nil
}

// decodePatch reads a PATCH body, refusing fields the sandbox does not
// apply rather than ignoring them.
func decodePatch(r *http.Request, patch *orderPatch) error {
	var fields map[string]json.RawMessage
	if err := decodeBody(r, &fields); err != nil {
		return err
	}
	for name := range fields {
		if !patchableOrderFields[name] {
			return invalidField("INVALID_CONTENT", name,
				"The sandbox does not update the sales order field %s.", name)
		}
	}
	raw, _ := json.Marshal(fields) // re-encoding what was just decoded cannot fail
	if err := json.Unmarshal(raw, patch); err != nil {
		return invalidField("INVALID_CONTENT", "",
			"The request could not be understood by the server due to malformed syntax: %v",
			err)
	}
	return nil
}

// cancelPending sets orderStatus to status, which must be C: an order
// pending approval is cancelled; a cancelled one stays so; any other
// cannot be cancelled and is closed instead.
func (s *sandbox) cancelPending(o erpsandbox.SalesOrder, status, memo string) error {
	current := s.statusOf(o)
	switch {
	case status == current:
		return nil
	case status != statusCancelled || current != statusPendingApproval:
		return invalidField("INVALID_FLD_VALUE", "orderStatus",
			"You have entered an Invalid Field Value %s for the following field: orderStatus",
			status)
	}
	_, err := s.model.CancelSalesOrder(o.ID, memo)
	return err
}

// closeLines closes the lines the patch names. Every line must be named
// and closed.
func (s *sandbox) closeLines(o erpsandbox.SalesOrder, patch orderPatch, memo string) error {
	closing := map[int64]bool{}
	for i, l := range patch.Item.Items {
		path := fmt.Sprintf("item.items[%d]", i)
		switch {
		case l.Line == nil || *l.Line < 1 || *l.Line > int64(len(o.Lines)):
			return invalidField("INVALID_FLD_VALUE", path+".line",
				"The sales order has no line with that line key.")
		case l.IsClosed == nil || !*l.IsClosed:
			return invalidField("INVALID_FLD_VALUE", path+".isClosed",
				"The sandbox only closes lines: isClosed must be true.")
		}
		closing[*l.Line] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed[o.ID] {
		return nil
	}
	if len(closing) != len(o.Lines) {
		return invalidField("INVALID_FLD_VALUE", "item.items",
			"The sandbox closes every line of a sales order at once or none.")
	}
	_, err := s.model.CancelSalesOrder(o.ID, memo)
	if errors.Is(err, erpsandbox.ErrShipped) {
		return invalidField("USER_ERROR", "item",
			"You cannot close this order. It has been fulfilled in part or in full.")
	}
	if err == nil {
		s.closed[o.ID] = true
	}
	return err
}

// serveOrderPatch answers a PATCH of a sales order.
func (s *sandbox) serveOrderPatch(w http.ResponseWriter, r *http.Request) {
	if err := s.patchSalesOrder(r, r.PathValue("key")); err != nil {
		writeFailure(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
