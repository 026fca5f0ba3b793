package shopifysandbox

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// Global id types of an order's life after checkout.
const (
	typeRefund                   = "Refund"
	typeRefundLineItem           = "RefundLineItem"
	typeFulfillment              = "Fulfillment"
	typeFulfillmentLineItem      = "FulfillmentLineItem"
	typeFulfillmentOrder         = "FulfillmentOrder"
	typeFulfillmentOrderLineItem = "FulfillmentOrderLineItem"
	typeJob                      = "Job"
)

// Offsets that keep the ids of an order's fulfillment order and its line
// items apart from the order's and its lines', which are the model's. The
// sandbox gives every order one fulfillment order, as a shop with one
// fulfillment location does.
const (
	fulfillmentOrderIDBase = 5_000_000_000
	foLineIDBase           = 6_000_000_000
)

// cancelReasons are Shopify's reasons for cancelling an order.
var cancelReasons = map[string]bool{
	"CUSTOMER": true, "DECLINED": true, "FRAUD": true, "INVENTORY": true, "OTHER": true,
	"STAFF": true,
}

// cancelledAt is when the order was cancelled, as the sandbox saw it, or
// null for an open order.
func (s *Sandbox) cancelledAt(o storesandbox.Order) any {
	if o.Status != storesandbox.StatusCancelled {
		return nil
	}
	return apiTime(s.cancelTime(o))
}

// cancelTime is when the sandbox saw the cancelled order o cancelled, or
// its last change when it was cancelled before the sandbox watched.
func (s *Sandbox) cancelTime(o storesandbox.Order) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at, ok := s.cancelled[o.ID]; ok {
		return at
	}
	return o.Modified
}

// noteCancel keeps the time of an order's cancellation.
func (s *Sandbox) noteCancel(ev storesandbox.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cancelled[ev.OrderID]; !ok {
		s.cancelled[ev.OrderID] = ev.At
	}
}

// cancelReason is the order's reason as Shopify's enum: the model's reason
// when it names one, OTHER for any other text, null for an open order.
func cancelReason(o storesandbox.Order) any {
	if o.Status != storesandbox.StatusCancelled {
		return nil
	}
	if r := strings.ToUpper(o.CancelReason); cancelReasons[r] {
		return r
	}
	return "OTHER"
}

// displayFulfillmentStatus sums up what is shipped of the order.
func displayFulfillmentStatus(o storesandbox.Order) string {
	var left, total int64
	remaining := storesandbox.Unfulfilled(o)
	for _, l := range o.Lines {
		left, total = left+remaining[l.ID], total+l.Quantity
	}
	switch {
	case left == 0:
		return "FULFILLED"
	case left < total:
		return "PARTIALLY_FULFILLED"
	}
	return "UNFULFILLED"
}

// lineOf returns the order's line with id.
func lineOf(o storesandbox.Order, id int64) storesandbox.Line {
	for _, l := range o.Lines {
		if l.ID == id {
			return l
		}
	}
	return storesandbox.Line{ID: id}
}

// refunded is what the order's refunds paid back.
func refunded(o storesandbox.Order) int64 {
	var sum int64
	for _, r := range o.Refunds {
		sum += r.AmountMinor
	}
	return sum
}

// resolveRefund answers refund(id:): null for a refund the shop lacks.
func (s *Sandbox) resolveRefund(c call) (any, error) {
	id, _ := toString(c.args["id"])
	n, ok := parseGID(id, typeRefund)
	if !ok {
		return nil, errorCode("BAD_REQUEST", "Invalid global id '%s'", id)
	}
	for _, o := range s.model.ChangedOrders(time.Time{}, time.Time{}, 0, 0) {
		for i, r := range o.Refunds {
			if r.ID == n {
				return refundObjs(o)[i], nil
			}
		}
	}
	return nil, nil
}

