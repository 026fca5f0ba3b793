package netsuitesandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// creditMemoBody is a creditMemo as clients write it. createdFrom names
// the sales order the memo credits; entity, when given, must be that
// order's customer.
type creditMemoBody struct {
	Entity      *ref    `json:"entity"`
	Currency    *ref    `json:"currency"`
	CreatedFrom *ref    `json:"createdFrom"`
	OtherRefNum *string `json:"otherRefNum"`
	Memo        *string `json:"memo"`
	TranDate    *string `json:"tranDate"`
	Item        *struct {
		Items []lineBody `json:"items"`
	} `json:"item"`
}

// upsertCreditMemo creates the credit memo with external id eid. One the
// sandbox holds under eid already is kept as it was first written: the
// model does not change credit memos.
//
// TODO: NetSuite applies an upsert of an existing credit memo as an
// update; the sandbox answers it with the memo unchanged.
func (s *sandbox) upsertCreditMemo(r *http.Request, eid string) (int64, error) {
	var body creditMemoBody
	if err := decodeBody(r, &body); err != nil {
		return 0, err
	}
	memo, err := s.creditMemoOf(body)

	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.memoEIDs[eid]; ok {
		return id, nil
	}
	if err != nil {
		return 0, err
	}
	created, err := s.model.CreateCreditMemo(memo)
	if err != nil {
		return 0, err
	}
	s.memoEIDs[eid], s.memoEIDOf[created.ID] = created.ID, eid
	return created.ID, nil
}

// creditMemoOf maps body onto a credit memo of the model, checking what
// it refers to.
func (s *sandbox) creditMemoOf(body creditMemoBody) (erpsandbox.CreditMemo, error) {
	if body.CreatedFrom == nil {
		return erpsandbox.CreditMemo{}, invalidField("USER_ERROR", "createdFrom",
			"Please enter value(s) for: Created From")
	}
	id, _ := internalID(body.CreatedFrom.ID)
	o, ok := s.model.SalesOrder(id)
	if !ok {
		return erpsandbox.CreditMemo{}, invalidField("INVALID_KEY_OR_REF", "createdFrom",
			"Invalid createdFrom reference key %s.", body.CreatedFrom.ID)
	}
	if body.Entity != nil && body.Entity.ID != strconv.FormatInt(o.CustomerID, 10) {
		return erpsandbox.CreditMemo{}, invalidField("INVALID_KEY_OR_REF", "entity",
			"Invalid entity reference key %s.", body.Entity.ID)
	}

	m := erpsandbox.CreditMemo{OrderID: o.ID, Currency: o.Currency,
		ExternalRef: deref(body.OtherRefNum), Reason: deref(body.Memo)}
	if body.Currency != nil {
		cid, _ := internalID(body.Currency.ID)
		if m.Currency = currencyCode(cid); m.Currency == "" {
			return erpsandbox.CreditMemo{}, invalidField("INVALID_KEY_OR_REF", "currency",
				"Invalid currency reference key %s.", body.Currency.ID)
		}
	}
	if body.TranDate != nil {
		if _, err := time.Parse("2006-01-02", *body.TranDate); err != nil {
			return erpsandbox.CreditMemo{}, invalidField("INVALID_FLD_VALUE", "tranDate",
				"You have entered an Invalid Field Value %s for the following field: tranDate",
				*body.TranDate)
		}
	}
	return m, s.memoLines(&m, body)
}

// memoLines sets the lines of m from body, as a sales order's.
func (s *sandbox) memoLines(m *erpsandbox.CreditMemo, body creditMemoBody) error {
	if body.Item == nil || len(body.Item.Items) == 0 {
		return invalidField("USER_ERROR", "item", "You must enter at least one line item "+
			"for this transaction.")
	}
	order := salesOrderBody{Item: &struct {
		Items []lineBody `json:"items"`
	}{Items: body.Item.Items}}
	if err := s.checkRefs(&order); err != nil {
		return err
	}
	scratch := erpsandbox.SalesOrder{Currency: m.Currency}
	if err := applyLines(&scratch, body.Item.Items, order.itemTypes); err != nil {
		return err
	}
	m.Lines = scratch.Lines
	return nil
}

// creditMemoKey resolves an internal id or "eid:<external id>".
func (s *sandbox) creditMemoKey(key string) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if eid, ok := strings.CutPrefix(key, "eid:"); ok {
		id, found := s.memoEIDs[eid]
		return id, found
	}
	id, ok := internalID(key)
	return id, ok
}

// creditMemoJSON renders a credit memo as the record API does; the item
// sublist is a link unless expand is set.
func (s *sandbox) creditMemoJSON(r *http.Request, key string, expand bool) (any, bool) {
	id, ok := s.creditMemoKey(key)
	if !ok {
		return nil, false
	}
	m, ok := s.creditMemo(id)
	if !ok {
		return nil, false
	}
	o, _ := s.model.SalesOrder(m.OrderID)
	rec := map[string]any{
		"links": recordLinks(r, "creditMemo", m.ID), "id": strconv.FormatInt(m.ID, 10),
		"tranId": m.Number, "entity": ref{ID: strconv.FormatInt(o.CustomerID, 10)},
		"createdFrom": ref{ID: strconv.FormatInt(o.ID, 10), RefName: "Sales Order #" + o.Number},
		"currency":    ref{ID: strconv.FormatInt(currencyID(m.Currency), 10), RefName: m.Currency},
		"total":       json.Number(money.Decimal(m.TotalMinor, m.Currency)),
		"createdDate": restTime(m.Created), "lastModifiedDate": restTime(m.Modified),
		"item": s.memoItems(r, m, expand),
	}
	s.mu.Lock()
	if eid := s.memoEIDOf[m.ID]; eid != "" {
		rec["externalId"] = eid
	}
	s.mu.Unlock()
	if m.ExternalRef != "" {
		rec["otherRefNum"] = m.ExternalRef
	}
	if m.Reason != "" {
		rec["memo"] = m.Reason
	}
	return rec, true
}

// creditMemo returns the model's credit memo with id.
func (s *sandbox) creditMemo(id int64) (erpsandbox.CreditMemo, bool) {
	for _, m := range s.model.CreditMemos() {
		if m.ID == id {
			return m, true
		}
	}
	return erpsandbox.CreditMemo{}, false
}

func (s *sandbox) memoItems(r *http.Request, m erpsandbox.CreditMemo, expand bool) any {
	self := recordLinks(r, "creditMemo", m.ID)[0]
	self.Href += "/item"
	if !expand {
		return map[string]any{"links": []link{self}}
	}
	items := []map[string]any{}
	for i, l := range m.Lines {
		p, _ := s.model.Product(l.ProductID)
		items = append(items, map[string]any{
			"line": i + 1, "item": ref{ID: strconv.FormatInt(l.ProductID, 10), RefName: p.SKU},
			"quantity": l.Quantity,
			"rate":     json.Number(money.Decimal(l.UnitPriceMinor, m.Currency)),
			"amount":   json.Number(money.Decimal(l.Quantity*l.UnitPriceMinor, m.Currency)),
		})
	}
	return map[string]any{"links": []link{self}, "items": items, "count": len(items),
		"hasMore": false, "offset": 0, "totalResults": len(items)}
}
