package sapsandbox

import (
	"errors"
	"strconv"
	"sync"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// rejections holds the reasons for rejection of the items of sales orders
// that are not rejected in full: the model knows only whole orders, which
// the sandbox cancels when their last item is rejected.
type rejections struct {
	mu      sync.Mutex
	reasons map[int64]map[string]string // by order, then item number
}

func newRejections() *rejections {
	return &rejections{reasons: map[int64]map[string]string{}}
}

// reason returns the reason for rejection of an item, or "".
func (r *rejections) reason(order int64, item string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reasons[order][item]
}

// set records reason for an item, or clears it when reason is empty, and
// returns how many items of the order are rejected then.
func (r *rejections) set(order int64, item, reason string) int {
	r.mu.Lock()
	defer r.mu.Unlock()

	if r.reasons[order] == nil {
		r.reasons[order] = map[string]string{}
	}
	if reason == "" {
		delete(r.reasons[order], item)
	} else {
		r.reasons[order][item] = reason
	}
	return len(r.reasons[order])
}

// shippedQuantities sums the shipped quantity of each product of each
// sales order.
func (s *Server) shippedQuantities() map[int64]map[int64]int64 {
	out := map[int64]map[int64]int64{}
	for _, sh := range s.model.Shipments() {
		if out[sh.OrderID] == nil {
			out[sh.OrderID] = map[int64]int64{}
		}
		for _, l := range sh.Lines {
			out[sh.OrderID][l.ProductID] += l.Quantity
		}
	}
	return out
}

// rejectItem sets the reason for rejection of a sales order item, the one
// property of an item the sandbox lets a PATCH change. An item with a
// delivery cannot be rejected. When every item of the order is rejected,
// the order is cancelled in the model; an order rejected in full stays so.
func (s *Server) rejectItem(e entity, body map[string]any) error {
	for name := range body {
		if name != "SalesDocumentRjcnReason" && name != "__metadata" {
			return badRequest("Property '%s' of A_SalesOrderItem cannot be changed here", name)
		}
	}
	reason, ok := body["SalesDocumentRjcnReason"]
	if !ok {
		return nil
	}
	id, _ := strconv.ParseInt(str(e.props["SalesOrder"]), 10, 64)
	item := str(e.props["SalesOrderItem"])
	o, found := s.model.SalesOrder(id)
	if !found {
		return notFound("Sales order %d not found", id)
	}

	switch {
	case o.State == erpsandbox.OrderCancelled && str(reason) == "":
		return badRequest("Sales order %d is rejected in full; its items stay rejected", id)
	case o.State == erpsandbox.OrderCancelled:
		return nil
	case str(e.props["DeliveryStatus"]) != "A":
		return deliveredError(id, item)
	}

	if n := s.rejected.set(id, item, str(reason)); n < len(o.Lines) {
		return nil
	}
	_, err := s.model.CancelSalesOrder(id, str(reason))
	if errors.Is(err, erpsandbox.ErrShipped) {
		s.rejected.set(id, item, "")
		return deliveredError(id, item)
	}
	return modelError(err)
}

// deliveredError refuses the rejection of an item that has a delivery.
func deliveredError(order int64, item string) error {
	e := badRequest("Item %s of sales document %d has a subsequent delivery; "+
		"it cannot be rejected", item, order)
	e.target = "SalesDocumentRjcnReason"
	return e
}
