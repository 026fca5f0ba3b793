package bcsandbox

import (
	"net/http"
	"strings"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/money"
)

var salesCreditMemoLineSet = &entitySet{
	name: "salesCreditMemoLines", typeName: "salesCreditMemoLine",
	props: []string{"id", "documentId", "sequence", "itemId", "lineType", "lineObjectNumber",
		"description", "quantity", "unitPrice", "amountExcludingTax", "amountIncludingTax"},
}

// salesCreditMemos lists the model's credit memos. They stay drafts: the
// sandbox does not post documents.
func (s *sandbox) salesCreditMemos() []entity {
	memos := s.model.CreditMemos()
	out := make([]entity, 0, len(memos))
	for _, m := range memos {
		out = append(out, s.creditMemo(m))
	}
	return out
}

// creditMemo renders one credit memo with its lines.
func (s *sandbox) creditMemo(m erpsandbox.CreditMemo) entity {
	o, _ := s.model.SalesOrder(m.OrderID)
	c, _ := s.model.Customer(o.CustomerID)
	total := decimal(money.Decimal(m.TotalMinor, m.Currency))
	e := entity{id: m.ID, fields: map[string]any{
		"id": guidOf(m.ID), "number": m.Number,
		"externalDocumentNumber": strings.ToUpper(m.ExternalRef),
		"creditMemoDate":         dateOf(m.Created), "postingDate": dateOf(m.Created),
		"customerId": guidOf(c.ID), "customerNumber": customerNumber(c),
		"customerName": c.Name, "currencyCode": m.Currency, "pricesIncludeTax": false,
		"totalAmountExcludingTax": total, "totalTaxAmount": decimal("0"),
		"totalAmountIncludingTax": total, "status": "Draft", "invoiceId": emptyGUID,
		"invoiceNumber": "", "lastModifiedDateTime": m.Modified,
	}}
	e.nav = map[string][]entity{"salesCreditMemoLines": s.documentLines(m.ID, m.Lines,
		m.Currency)}
	return e
}

// documentLines renders the item lines of document id.
func (s *sandbox) documentLines(id int64, lines []erpsandbox.OrderLine,
	currency string) []entity {
	out := make([]entity, 0, len(lines))
	for i, l := range lines {
		p, _ := s.model.Product(l.ProductID)
		amount, _ := mulMinor(l.Quantity, l.UnitPriceMinor)
		out = append(out, entity{id: l.ID, fields: map[string]any{
			"id": guidOf(l.ID), "documentId": guidOf(id), "sequence": (i + 1) * 10000,
			"itemId": guidOf(p.ID), "lineType": "Item", "lineObjectNumber": p.SKU,
			"description": lineDescription(l, p), "quantity": units(l.Quantity),
			"unitPrice":          decimal(money.Decimal(l.UnitPriceMinor, currency)),
			"amountExcludingTax": decimal(money.Decimal(amount, currency)),
			"amountIncludingTax": decimal(money.Decimal(amount, currency)),
		}})
	}
	return out
}

// createCreditMemo books a credit memo with its lines, deep inserted.
//
// Business Central links a credit memo to no sales order (only, once
// posted, to the invoice it corrects), but the model credits an order: the
// sandbox credits the customer's order whose external document number,
// followed by ":", starts the memo's, else the customer's newest order.
func (s *sandbox) createCreditMemo(obj map[string]any) (entity, *apiError) {
	if e := checkProps(obj, "salesCreditMemo", "customerId", "customerNumber",
		"externalDocumentNumber", "creditMemoDate", "currencyCode",
		"salesCreditMemoLines"); e != nil {
		return entity{}, e
	}
	m, apiErr := s.memoHeader(obj)
	if apiErr != nil {
		return entity{}, apiErr
	}
	if m.Lines, apiErr = s.insertedLines(obj, "salesCreditMemoLine", m.Currency); apiErr != nil {
		return entity{}, apiErr
	}

	created, err := s.model.CreateCreditMemo(m)
	if err != nil {
		return entity{}, fromModel(err)
	}
	return s.creditMemo(created), nil
}

// memoHeader reads the customer, reference, date and currency of a credit
// memo, and finds the order it credits.
func (s *sandbox) memoHeader(obj map[string]any) (erpsandbox.CreditMemo, *apiError) {
	var m erpsandbox.CreditMemo
	ref, e1 := text(obj, "externalDocumentNumber")
	date, e2 := text(obj, "creditMemoDate")
	currency, e3 := text(obj, "currencyCode")
	for _, e := range []*apiError{e1, e2, e3, checkLength(ref, maxExternalDocumentNumber)} {
		if e != nil {
			return m, e
		}
	}
	if _, apiErr := parseDate(date); apiErr != nil {
		return m, apiErr
	}

	c, apiErr := s.orderCustomer(obj)
	if apiErr != nil {
		return m, apiErr
	}
	m.ExternalRef = ref
	if m.Currency, apiErr = s.documentCurrency(currency, "Sales Header"); apiErr != nil {
		return m, apiErr
	}
	m.OrderID, apiErr = s.memoOrder(c, ref)
	return m, apiErr
}

// memoOrder picks the sales order of customer c that a credit memo with
// reference ref credits.
func (s *sandbox) memoOrder(c erpsandbox.Customer, ref string) (int64, *apiError) {
	orders := s.model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return o.CustomerID == c.ID && o.State != erpsandbox.OrderCancelled
	})
	if len(orders) == 0 {
		return 0, errorf(http.StatusBadRequest, "Application_DialogException",
			"The sandbox credits a sales order of the customer, and customer %s has none "+
				"open.", customerNumber(c))
	}
	for _, o := range orders {
		prefix := strings.ToUpper(o.ExternalRef) + ":"
		if o.ExternalRef != "" && strings.HasPrefix(strings.ToUpper(ref), prefix) {
			return o.ID, nil
		}
	}
	return orders[len(orders)-1].ID, nil
}