// refundObjs are the order's refunds as Refund objects, oldest first.
func refundObjs(o storesandbox.Order) []obj {
	out := make([]obj, len(o.Refunds))
	for i, r := range o.Refunds {
		lines := make([]obj, len(r.Lines))
		for j, rl := range r.Lines {
			line := lineOf(o, rl.LineID)
			lines[j] = obj{typename: "RefundLineItem", fields: map[string]any{
				"id":          gid(typeRefundLineItem, r.ID*1000+int64(j)+1),
				"quantity":    rl.Quantity,
				"restocked":   false,
				"priceSet":    moneyBag(line.UnitPriceMinor, o.Currency),
				"subtotalSet": moneyBag(rl.AmountMinor, o.Currency),
				"lineItem":    lineItemObj(line, o.Currency),
			}}
		}
		out[i] = obj{typename: typeRefund, fields: map[string]any{
			"id": gid(typeRefund, r.ID), "legacyResourceId": strconv.FormatInt(r.ID, 10),
			"createdAt": apiTime(r.Created), "note": nullable(r.Reason),
			"totalRefundedSet": moneyBag(r.AmountMinor, o.Currency),
			"refundLineItems":  pageOf("RefundLineItem", lines),
		}}
	}
	return out
}

// fulfillmentObjs are the order's fulfillments as Fulfillment objects.
func fulfillmentObjs(o storesandbox.Order) []obj {
	out := make([]obj, len(o.Fulfillments))
	for i, f := range o.Fulfillments {
		out[i] = fulfillmentObj(o, f, i+1)
	}
	return out
}

// fulfillmentObj is the n-th fulfillment f of order o.
func fulfillmentObj(o storesandbox.Order, f storesandbox.Fulfillment, n int) obj {
	var total int64
	lines := make([]obj, len(f.Lines))
	for i, l := range f.Lines {
		total += l.Quantity
		lines[i] = obj{typename: typeFulfillmentLineItem, fields: map[string]any{
			"id":       gid(typeFulfillmentLineItem, f.ID*1000+int64(i)+1),
			"quantity": l.Quantity,
			"lineItem": lineItemObj(lineOf(o, l.LineID), o.Currency),
		}}
	}
	var tracking []obj
	if f.Carrier != "" || f.TrackingNumber != "" || f.TrackingURL != "" {
		tracking = []obj{{typename: "FulfillmentTrackingInfo", fields: map[string]any{
			"company": nullable(f.Carrier), "number": nullable(f.TrackingNumber),
			"url": nullable(f.TrackingURL)}}}
	}
	return obj{typename: typeFulfillment, fields: map[string]any{
		"id": gid(typeFulfillment, f.ID), "legacyResourceId": strconv.FormatInt(f.ID, 10),
		"name":   "#" + strconv.FormatInt(o.Number, 10) + "-F" + strconv.Itoa(n),
		"status": "SUCCESS", "createdAt": apiTime(f.Created), "updatedAt": apiTime(f.Created),
		"totalQuantity":        total,
		"trackingInfo":         listOf(tracking),
		"fulfillmentLineItems": pageOf(typeFulfillmentLineItem, lines),
	}}
}

// fulfillmentOrders is the order's one fulfillment order, with what is
// left to ship of each line.
func fulfillmentOrders(o storesandbox.Order) []obj {
	left := storesandbox.Unfulfilled(o)
	lines := make([]obj, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = obj{typename: typeFulfillmentOrderLineItem, fields: map[string]any{
			"id":                gid(typeFulfillmentOrderLineItem, foLineIDBase+l.ID),
			"sku":               nullable(l.SKU),
			"totalQuantity":     l.Quantity,
			"remainingQuantity": max(left[l.ID], 0),
			"lineItem":          lineItemObj(l, o.Currency),
		}}
	}
	return []obj{{typename: typeFulfillmentOrder, fields: map[string]any{
		"id":        gid(typeFulfillmentOrder, fulfillmentOrderIDBase+o.ID),
		"orderId":   gid(typeOrder, o.ID),
		"status":    fulfillmentOrderStatus(o),
		"createdAt": apiTime(o.Created), "updatedAt": apiTime(o.Modified),
		"lineItems": pageOf(typeFulfillmentOrderLineItem, lines),
	}}}
}

func fulfillmentOrderStatus(o storesandbox.Order) string {
	if o.Status == storesandbox.StatusCancelled {
		return "CANCELLED"
	}
	switch displayFulfillmentStatus(o) {
	case "FULFILLED":
		return "CLOSED"
	case "PARTIALLY_FULFILLED":
		return "IN_PROGRESS"
	}
	return "OPEN"
}

