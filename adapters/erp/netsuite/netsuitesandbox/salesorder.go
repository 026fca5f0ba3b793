package netsuitesandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// orderStatusNames are the labels of the orderStatus values.
var orderStatusNames = map[string]string{
	"A": "Pending Approval", "B": "Pending Fulfillment", "C": "Cancelled", "H": "Closed",
}

// salesOrderBody is a salesOrder as clients write it.
type salesOrderBody struct {
	Entity      *ref    `json:"entity"`
	Currency    *ref    `json:"currency"`
	OtherRefNum *string `json:"otherRefNum"`
	ExternalID  *string `json:"externalId"`
	TranDate    *string `json:"tranDate"`
	Memo        *string `json:"memo"`
	OrderStatus *ref    `json:"orderStatus"`
	Item        *struct {
		Items []lineBody `json:"items"`
	} `json:"item"`

	// itemTypes holds the type of each item the lines refer to, by
	// internal id, as checkRefs found them.
	itemTypes map[int64]string
}

// lineBody is one line of the item sublist.
type lineBody struct {
	Item        *ref        `json:"item"`
	Quantity    json.Number `json:"quantity"`
	Rate        json.Number `json:"rate"`
	Description string      `json:"description"`
}

// upsertSalesOrder creates the order with external id eid, or updates it
// when there is one. The look-up and the write are one step, so that two
// upserts of one external id at once make one order.
func (s *sandbox) upsertSalesOrder(r *http.Request, eid string) (int64, error) {
	var body salesOrderBody
	if err := decodeBody(r, &body); err != nil {
		return 0, err
	}

	if err := s.checkRefs(&body); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.orderEIDs[eid]; ok {
		return id, s.updateSalesOrder(id, body)
	}
	id, err := s.insertSalesOrder(body)
	if err == nil {
		s.orderEIDs[eid], s.eidOf[id] = id, eid
	}
	return id, err
}

// createSalesOrder adds an order, with the external id of the body if it
// has one that is not in use.
func (s *sandbox) createSalesOrder(r *http.Request) (int64, error) {
	var body salesOrderBody
	if err := decodeBody(r, &body); err != nil {
		return 0, err
	}

	if err := s.checkRefs(&body); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	eid := ""
	if body.ExternalID != nil {
		eid = *body.ExternalID
		if _, taken := s.orderEIDs[eid]; taken {
			return 0, invalidField("DUP_RCRD", "externalId",
				"A record with the external id %q already exists.", eid)
		}
	}
	id, err := s.insertSalesOrder(body)
	if err == nil && eid != "" {
		s.orderEIDs[eid], s.eidOf[id] = id, eid
	}
	return id, err
}

// checkRefs checks that the customer and the items body refers to exist,
// and notes the type of each item.
func (s *sandbox) checkRefs(body *salesOrderBody) error {
	if body.Entity != nil {
		id, _ := internalID(body.Entity.ID)
		if _, ok := s.model.Customer(id); !ok {
			return invalidField("INVALID_KEY_OR_REF", "entity",
				"Invalid entity reference key %s.", body.Entity.ID)
		}
	}
	if body.Item == nil {
		return nil
	}
	for i, l := range body.Item.Items {
		if l.Item == nil {
			continue
		}
		id, _ := internalID(l.Item.ID)
		p, ok := s.model.Product(id)
		if !ok {
			return invalidField("INVALID_KEY_OR_REF", fmt.Sprintf("item.items[%d].item", i),
				"Invalid item reference key %s.", l.Item.ID)
		}
		if body.itemTypes == nil {
			body.itemTypes = map[int64]string{}
		}
		body.itemTypes[id] = s.itemType(p.SKU)
	}
	return nil
}