// fulfillmentCreate answers fulfillmentCreate(fulfillment:): it ships the
// given units of the line items of one order's fulfillment orders (every
// unit left when a fulfillment order names no line items), with the
// tracking info.
func (s *Sandbox) fulfillmentCreate(c call) (any, error) {
	in, _ := c.args["fulfillment"].(map[string]any)
	o, lines, ue := s.fulfillmentLines(in)
	if ue != nil {
		return fulfillmentPayload(nil, *ue), nil
	}

	f := storesandbox.Fulfillment{Lines: lines}
	if t, ok := in["trackingInfo"].(map[string]any); ok {
		f.Carrier, _ = toString(t["company"])
		f.TrackingNumber, _ = toString(t["number"])
		f.TrackingURL, _ = toString(t["url"])
		if numbers, _ := t["numbers"].([]any); f.TrackingNumber == "" && len(numbers) > 0 {
			f.TrackingNumber, _ = toString(numbers[0])
		}
	}
	done, err := s.model.Fulfill(o.ID, f)
	if errors.Is(err, storesandbox.ErrInvalid) {
		return fulfillmentPayload(nil, userError("UserError", "",
			"Invalid fulfillment order line item quantity requested.", "fulfillment")), nil
	}
	if err != nil {
		return nil, fmt.Errorf("fulfill order %d: %w", o.ID, err)
	}
	o, _ = s.model.Order(o.ID)
	return fulfillmentPayload(ptr(fulfillmentObj(o, done, len(o.Fulfillments)))), nil
}

// fulfillmentLines reads lineItemsByFulfillmentOrder into the model's
// fulfillment lines of one order, or the user error that refuses them.
func (s *Sandbox) fulfillmentLines(in map[string]any) (storesandbox.Order,
	[]storesandbox.FulfillmentLine, *obj) {
	groups, _ := in["lineItemsByFulfillmentOrder"].([]any)
	var order storesandbox.Order
	var lines []storesandbox.FulfillmentLine
	for i, g := range groups {
		m, _ := g.(map[string]any)
		foID, _ := toString(m["fulfillmentOrderId"])
		n, ok := parseGID(foID, typeFulfillmentOrder)
		o, found := s.model.Order(n - fulfillmentOrderIDBase)
		switch {
		case !ok || !found || order.ID != 0 && o.ID != order.ID:
			return order, nil, ptr(userError("UserError", "", "Fulfillment order does not "+
				"exist.", "fulfillment", "lineItemsByFulfillmentOrder", i, "fulfillmentOrderId"))
		case o.Status == storesandbox.StatusCancelled:
			return order, nil, ptr(userError("UserError", "", "Fulfillment order is "+
				"cancelled and cannot be fulfilled.", "fulfillment",
				"lineItemsByFulfillmentOrder", i, "fulfillmentOrderId"))
		}
		order = o
		items, err := foItems(o, m["fulfillmentOrderLineItems"], i)
		if err != nil {
			return order, nil, err
		}
		lines = append(lines, items...)
	}
	if len(lines) == 0 {
		return order, nil, ptr(userError("UserError", "", "Nothing is left to fulfill.",
			"fulfillment", "lineItemsByFulfillmentOrder"))
	}
	return order, lines, nil
}

// foItems reads the fulfillment order line items of group i of order o;
// none means every unit left.
func foItems(o storesandbox.Order, v any, group int) ([]storesandbox.FulfillmentLine, *obj) {
	items, given := v.([]any)
	if !given {
		var out []storesandbox.FulfillmentLine
		left := storesandbox.Unfulfilled(o)
		for _, l := range o.Lines {
			if left[l.ID] > 0 {
				out = append(out, storesandbox.FulfillmentLine{LineID: l.ID, Quantity: left[l.ID]})
			}
		}
		return out, nil
	}
	out := make([]storesandbox.FulfillmentLine, 0, len(items))
	for j, item := range items {
		m, _ := item.(map[string]any)
		id, _ := toString(m["id"])
		n, ok := parseGID(id, typeFulfillmentOrderLineItem)
		line := lineOf(o, n-foLineIDBase)
		q, _ := toInt(m["quantity"])
		if !ok || line.SKU == "" {
			return nil, ptr(userError("UserError", "", "Fulfillment order line item does "+
				"not exist.", "fulfillment", "lineItemsByFulfillmentOrder", group,
				"fulfillmentOrderLineItems", j, "id"))
		}
		out = append(out, storesandbox.FulfillmentLine{LineID: line.ID, Quantity: q})
	}
	return out, nil
}