// insertSalesOrder creates the order of body in the model. The caller
// holds s.mu.
func (s *sandbox) insertSalesOrder(body salesOrderBody) (int64, error) {
	if body.Entity == nil {
		return 0, invalidField("USER_ERROR", "entity", "Please enter value(s) for: Customer")
	}
	o := erpsandbox.SalesOrder{}
	if err := s.applyOrder(&o, body); err != nil {
		return 0, err
	}
	status := "A"
	if body.OrderStatus != nil {
		status = body.OrderStatus.ID
	}
	if status != "A" && status != "B" {
		return 0, invalidField("INVALID_FLD_VALUE", "orderStatus",
			"You have entered an Invalid Field Value %s for the following field: orderStatus",
			status)
	}

	created, err := s.model.CreateSalesOrder(o)
	if err != nil {
		return 0, err
	}
	if status == "B" {
		if _, err := s.model.ConfirmSalesOrder(created.ID); err != nil {
			return 0, err
		}
	}
	return created.ID, nil
}

// updateSalesOrder applies body to order id; a given item sublist
// replaces the lines. The caller holds s.mu.
func (s *sandbox) updateSalesOrder(id int64, body salesOrderBody) error {
	var applyErr error
	_, err := s.model.UpdateSalesOrder(id, func(o *erpsandbox.SalesOrder) error {
		applyErr = s.applyOrder(o, body)
		return applyErr
	})
	if applyErr != nil {
		return applyErr
	}
	return err
}

// applyOrder copies the fields that body sets onto o. It runs under the
// model's lock when it updates, so it reads only its own tables.
func (s *sandbox) applyOrder(o *erpsandbox.SalesOrder, body salesOrderBody) error {
	if body.Entity != nil {
		id, ok := internalID(body.Entity.ID)
		if !ok {
			return invalidField("INVALID_KEY_OR_REF", "entity",
				"Invalid entity reference key %s.", body.Entity.ID)
		}
		o.CustomerID = id
	}
	if err := applyCurrency(o, body.Currency); err != nil {
		return err
	}
	if body.OtherRefNum != nil {
		o.ExternalRef = *body.OtherRefNum
	}
	if body.Memo != nil {
		o.CancelReason = *body.Memo
	}
	if body.TranDate != nil {
		t, err := time.Parse("2006-01-02", *body.TranDate)
		if err != nil {
			return invalidField("INVALID_FLD_VALUE", "tranDate",
				"You have entered an Invalid Field Value %s for the following field: tranDate",
				*body.TranDate)
		}
		o.OrderedAt = t
	}
	if body.Item != nil {
		return applyLines(o, body.Item.Items, body.itemTypes)
	}
	return nil
}

func applyCurrency(o *erpsandbox.SalesOrder, c *ref) error {
	if c == nil {
		if o.Currency == "" {
			o.Currency = currencyCode(1)
		}
		return nil
	}
	id, _ := internalID(c.ID)
	if code := currencyCode(id); code != "" {
		o.Currency = code
		return nil
	}
	return invalidField("INVALID_KEY_OR_REF", "currency", "Invalid currency reference key %s.",
		c.ID)
}

// applyLines replaces the lines of o. Items must exist, quantities be
// whole and positive, rates have no more decimals than the currency. A
// line on a discount item (types gives each item's type) has no quantity:
// its rate is its amount.
func applyLines(o *erpsandbox.SalesOrder, lines []lineBody, types map[int64]string) error {
	o.Lines = nil
	for i, l := range lines {
		path := fmt.Sprintf("item.items[%d]", i)
		if l.Item == nil {
			return invalidField("USER_ERROR", path+".item", "Please enter value(s) for: Item")
		}
		pid, ok := internalID(l.Item.ID)
		if !ok {
			return invalidField("INVALID_KEY_OR_REF", path+".item",
				"Invalid item reference key %s.", l.Item.ID)
		}
		qty, err := strconv.ParseInt(l.Quantity.String(), 10, 64)
		if types[pid] == itemDiscount {
			qty, err = 1, nil
		}
		if err != nil || qty <= 0 {
			return invalidField("INVALID_FLD_VALUE", path+".quantity",
				"You have entered an Invalid Field Value %s for the following field: quantity",
				l.Quantity)
		}
		rate, err := money.ParseMinor(rateOr(l.Rate), o.Currency)
		if err != nil {
			return invalidField("INVALID_FLD_VALUE", path+".rate",
				"You have entered an Invalid Field Value %s for the following field: rate",
				l.Rate)
		}
		o.Lines = append(o.Lines, erpsandbox.OrderLine{ProductID: pid, Quantity: qty,
			UnitPriceMinor: rate, Description: l.Description})
	}
	return nil
}

func rateOr(n json.Number) string {
	if n == "" {
		return "0"
	}
	return n.String()
}

// salesOrderKey resolves an internal id or "eid:<external id>".
func (s *sandbox) salesOrderKey(key string) (int64, bool) {
	if eid, ok := strings.CutPrefix(key, "eid:"); ok {
		s.mu.Lock()
		defer s.mu.Unlock()
		id, found := s.orderEIDs[eid]
		return id, found
	}
	return internalID(key)
}

// salesOrderJSON renders a sales order as the record API does; the item
// sublist is a link unless expand is set.
func (s *sandbox) salesOrderJSON(r *http.Request, key string, expand bool) (any, bool) {
	id, ok := s.salesOrderKey(key)
	if !ok {
		return nil, false
	}
	o, ok := s.model.SalesOrder(id)
	if !ok {
		return nil, false
	}
	status := s.statusOf(o)
	rec := map[string]any{
		"links": recordLinks(r, "salesOrder", o.ID), "id": strconv.FormatInt(o.ID, 10),
		"tranId": o.Number, "entity": ref{ID: strconv.FormatInt(o.CustomerID, 10)},
		"currency":    ref{ID: strconv.FormatInt(currencyID(o.Currency), 10), RefName: o.Currency},
		"orderStatus": ref{ID: status, RefName: orderStatusNames[status]},
		"tranDate":    o.OrderedAt.UTC().Format("2006-01-02"),
		"total":       json.Number(money.Decimal(o.TotalMinor, o.Currency)),
		"createdDate": restTime(o.Created), "lastModifiedDate": restTime(o.Modified),
		"item": s.orderLines(r, o, expand),
	}
	if eid := s.orderEID(o.ID); eid != "" {
		rec["externalId"] = eid
	}
	if o.ExternalRef != "" {
		rec["otherRefNum"] = o.ExternalRef
	}
	if o.CancelReason != "" {
		rec["memo"] = o.CancelReason
	}
	return rec, true
}

func (s *sandbox) orderLines(r *http.Request, o erpsandbox.SalesOrder, expand bool) any {
	self := recordLinks(r, "salesOrder", o.ID)[0]
	self.Href += "/item"
	if !expand {
		return map[string]any{"links": []link{self}}
	}
	items := []map[string]any{}
	closed := s.statusOf(o) == statusClosed
	for i, l := range o.Lines {
		p, _ := s.model.Product(l.ProductID)
		kind := s.itemType(p.SKU)
		line := map[string]any{
			"line": i + 1, "item": ref{ID: strconv.FormatInt(l.ProductID, 10), RefName: p.SKU},
			"itemType":    ref{ID: kind, RefName: itemTypeNames[kind]},
			"quantity":    l.Quantity,
			"rate":        json.Number(money.Decimal(l.UnitPriceMinor, o.Currency)),
			"amount":      json.Number(money.Decimal(l.Quantity*l.UnitPriceMinor, o.Currency)),
			"description": l.Description, "isClosed": closed,
		}
		if kind == itemDiscount {
			delete(line, "quantity")
		}
		items = append(items, line)
	}
	return map[string]any{"links": []link{self}, "items": items, "count": len(items),
		"hasMore": false, "offset": 0, "totalResults": len(items)}
}