func fulfillmentPayload(f *obj, errs ...obj) obj {
	fields := map[string]any{"fulfillment": nil, "userErrors": errs}
	if f != nil {
		fields["fulfillment"] = *f
	}
	if errs == nil {
		fields["userErrors"] = []obj{}
	}
	return obj{typename: "FulfillmentCreatePayload", fields: fields}
}

// orderCancel answers orderCancel: it cancels an open order with the
// reason, and refunds what is left of its total when asked to, in a job
// that is done at once.
func (s *Sandbox) orderCancel(c call) (any, error) {
	id, _ := toString(c.args["orderId"])
	reason, _ := toString(c.args["reason"])
	n, _ := parseGID(id, typeOrder)
	o, ok := s.model.Order(n)
	switch {
	case !ok:
		return cancelPayload(nil, "NOT_FOUND", "Order does not exist", "orderId"), nil
	case o.Status == storesandbox.StatusCancelled:
		return cancelPayload(nil, "INVALID", "Cannot cancel an order that has already been "+
			"cancelled", "orderId"), nil
	}

	if _, err := s.model.CancelOrder(n, strings.ToLower(reason)); err != nil {
		return nil, fmt.Errorf("cancel order %d: %w", n, err)
	}
	if refundAsked(c.args) {
		if err := s.refundRest(o); err != nil {
			return nil, err
		}
	}
	job := obj{typename: typeJob, fields: map[string]any{
		"id": gid(typeJob, s.newJob()), "done": true}}
	return cancelPayload(&job, "", "", ""), nil
}

// refundAsked reports whether an orderCancel asks for the payment back,
// with refund or, from API 2025-07, refundMethod.
func refundAsked(args map[string]any) bool {
	if refund, _ := args["refund"].(bool); refund {
		return true
	}
	m, _ := args["refundMethod"].(map[string]any)
	refund, _ := m["originalPaymentMethodsRefund"].(bool)
	return refund
}

// refundRest refunds what is left of the order's total.
func (s *Sandbox) refundRest(o storesandbox.Order) error {
	rest := o.TotalMinor - refunded(o)
	if rest <= 0 {
		return nil
	}
	_, err := s.model.RefundOrder(o.ID, storesandbox.Refund{AmountMinor: rest,
		Reason: "Order cancelled"})
	if err != nil {
		return fmt.Errorf("refund cancelled order %d: %w", o.ID, err)
	}
	return nil
}

// newJob returns the number of a new job.
func (s *Sandbox) newJob() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextID()
}

func cancelPayload(job *obj, code, message, field string) obj {
	fields := map[string]any{"job": nil, "orderCancelUserErrors": []obj{},
		"userErrors": []obj{}}
	if job != nil {
		fields["job"] = *job
	}
	if message != "" {
		fields["orderCancelUserErrors"] = []obj{userError("OrderCancelUserError", code,
			message, field)}
		fields["userErrors"] = []obj{userError("UserError", "", message, field)}
	}
	return obj{typename: "OrderCancelPayload", fields: fields}
}

// resolveJob answers job(id:): the sandbox's jobs are done when they are
// made.
func (s *Sandbox) resolveJob(c call) (any, error) {
	id, _ := toString(c.args["id"])
	if _, ok := parseGID(id, typeJob); !ok {
		return nil, errorCode("BAD_REQUEST", "Invalid global id '%s'", id)
	}
	return obj{typename: typeJob, fields: map[string]any{"id": id, "done": true}}, nil
}

// cancelTimes are when the sandbox saw orders cancelled, by order id.
type cancelTimes map[int64]time.Time
